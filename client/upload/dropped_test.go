package upload

import (
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/laymanctl/laymanctl/auth/authtest"
	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/client/laymantest"
)

func newClockEnv(t *testing.T, gen int) (*env, *authtest.Clock) {
	clock := authtest.NewClock(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
	e := newEnvWith(t, laymantest.Options{Generation: gen, Clock: clock.Now, InactivityTimeout: 300 * time.Second})
	e.up.now = clock.Now
	e.up.ChunkSize = 64 * KiB
	e.up.Parallel = 1
	return e, clock
}

// chunkPosts counts the chunk POSTs the server has answered (or lost).
func chunkPosts(e *env) int {
	n := 0
	for _, r := range e.srv.Requests() {
		if r.Method == http.MethodPost && strings.HasSuffix(r.Path, "/chunk") {
			n++
		}
	}
	return n
}

// Layman drops an upload after 300 s without a new chunk, yet its chunk
// endpoint keeps answering. A resume then sends nothing and says how to
// publish the data again.
func TestResumeOfDroppedUpload(t *testing.T) {
	generations(t, func(t *testing.T, gen int) {
		e, clock := newClockEnv(t, gen)
		var n atomic.Int64
		e.srv.SetFault(func(r *http.Request) laymantest.Fault {
			if isChunkPost(r) && n.Add(1) > 3 {
				return laymantest.Fault{Status: http.StatusServiceUnavailable, Body: "<html><title>503</title></html>"}
			}
			return laymantest.Fault{}
		})
		e.up.Retry = client.RetryPolicy{MaxAttempts: 1}
		p := randomFile(t, t.TempDir(), "ortho.tif", 1*MiB)
		ctx := testContext(t)
		_, err := e.up.Publish(ctx, LayerParams{Workspace: "alice", Name: "ortho", Files: []string{p}})
		var ie *InterruptedError
		if !errors.As(err, &ie) {
			t.Fatalf("Publish = %v, want interrupted", err)
		}
		e.srv.SetFault(nil)
		clock.Advance(301 * time.Second)
		before := len(e.srv.Requests())
		_, err = e.up.Resume(ctx, ie.Ref, ie.Files)
		var de *DroppedError
		if !errors.As(err, &de) {
			t.Fatalf("Resume = %v, want a dropped upload", err)
		}
		for _, r := range e.srv.Requests()[before:] {
			if strings.HasSuffix(r.Path, "/chunk") {
				t.Errorf("resume of a dropped upload sent %s %s", r.Method, r.Path)
			}
		}
		again := de.AgainCommands()
		if !strings.Contains(again[0], "laymanctl layers update ") || !strings.Contains(again[0], p) ||
			!strings.Contains(again[1], "layers delete") || !strings.Contains(again[1], "--workspace alice --name ortho") {
			t.Errorf("advice: %q", again)
		}
	})
}

// A stall longer than Layman's limit in the middle of a publish (a laptop
// asleep, a long outage) is found before the next chunk goes out.
func TestPublishStalledPastTheLimit(t *testing.T) {
	e, clock := newClockEnv(t, 3)
	e.up.Progress = &stallAfter{n: 4, clock: clock}
	p := randomFile(t, t.TempDir(), "ortho.tif", 1*MiB)
	_, err := e.up.Publish(testContext(t), LayerParams{Workspace: "alice", Files: []string{p}})
	var de *DroppedError
	if !errors.As(err, &de) {
		t.Fatalf("Publish = %v, want a dropped upload", err)
	}
	if posts := chunkPosts(e); posts != 4 {
		t.Errorf("%d chunk POSTs, want 4: none after the stall", posts)
	}
}

// stallAfter is a Progress that stops the clock-world for 301 s once n
// chunks have been saved, as a laptop asleep between two chunks.
type stallAfter struct {
	n, seen int
	clock   *authtest.Clock
}

func (s *stallAfter) Start(string, int64) {}
func (s *stallAfter) Done()               {}
func (s *stallAfter) Add(string, int64) {
	if s.seen++; s.seen == s.n {
		s.clock.Advance(301 * time.Second)
	}
}

// The answer to the last chunk is lost; the retry finds the upload closed
// (code 20) because Layman assembled everything: that is success.
func TestLostAnswerToLastChunk(t *testing.T) {
	generations(t, func(t *testing.T, gen int) {
		e, _ := newClockEnv(t, gen)
		var n atomic.Int64
		e.srv.SetFault(func(r *http.Request) laymantest.Fault {
			if isChunkPost(r) && n.Add(1) == 1 {
				return laymantest.Fault{LoseAnswer: true}
			}
			return laymantest.Fault{}
		})
		e.up.Threshold = 1
		p := randomFile(t, t.TempDir(), "small.geojson", 1000) // one chunk
		res, err := e.up.Publish(testContext(t), LayerParams{Workspace: "alice", Files: []string{p}})
		if err != nil {
			t.Fatalf("Publish: %v", err)
		}
		e.assertStored(t, res.Ref, p)
	})
}

// A chunk whose answer was lost is not sent again when the server has it:
// on master a re-sent one-chunk file is appended to itself.
func TestLostAnswerNotResent(t *testing.T) {
	e, _ := newClockEnv(t, 3)
	e.up.Threshold = 1
	dir := t.TempDir()
	files := []string{randomFile(t, dir, "r.shp", 200*KiB), randomFile(t, dir, "r.shx", 100), randomFile(t, dir, "r.dbf", 100), randomFile(t, dir, "r.prj", 100)}
	e.srv.SetFault(func(r *http.Request) laymantest.Fault {
		if isChunkPost(r) && chunkPosts(e) == 4 { // r.shx, after the 4 chunks of r.shp
			return laymantest.Fault{LoseAnswer: true}
		}
		return laymantest.Fault{}
	})
	res, err := e.up.Publish(testContext(t), LayerParams{Workspace: "alice", Files: files})
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if posts := chunkPosts(e); posts != 7 {
		t.Errorf("%d chunk POSTs, want 7 (none repeated)", posts)
	}
	e.assertStored(t, res.Ref, files...)
}

// The advice after a dropped upload works: Layman refuses a chunked update
// of that layer with HTTP 500 (checked on real master), so the update goes
// in one request.
func TestUpdateAfterDroppedUpload(t *testing.T) {
	e, clock := newClockEnv(t, 3)
	e.up.Threshold = 1
	e.up.Progress = &stallAfter{n: 2, clock: clock}
	p := randomFile(t, t.TempDir(), "ortho.tif", 512*KiB)
	ctx := testContext(t)
	_, err := e.up.Publish(ctx, LayerParams{Workspace: "alice", Name: "ortho", Files: []string{p}})
	var de *DroppedError
	if !errors.As(err, &de) {
		t.Fatalf("Publish = %v, want a dropped upload", err)
	}
	e.up.Progress = nil
	res, err := e.up.Update(ctx, de.Ref, LayerParams{Files: de.Files})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if res.Chunked || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "one request") {
		t.Errorf("update: chunked %v, warnings %q", res.Chunked, res.Warnings)
	}
	e.assertStored(t, res.Ref, p)
}
