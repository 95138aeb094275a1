//go:build !windows

package auth

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/laymanctl/laymanctl/keyring/privatedir"
)

// A symlink planted at the lock path is not followed: its target is not
// created (review L4).
func TestLockDoesNotFollowSymlink(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "locks")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(t.TempDir(), "bashrc_planted")
	if err := os.Symlink(target, filepath.Join(dir, "default.lock")); err != nil {
		t.Fatal(err)
	}
	if unlock, err := lockProfile(context.Background(), dir, "default"); err == nil {
		unlock()
		t.Fatal("locked through a symlink")
	}
	if _, err := os.Lstat(target); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the symlink's target was created: %v", err)
	}
}

// A lock directory others can write to, or that belongs to someone else,
// is refused before any lock file is opened in it.
func TestLockRefusesSharedDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "locks")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if _, err := lockProfile(context.Background(), dir, "default"); !errors.Is(err, privatedir.ErrInsecure) {
		t.Errorf("world-writable lock dir: %v", err)
	}
	if os.Geteuid() != 0 {
		t.Log("not root: the other-owner case needs chown")
		return
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, 1001, 1001); err != nil {
		t.Fatal(err)
	}
	if _, err := lockProfile(context.Background(), dir, "default"); !errors.Is(err, privatedir.ErrInsecure) {
		t.Errorf("lock dir of another user: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "default.lock")); !errors.Is(err, os.ErrNotExist) {
		t.Error("a lock file was created in a refused directory")
	}
}
