package auth

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

func TestLockFileStaysInLockDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "locks")
	unlock, err := lockProfile(context.Background(), dir, "../../evil")
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 || entries[0].Name() != ".._.._evil.lock" {
		t.Fatalf("lock dir holds %v (%v), want one sanitised lock file", entries, err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("lock dir mode %v, want 0700", fi.Mode().Perm())
	}
}
