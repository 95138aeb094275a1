package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestGenerateManPagesAndCompletions(t *testing.T) {
	dir := t.TempDir()
	date := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	if err := generate(dir, date); err != nil {
		t.Fatal(err)
	}
	page := gunzip(t, filepath.Join(dir, "man", "laymanctl-layers-list.1.gz"))
	for _, want := range []string{`.TH "LAYMANCTL" "1" "Nov 2026"`, "laymanctl-layers-list", "SEE ALSO"} {
		if !strings.Contains(page, want) {
			t.Errorf("layers list man page lacks %q:\n%s", want, page)
		}
	}
	if root := gunzip(t, filepath.Join(dir, "man", "laymanctl.1.gz")); !strings.Contains(root, "laymanctl-layers(1)") {
		t.Errorf("root man page does not point to laymanctl-layers(1):\n%s", root)
	}
	for _, name := range []string{"laymanctl.bash", "laymanctl.zsh", "laymanctl.fish", "laymanctl.ps1"} {
		b, err := os.ReadFile(filepath.Join(dir, "completions", name))
		if err != nil || !bytes.Contains(b, []byte("__complete")) {
			t.Errorf("%s: %v, or it does not call laymanctl __complete", name, err)
		}
	}
}

func TestGenerateIsReproducible(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	date := time.Unix(1764388641, 0).UTC()
	if err := generate(a, date); err != nil {
		t.Fatal(err)
	}
	if err := generate(b, date); err != nil {
		t.Fatal(err)
	}
	n := 0
	filepath.WalkDir(a, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(a, p)
		x, _ := os.ReadFile(p)
		y, err := os.ReadFile(filepath.Join(b, rel))
		if err != nil || !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs (%v)", rel, err)
		}
		n++
		return nil
	})
	if n < 10 {
		t.Errorf("only %d files generated", n)
	}
}

func gunzip(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
