//go:build linux

package api

import (
	"bytes"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"
)

// A multipart body that cannot be finished is an error, not a truncated
// body sent to the server. The file-size limit makes the last write, the
// closing boundary, fail (as a full disk would).
func TestMultipartBodyThatCannotBeFinishedIsAnError(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	data := filepath.Join(dir, "data.bin")
	if err := os.WriteFile(data, bytes.Repeat([]byte("x"), 4096), 0o600); err != nil {
		t.Fatal(err)
	}
	o := &Options{Method: "POST", Path: "rest/x", Fields: []Field{{Key: "title", Value: "T"}, {Key: "file", Value: data, File: true}}}
	_, body, _, cleanup, err := o.multipart(o.Path)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := io.ReadAll(body)
	cleanup()
	if err != nil {
		t.Fatal(err)
	}

	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Fatal(err)
	}
	signal.Ignore(syscall.SIGXFSZ) // EFBIG instead of the signal
	defer signal.Reset(syscall.SIGXFSZ)
	limited := old
	limited.Cur = uint64(len(whole) - 1)
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &limited); err != nil {
		t.Fatal(err)
	}
	_, body, _, cleanup, err = o.multipart(o.Path)
	// Restored at once: the limit holds for every file the process writes.
	if rerr := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old); rerr != nil {
		t.Fatal(rerr)
	}
	defer cleanup()
	if err == nil {
		b, _ := io.ReadAll(body)
		t.Fatalf("no error; %d of %d bytes would be sent", len(b), len(whole))
	}
}
