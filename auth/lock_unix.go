//go:build !windows

package auth

import (
	"os"
	"syscall"
)

// lockOpenFlags open a lock file without following a symlink.
const lockOpenFlags = os.O_CREATE | os.O_RDONLY | syscall.O_NOFOLLOW
