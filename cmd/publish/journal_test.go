package publish_test

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/laymanctl/laymanctl/client/laymantest"
	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

// interruptPublish publishes dem.tif (24 chunks of 64 KiB) and dem.tfw
// with the server refusing every chunk after the 8th (an expired login:
// resumable, not retried), and returns the files and the layer's UUID. One
// worker, so that no request of this upload is still in flight afterwards.
func interruptPublish(t *testing.T, h *cmdtest.Harness) (files []string, uuid string) {
	t.Helper()
	dir := t.TempDir()
	files = []string{write(t, dir, "dem.tif", data(24*64<<10, 5)), write(t, dir, "dem.tfw", []byte("1\n0\n0\n-1\n0\n0\n"))}
	var n atomic.Int64
	h.Server.SetFault(func(r *http.Request) laymantest.Fault {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/chunk") && n.Add(1) > 8 {
			return laymantest.Fault{Status: http.StatusForbidden, Body: laymantest.ErrorJSON(32, nil)}
		}
		return laymantest.Fault{}
	})
	r := h.Run(append([]string{"layers", "publish", "-w", ws, "--chunk-size", "64KiB", "--parallel", "1", "--no-wait"}, files...)...)
	if r.Code != 1 || !strings.Contains(r.Stderr, "--chunk-size 64KiB") {
		t.Fatalf("the interrupted publish should exit 1 with a resume command:\n%s", r)
	}
	h.Server.SetFault(nil)
	h.Server.ResetRequests()
	info, ok := h.Server.Publication("layer:" + ws + ":dem")
	if !ok {
		t.Fatal("the interrupted layer is not on the server")
	}
	return files, info.UUID
}

func chunkRequests(h *cmdtest.Harness) int {
	n := 0
	for _, r := range h.Server.Requests() {
		if strings.HasSuffix(r.Path, "/chunk") {
			n++
		}
	}
	return n
}

func assertSameOnServer(t *testing.T, h *cmdtest.Harness, files []string) {
	t.Helper()
	for _, p := range files {
		if got, ok := h.Server.FileSHA256("layer:"+ws+":dem", filepath.Base(p)); !ok || got != laymantest.SHA256File(t, p) {
			t.Errorf("%s on the server differs from the local file (stored %v)", filepath.Base(p), ok)
		}
	}
}

var resumeCounts = regexp.MustCompile(`(\d+) chunk\(s\) were already on the server, (\d+) sent`)

// The acceptance repro: an upload interrupted with --chunk-size 64KiB,
// resumed without --chunk-size (default 1 MiB), must still be cut in
// 64 KiB chunks; an explicit different size is refused with nothing sent.
func TestResumeRemembersTheChunkSize(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		files, uuid := interruptPublish(t, h)
		journal := filepath.Join(h.Dir, "state", "laymanctl", "uploads")

		r := h.Run(append([]string{"layers", "resume", uuid, "--chunk-size", "1MiB", "--no-wait"}, files...)...)
		if r.Code != 2 || !strings.Contains(r.Stderr, "--chunk-size 64KiB") {
			t.Errorf("an explicit different --chunk-size should exit 2 naming 64KiB:\n%s", r)
		}
		if n := chunkRequests(h); n != 0 {
			t.Errorf("the refused resume made %d chunk requests", n)
		}

		r = h.Run(append([]string{"layers", "resume", uuid, "--wait", "-o", "json"}, files...)...)
		if r.Code != 0 || !strings.Contains(r.Stdout, `"COMPLETE"`) {
			t.Fatalf("resume without --chunk-size failed:\n%s", r)
		}
		// 8 chunks got through; a request of the interrupted publish still in
		// flight may add one. In 64 KiB chunks the files are 24 + 1.
		m := resumeCounts.FindStringSubmatch(r.Stderr)
		found, sent := 0, 0
		if m != nil {
			found, _ = strconv.Atoi(m[1])
			sent, _ = strconv.Atoi(m[2])
		}
		if m == nil || found < 8 || found+sent != 25 || strings.Contains(r.Stderr, "warning") {
			t.Errorf("stderr %q, want 8 or more chunks found, 25 in all and no warning", r.Stderr)
		}
		assertSameOnServer(t, h, files)
		if entries, err := os.ReadDir(journal); err != nil || len(entries) != 0 {
			t.Errorf("journal after the finished upload: %v (%v), want an empty directory", entries, err)
		}
	})
}

// Resumed where the upload did not start (no journal record), the
// printed --chunk-size works and stderr warns that it is unchecked.
func TestResumeWithoutRecordWarns(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		files, uuid := interruptPublish(t, h)
		if err := os.RemoveAll(filepath.Join(h.Dir, "state", "laymanctl", "uploads")); err != nil {
			t.Fatal(err)
		}
		r := h.Run(append([]string{"layers", "resume", uuid, "--chunk-size", "64KiB", "--wait", "-o", "json"}, files...)...)
		if r.Code != 0 {
			t.Fatalf("resume failed:\n%s", r)
		}
		if !strings.Contains(r.Stderr, "warning: this machine has no record of the interrupted upload") {
			t.Errorf("no warning about the unchecked chunk size:\n%s", r.Stderr)
		}
		assertSameOnServer(t, h, files)
	})
}

// Deleting a layer whose upload was interrupted drops that upload's journal
// records, whichever way the layer is named: nothing is left to resume. A
// delete that fails, and deleting a map of the same name, keep them.
func TestDeleteDropsTheUploadsJournalRecords(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		journal := filepath.Join(h.Dir, "state", "laymanctl", "uploads")
		records := func() int {
			entries, err := os.ReadDir(journal)
			if err != nil {
				t.Fatal(err)
			}
			return len(entries)
		}
		for _, how := range []string{"workspace:name", "uuid", "--all", "answer lost"} {
			_, uuid := interruptPublish(t, h)
			if n := records(); n != 2 {
				t.Fatalf("%d journal records after the interrupted upload, want 2 (by UUID and by name)", n)
			}
			args := map[string][]string{"workspace:name": {ws + ":dem"}, "uuid": {uuid}, "--all": {"--workspace", ws, "--all"}, "answer lost": {uuid}}[how]
			if how == "answer lost" {
				// The retry finds the layer gone: the first DELETE deleted it.
				var deletes atomic.Int32
				h.Server.SetFault(func(r *http.Request) laymantest.Fault {
					return laymantest.Fault{LoseAnswer: r.Method == http.MethodDelete && deletes.Add(1) == 1}
				})
			}
			if how == "workspace:name" {
				h.SeedMap("dem", "A map named as the layer")
				if r := h.Run("maps", "delete", ws+":dem", "--yes"); r.Code != 0 {
					t.Fatalf("maps delete:\n%s", r)
				}
				h.Server.SetFault(func(r *http.Request) laymantest.Fault {
					if r.Method == http.MethodDelete {
						return laymantest.Fault{Status: http.StatusInternalServerError, Body: "<html>boom</html>"}
					}
					return laymantest.Fault{}
				})
				if r := h.Run(append([]string{"layers", "delete", "--yes"}, args...)...); r.Code != 1 {
					t.Fatalf("layers delete answered HTTP 500 should exit 1:\n%s", r)
				}
				h.Server.SetFault(nil)
				if n := records(); n != 2 {
					t.Fatalf("%d journal records after deleting the map and a failed layer delete, want the 2 of the layer", n)
				}
			}
			if r := h.Run(append([]string{"layers", "delete", "--yes"}, args...)...); r.Code != 0 {
				t.Fatalf("layers delete %s:\n%s", how, r)
			}
			h.Server.SetFault(nil)
			if n := records(); n != 0 {
				t.Errorf("layers delete by %s left %d journal records", how, n)
			}
		}
	})
}
