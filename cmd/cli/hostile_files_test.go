//go:build !windows

package cli

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A relative XDG_STATE_HOME would put tokens and locks under the working
// directory, maybe inside a repository (review L5): it is ignored.
func TestStateDirIgnoresRelativeXDG(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	f := NewFactory(&IOStreams{}, BuildInfo{})
	f.Env = func(k string) string {
		if k == "XDG_STATE_HOME" {
			return "relstate"
		}
		return ""
	}
	dir, err := f.StateDir()
	if err != nil || dir != filepath.Join(home, ".local", "state", "laymanctl") {
		t.Errorf("StateDir = %q, %v; want under HOME", dir, err)
	}
}

// A download is created like any file the user creates: 0666 less the
// umask, not 0644 whatever the umask (review L7).
func TestDownloadHonoursUmask(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	path := filepath.Join(t.TempDir(), "new.png")
	ios, _, _, _ := Test()
	if err := (Download{Path: path, Binary: true}).Write(ios, strings.NewReader("PNG")); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("mode %04o, want 0600 under umask 077", perm)
	}
}
