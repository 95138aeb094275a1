package cmdtest_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/laymanctl/laymanctl/auth/authtest"
	"github.com/laymanctl/laymanctl/client/laymantest"
	"github.com/laymanctl/laymanctl/client/upload"
	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

// `layers resume` of an upload Layman dropped (300 s without a chunk)
// sends no chunk, exits 1 and prints how to publish the data again; each
// printed command works.
func TestResumeOfDroppedUpload(t *testing.T) {
	clk := authtest.NewClock(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
	h := cmdtest.New(t, cmdtest.Options{Generation: 3, Clock: clk.Now})
	path := filepath.Join(t.TempDir(), "big.geojson")
	// Above the chunk threshold: the update opens a chunked upload again.
	content := laymantest.GeoJSON(1<<20+300<<10, 1)
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	// Open a chunked upload whose chunks never arrive.
	h.Server.SetFault(func(r *http.Request) laymantest.Fault {
		if strings.HasSuffix(r.URL.Path, "/chunk") {
			return laymantest.Fault{Status: http.StatusForbidden, Body: `{"code": 30, "message": "Unauthorized access"}`}
		}
		return laymantest.Fault{}
	})
	up := &upload.Uploader{Client: h.Client(), Threshold: 1, ChunkSize: 64 << 10, Parallel: 1} // one request in flight: none arrives late
	if _, err := up.Publish(context.Background(), upload.LayerParams{Workspace: cmdtest.Username, Name: "big", Files: []string{path}}); err == nil {
		t.Fatal("the upload did not stop")
	}
	h.Server.SetFault(nil)
	clk.Advance(301 * time.Second)
	h.Server.ResetRequests()

	info, _ := h.Server.Publication("alice:big")
	r := h.Run("layers", "resume", "alice:big", path)
	if r.Code != 1 || !strings.Contains(r.Stderr, "Layman dropped the upload to layer alice:big") ||
		!strings.Contains(r.Stderr, "laymanctl layers update "+info.UUID+" "+path) ||
		!strings.Contains(r.Stderr, "laymanctl layers delete "+info.UUID+" --yes && laymanctl layers publish "+path+" --workspace alice --name big") {
		t.Errorf("resume of a dropped upload:\n%s", r)
	}
	for _, req := range h.Server.Requests() {
		// A refused chunk POST of the publish above may be recorded late.
		if strings.HasSuffix(req.Path, "/chunk") && !req.Fault {
			t.Errorf("sent %s %s", req.Method, req.Path)
		}
	}
	ran := 0
	for _, line := range strings.Split(r.Stderr, "\n") {
		if !strings.HasPrefix(line, "  laymanctl ") {
			continue
		}
		for _, cmd := range strings.Split(line, " && ") {
			args := strings.Fields(cmd)[1:]
			if args[1] != "delete" {
				args = append(args, "--wait")
			}
			if run := h.Run(args...); run.Code != 0 {
				t.Fatalf("%s: %s", cmd, run)
			}
			ran++
		}
		if got, _ := h.Server.FileSHA256("layer:alice:big", "big.geojson"); got != fmt.Sprintf("%x", sha256.Sum256(content)) {
			t.Errorf("after `%s` the server's file differs from the local one", strings.TrimSpace(line))
		}
	}
	if ran != 3 {
		t.Errorf("ran %d printed commands, want 3 (update; delete && publish):\n%s", ran, r.Stderr)
	}
}

// A DELETE whose answer is lost is sent again and finds nothing (Layman's
// DELETE is not idempotent): the layer was deleted, which is success.
func TestDeleteWithLostAnswer(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		h.SeedLayer("rivers", "Rivers")
		var lost atomic.Bool
		h.Server.SetFault(func(r *http.Request) laymantest.Fault {
			if r.Method == http.MethodDelete && lost.CompareAndSwap(false, true) {
				return laymantest.Fault{LoseAnswer: true}
			}
			return laymantest.Fault{}
		})
		r := h.Run("layers", "delete", "alice:rivers", "--yes")
		if r.Code != 0 || !strings.Contains(r.Stderr, "Deleted layer alice:rivers (already") {
			t.Errorf("delete with a lost answer:\n%s", r)
		}
		if _, ok := h.Server.Publication("alice:rivers"); ok {
			t.Error("the layer still exists")
		}
	})
}
