package keyring

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/client/atomicfile"
)

func newTestFileStore(t *testing.T) (Store, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "state", "tokens")
	s, err := NewFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s, dir
}

func skipOnWindows(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no Unix permission bits")
	}
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != want {
		t.Errorf("%s mode = %04o, want %04o", path, got, want)
	}
}

func TestFileCreatesPrivateDirAndFile(t *testing.T) {
	skipOnWindows(t)
	s, dir := newTestFileStore(t)
	mustSet(t, s, "default", []byte(`{"a":1}`))
	assertMode(t, dir, 0o700)
	assertMode(t, filepath.Join(dir, "default.json"), 0o600)
	got, err := os.ReadFile(filepath.Join(dir, "default.json"))
	if err != nil || string(got) != `{"a":1}` {
		t.Errorf("file holds %q, %v; want the value as written", got, err)
	}
}

func TestFileRefusesLoosePermissions(t *testing.T) {
	skipOnWindows(t)
	s, dir := newTestFileStore(t)
	file := filepath.Join(dir, "default.json")
	mustSet(t, s, "default", []byte("old"))

	check := func(t *testing.T, path, fix string) {
		t.Helper()
		_, getErr := s.Get("default")
		setErr := s.Set("default", []byte("new"))
		for op, err := range map[string]error{"Get": getErr, "Set": setErr} {
			if !errors.Is(err, ErrInsecurePermissions) {
				t.Errorf("%s: err = %v, want ErrInsecurePermissions", op, err)
				continue
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), fix) {
				t.Errorf("%s: error %q should name %s and the fix %q", op, err, path, fix)
			}
		}
		if got, _ := os.ReadFile(file); string(got) != "old" {
			t.Errorf("file changed to %q despite the refusal", got)
		}
	}

	t.Run("file readable by group", func(t *testing.T) {
		if err := os.Chmod(file, 0o640); err != nil {
			t.Fatal(err)
		}
		check(t, file, "chmod 600 "+file)
		if err := os.Chmod(file, 0o600); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("directory open to others", func(t *testing.T) {
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		check(t, dir, "chmod 700 "+dir)
		if err := os.Chmod(dir, 0o700); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("stricter modes are fine", func(t *testing.T) {
		if err := os.Chmod(file, 0o400); err != nil {
			t.Fatal(err)
		}
		mustGet(t, s, "default", []byte("old"))
	})
}

func TestFileRefusesSymlink(t *testing.T) {
	skipOnWindows(t)
	s, dir := newTestFileStore(t)
	mustSet(t, s, "real", []byte("v"))
	if err := os.Symlink(filepath.Join(dir, "real.json"), filepath.Join(dir, "link.json")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("link"); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("Get through a symlink: err = %v, want a refusal", err)
	}
}

func TestFileWritesLeaveNoTemporaryFile(t *testing.T) {
	s, dir := newTestFileStore(t)
	for _, v := range []string{"one", "two", "three"} {
		mustSet(t, s, "default", []byte(v))
	}
	assertDirHolds(t, dir, "default.json")
}

func TestFileFailedWriteKeepsOldValueAndNoTemporaryFile(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "default.json")
	// A non-empty directory where the file should go makes the final rename fail.
	if err := os.MkdirAll(filepath.Join(target, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := atomicfile.WriteFile(target, []byte("v"), fileItemMode); err == nil {
		t.Fatal("writing over a non-empty directory succeeded")
	}
	assertDirHolds(t, dir, "default.json")
}

func assertDirHolds(t *testing.T, dir string, want ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("%s holds %v, want %v", dir, got, want)
	}
}

func TestFileGetAndDeleteDoNotCreateDir(t *testing.T) {
	s, dir := newTestFileStore(t)
	if _, err := s.Get("default"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get: err = %v, want ErrNotFound", err)
	}
	if err := s.Delete("default"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Delete: err = %v, want ErrNotFound", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s exists after reads only (err %v)", dir, err)
	}
}

func TestNewFileNeedsDir(t *testing.T) {
	if _, err := NewFile(""); err == nil {
		t.Error("NewFile(\"\") succeeded")
	}
}
