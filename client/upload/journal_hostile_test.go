//go:build !windows

package upload

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/laymanctl/laymanctl/keyring/privatedir"
)

// The journal decides chunk sizes of a resume; a directory others can write
// to is not trusted for reading or writing (review L4).
func TestJournalRefusesSharedDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "uploads")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	j := NewFileJournal(dir)
	if err := j.Save("k", UploadRecord{}); !errors.Is(err, privatedir.ErrInsecure) {
		t.Errorf("Save: %v", err)
	}
	if _, _, err := j.Load("k"); !errors.Is(err, privatedir.ErrInsecure) {
		t.Errorf("Load: %v", err)
	}
}
