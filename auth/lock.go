package auth

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"

	"github.com/laymanctl/laymanctl/keyring/privatedir"
)

// lockWait bounds the wait for another process's refresh, which is one
// HTTP round trip; a holder that takes longer is stuck.
const lockWait = time.Minute

// lockRetry is how often a busy lock is tried again.
const lockRetry = 20 * time.Millisecond

// lockProfile takes the cross-process lock of profile, <dir>/<profile>.lock,
// creating dir (0700) if needed, and returns its release. The directory must
// be the user's own and private, and the lock file is opened without
// following a symlink: no one else can make laymanctl create or lock a file
// of their choosing.
func lockProfile(ctx context.Context, dir, profile string) (unlock func(), err error) {
	if err := privatedir.Ensure(dir); err != nil {
		return nil, fmt.Errorf("the token lock directory: %w", err)
	}
	path := filepath.Join(dir, lockFileName(profile))
	l := flock.New(path, flock.SetPermissions(0o600), flock.SetFlag(lockOpenFlags))
	waitCtx, cancel := context.WithTimeout(ctx, lockWait)
	defer cancel()
	ok, err := l.TryLockContext(waitCtx, lockRetry)
	switch {
	case ok:
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case waitCtx.Err() != nil:
		return nil, fmt.Errorf("another laymanctl process has held the token lock %s for over %s", path, lockWait)
	default:
		return nil, fmt.Errorf("taking the token lock %s: %w", path, err)
	}
	return func() { _ = l.Close() }, nil
}

// lockFileName keeps a profile name from escaping the lock directory.
func lockFileName(profile string) string {
	if profile == "" {
		profile = "default"
	}
	safe := strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return '_'
	}, profile)
	return safe + ".lock"
}
