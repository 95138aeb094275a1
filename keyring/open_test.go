package keyring

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenChoosesStoreByName(t *testing.T) {
	for name, want := range map[string]string{"": "keyring", "keyring": "keyring", "file": "file", "memory": "memory"} {
		s, err := Open(name, OpenOptions{FileDir: t.TempDir()})
		if err != nil {
			t.Fatalf("Open(%q): %v", name, err)
		}
		if s.Name() != want {
			t.Errorf("Open(%q).Name() = %q, want %q", name, s.Name(), want)
		}
	}
}

func TestOpenRejectsUnknownName(t *testing.T) {
	_, err := Open("plaintext", OpenOptions{})
	if err == nil {
		t.Fatal("Open(\"plaintext\") succeeded")
	}
	for _, want := range append(StoreNames(), "plaintext") {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestOpenFileCreatesItsDirLazily(t *testing.T) {
	state := t.TempDir()
	s, err := Open("file", OpenOptions{FileDir: filepath.Join(state, "laymanctl", "tokens")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("default"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get: err = %v, want ErrNotFound", err)
	}
	if entries, _ := os.ReadDir(state); len(entries) != 0 {
		t.Fatalf("opening and reading created %v", entries)
	}
	mustSet(t, s, "default", []byte("v"))
	if _, err := os.Stat(filepath.Join(state, "laymanctl", "tokens", "default.json")); err != nil {
		t.Errorf("Set did not write under the default dir: %v", err)
	}
}
