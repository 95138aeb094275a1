// Package privatedir creates and checks the directories where laymanctl
// keeps what other users must not touch: tokens, locks, upload journals.
// A directory that is a symlink, belongs to someone else or is open to
// group or others is refused, since whoever controls it can plant symlinks
// or replace files there. It also checks files laymanctl trusts, such as a
// CA certificate file.
package privatedir

import (
	"errors"
	"fmt"
	"os"
	"runtime"
)

// ErrInsecure marks a directory refused for its type, owner or mode.
var ErrInsecure = errors.New("insecure directory")

// Ensure creates dir (0700, parents as needed) and checks it.
func Ensure(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return Check(dir)
}

// Check refuses dir unless it is a real directory of the current user that
// no one else can write to (so no one else can plant a symlink in it).
func Check(dir string) error {
	info, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	if !info.IsDir() {
		return fmt.Errorf("%w: %s is not a directory (a symlink or a file)", ErrInsecure, dir)
	}
	if runtime.GOOS == "windows" {
		return nil
	}
	if !ownedByCurrentUser(info) {
		return fmt.Errorf("%w: %s belongs to another user; remove it or point XDG_STATE_HOME elsewhere", ErrInsecure, dir)
	}
	if perm := info.Mode().Perm(); perm&0o022 != 0 {
		return fmt.Errorf("%w: %s is writable by other users (%04o): run chmod 700 %s", ErrInsecure, dir, perm, dir)
	}
	return nil
}

// CheckTrusted refuses a file whose content others could have chosen: one
// that belongs to another user (root aside, for system files such as CA
// bundles) or that group or others may write to. Symlinks are followed, as
// in /etc/ssl/certs; the file they reach is what is checked.
func CheckTrusted(name string) error {
	info, err := os.Stat(name)
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%w: %s is not a regular file", ErrInsecure, name)
	}
	if runtime.GOOS == "windows" {
		return nil
	}
	if !ownedByCurrentUser(info) && !ownedByRoot(info) {
		return fmt.Errorf("%w: %s belongs to another user, who could change what it says", ErrInsecure, name)
	}
	if perm := info.Mode().Perm(); perm&0o022 != 0 {
		return fmt.Errorf("%w: %s is writable by other users (%04o): run chmod 644 %s", ErrInsecure, name, perm, name)
	}
	return nil
}
