package cli

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDownloadToFileIsAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "thumb.png")
	ios, _, out, _ := Test()
	ios.OutTTY = true // a file target does not care about the terminal
	if err := (Download{Path: path, Binary: true}).Write(ios, strings.NewReader("PNGDATA")); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(path); string(data) != "PNGDATA" || out.Len() != 0 {
		t.Errorf("file %q, stdout %q", data, out.String())
	}

	// A failing source leaves the previous file and no temporary file.
	broken := io.MultiReader(strings.NewReader("partial"), errReader{})
	if err := (Download{Path: path}).Write(ios, broken); err == nil {
		t.Fatal("no error from a broken download")
	}
	entries, _ := os.ReadDir(dir)
	if data, _ := os.ReadFile(path); string(data) != "PNGDATA" || len(entries) != 1 {
		t.Errorf("after a failure: file %q, entries %v", data, entries)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestDownloadToStdout(t *testing.T) {
	for _, c := range []struct {
		binary, tty, refused bool
	}{
		{binary: true, tty: false},
		{binary: true, tty: true, refused: true},
		{binary: false, tty: true},
	} {
		ios, _, out, _ := Test()
		ios.OutTTY = c.tty
		err := (Download{Path: "-", Binary: c.binary}).Write(ios, strings.NewReader("data"))
		var ee *ExitError
		if refused := errors.As(err, &ee) && ee.Code == ExitUsage; refused != c.refused {
			t.Errorf("binary %v tty %v: %v", c.binary, c.tty, err)
		}
		if !c.refused && out.String() != "data" {
			t.Errorf("binary %v tty %v: stdout %q", c.binary, c.tty, out.String())
		}
	}
}

func TestDownloadTargetCheckedBeforeAnyRequest(t *testing.T) {
	dir := t.TempDir()
	ios, _, _, _ := Test()
	for path, want := range map[string]string{
		filepath.Join(dir, "missing", "x.png"): "does not exist",
		dir:                                    "is a directory",
	} {
		err := (Download{Path: path, Binary: true}).CheckTarget(ios)
		var ue *UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), want) {
			t.Errorf("-O %s: %v, want a usage error saying %q", path, err, want)
		}
	}
	if err := (Download{Path: filepath.Join(dir, "x.png")}).CheckTarget(ios); err != nil {
		t.Errorf("a new file in an existing directory: %v", err)
	}
}
