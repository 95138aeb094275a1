package upload

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/client/laymantest"
)

func TestFileJournalRoundTripAndPermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "uploads")
	j := NewFileJournal(dir)
	key := "https://layman.example/ name alice:dem/../x y"
	if _, ok, err := j.Load(key); ok || err != nil {
		t.Fatalf("Load of an empty journal = %v, %v", ok, err)
	}
	rec := UploadRecord{UUID: "u", Workspace: "alice", Name: "dem", ChunkSize: 512 * KiB, Files: []FileRecord{{
		Name: "dem.tif", Path: "/data/dem.tif", Size: 30 * MiB, ModTime: time.Date(2024, 5, 1, 10, 0, 0, 123456789, time.UTC),
		ChunkSize: 512 * KiB, TotalChunks: 60,
	}}}
	if err := j.Save(key, rec); err != nil {
		t.Fatal(err)
	}
	got, ok, err := j.Load(key)
	if err != nil || !ok || got.Files[0].ModTime.Compare(rec.Files[0].ModTime) != 0 || got.Files[0].TotalChunks != 60 || got.ChunkSize != rec.ChunkSize {
		t.Fatalf("Load = %+v, %v, %v; want %+v", got, ok, err, rec)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("journal directory: %v, %v; want mode 0700", fi.Mode(), err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 {
		t.Fatalf("journal holds %v (%v), want one file and no temporary", entries, err)
	}
	if fi, err := entries[0].Info(); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("journal file %s: %v; want mode 0600", entries[0].Name(), fi.Mode())
	}
	if err := j.Delete(key); err != nil {
		t.Fatal(err)
	}
	if err := j.Delete(key); err != nil {
		t.Errorf("deleting a missing record: %v", err)
	}
	if _, ok, _ := j.Load(key); ok {
		t.Error("the record survived Delete")
	}
}

// interruptedUpload publishes dem.tif (48 chunks of 64 KiB) and dem.tfw
// through up, with the server refusing every chunk after the 16th until
// the retries give up. No request is in flight when it returns.
func interruptedUpload(t *testing.T, e *env, up *Uploader, name string) (*InterruptedError, []string) {
	t.Helper()
	// One worker, so that no request of this upload is still in flight
	// when it returns.
	up.Parallel = 1
	dir := t.TempDir()
	tif := randomFile(t, dir, "dem.tif", 3*MiB)
	tfw := randomFile(t, dir, "dem.tfw", 80)
	var n atomic.Int64
	e.srv.SetFault(func(r *http.Request) laymantest.Fault {
		if isChunkPost(r) && n.Add(1) > 16 {
			return laymantest.Fault{Status: http.StatusServiceUnavailable, Body: "<html>busy</html>"}
		}
		return laymantest.Fault{}
	})
	_, err := up.Publish(testContext(t), LayerParams{Workspace: "alice", Name: name, Files: []string{tif, tfw}})
	var ie *InterruptedError
	if !errors.As(err, &ie) {
		t.Fatalf("Publish: %v, want *InterruptedError", err)
	}
	e.srv.SetFault(nil)
	e.srv.ResetRequests()
	return ie, []string{tif, tfw}
}

func journalFiles(t *testing.T, dir string) int {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return len(entries)
}

// The acceptance repro: an upload cut in 64 KiB chunks is resumed with no
// chunk size given (the default being 1 MiB). The journal supplies 64 KiB,
// by either form of the reference, and the server assembles the right bytes.
func TestResumeTakesTheRecordedChunkSize(t *testing.T) {
	generations(t, func(t *testing.T, gen int) {
		for _, byName := range []bool{false, true} {
			t.Run(fmt.Sprintf("byName=%v", byName), func(t *testing.T) {
				e := newEnv(t, gen)
				dir := filepath.Join(t.TempDir(), "uploads")
				e.up.Journal = NewFileJournal(dir)
				e.up.ChunkSize = 64 * KiB
				ie, paths := interruptedUpload(t, e, e.up, "dem")
				if journalFiles(t, dir) == 0 {
					t.Fatal("the interrupted upload left no journal record")
				}
				ref := client.Ref{UUID: ie.Ref.UUID}
				if byName {
					ref = client.Ref{Workspace: "alice", Name: "dem"}
				}
				resumer := *e.up
				resumer.ChunkSize = 0
				res, err := resumer.Resume(testContext(t), ref, paths)
				if err != nil {
					t.Fatalf("Resume: %v", err)
				}
				// 16 chunks got through before the faults; a request of the
				// interrupted upload still in flight may add one more. In 64 KiB
				// chunks the files are 48 + 1 (in 1 MiB ones they would be 3 + 1).
				if res.ChunksPresent < 16 || res.ChunksPresent+res.ChunksSent != 48+1 || len(res.Warnings) != 0 {
					t.Errorf("resume found %d chunks and sent %d (warnings %q); want 16 or more found, 49 in all, no warning", res.ChunksPresent, res.ChunksSent, res.Warnings)
				}
				e.assertStored(t, ie.Ref, paths...)
				if n := journalFiles(t, dir); n != 0 {
					t.Errorf("%d journal record(s) left after the upload finished", n)
				}
			})
		}
	})
}

// A --chunk-size that differs from the recorded one, or a file changed
// since, stops the resume before any chunk request.
func TestResumeRefusesWhatWouldCorrupt(t *testing.T) {
	generations(t, func(t *testing.T, gen int) {
		e := newEnv(t, gen)
		dir := filepath.Join(t.TempDir(), "uploads")
		e.up.Journal = NewFileJournal(dir)
		e.up.ChunkSize = 64 * KiB
		ie, paths := interruptedUpload(t, e, e.up, "dem")
		resume := func(chunkSize int64) error {
			r := *e.up
			r.ChunkSize = chunkSize
			_, err := r.Resume(testContext(t), ie.Ref, paths)
			return err
		}
		var ve *ValidationError
		if err := resume(DefaultChunkSize); !errors.As(err, &ve) || ve.Field != "chunk-size" || !strings.Contains(ve.Message, "--chunk-size 64KiB") {
			t.Errorf("explicit 1MiB: %v, want a chunk-size ValidationError naming 64KiB", err)
		}
		future := time.Now().Add(time.Hour)
		if err := os.Chtimes(paths[0], future, future); err != nil {
			t.Fatal(err)
		}
		if err := resume(0); !errors.As(err, &ve) || !strings.Contains(ve.Message, "dem.tif changed since the interrupted upload started; publish it again") {
			t.Errorf("changed file: %v", err)
		}
		for _, r := range e.srv.Requests() {
			if strings.HasSuffix(r.Path, "/chunk") {
				t.Errorf("a refused resume reached the chunk endpoint: %s %s", r.Method, r.Path)
			}
		}
		if journalFiles(t, dir) == 0 {
			t.Error("a refused resume dropped the journal record")
		}
	})
}

// Without a record (another machine) the resume trusts the chunk size it
// is given and warns that it must be the original one.
func TestResumeWithoutRecordWarns(t *testing.T) {
	generations(t, func(t *testing.T, gen int) {
		e := newEnv(t, gen)
		e.up.Journal = NewFileJournal(filepath.Join(t.TempDir(), "uploads"))
		e.up.ChunkSize = 64 * KiB
		ie, paths := interruptedUpload(t, e, e.up, "dem")
		elsewhere := *e.up
		elsewhere.Journal = NewFileJournal(filepath.Join(t.TempDir(), "uploads"))
		res, err := elsewhere.Resume(testContext(t), ie.Ref, paths)
		if err != nil {
			t.Fatalf("Resume: %v", err)
		}
		if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "64KiB chunks, which must be what the interrupted upload used") {
			t.Errorf("warnings %q, want one about the unchecked chunk size", res.Warnings)
		}
		if res.ChunksPresent < 16 || res.ChunksPresent+res.ChunksSent != 48+1 {
			t.Errorf("found %d chunks on the server and sent %d, want 16 or more found, 49 in all", res.ChunksPresent, res.ChunksSent)
		}
		e.assertStored(t, ie.Ref, paths...)
	})
}
