package upload

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/laymanctl/laymanctl/auth"
	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/client/laymantest"
	"golang.org/x/oauth2"
)

// rotatingTokens is a TokenSource that hands out tok1 until the server
// rejects it, then tok2; it counts refreshes.
type rotatingTokens struct {
	mu        sync.Mutex
	current   string
	refreshes int
}

func (r *rotatingTokens) Token(context.Context) (*oauth2.Token, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return &oauth2.Token{AccessToken: r.current}, nil
}

func (r *rotatingTokens) ForceRefresh(_ context.Context, stale string) (*oauth2.Token, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if stale == r.current {
		r.refreshes++
		r.current = fmt.Sprintf("tok%d", r.refreshes+1)
	}
	return &oauth2.Token{AccessToken: r.current}, nil
}

type env struct {
	srv    *laymantest.Server
	client *client.Client
	up     *Uploader
	tokens *rotatingTokens
}

// fastRetry keeps fault tests quick; the policy's shape is what is tested.
var fastRetry = client.RetryPolicy{MaxAttempts: 8, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}

func newEnv(t *testing.T, gen int) *env {
	t.Helper()
	return newEnvWith(t, laymantest.Options{Generation: gen})
}

// newEnvWith is newEnv on a fake configured by o; alice's tokens and no
// processing delay are added.
func newEnvWith(t *testing.T, o laymantest.Options) *env {
	t.Helper()
	o.Validator = laymantest.StaticTokens{"tok1": {Username: "alice"}, "tok2": {Username: "alice"}, "tok3": {Username: "alice"}}
	if o.ProcessingPolls == 0 {
		o.ProcessingPolls = -1
	}
	srv := laymantest.New(t, o)
	srv.AddUser("alice")
	tokens := &rotatingTokens{current: "tok1"}
	c, err := client.New(srv.URL, client.WithHTTPClient(&http.Client{Transport: auth.Transport(srv.URL, tokens, nil)}))
	if err != nil {
		t.Fatal(err)
	}
	return &env{srv: srv, client: c, tokens: tokens, up: &Uploader{Client: c, Retry: fastRetry}}
}

func generations(t *testing.T, fn func(t *testing.T, gen int)) {
	for _, gen := range []int{2, 3} {
		t.Run(fmt.Sprintf("gen%d", gen), func(t *testing.T) { fn(t, gen) })
	}
}

// randomFile writes size pseudo-random bytes (seeded by name) to dir/name,
// as a valid GeoJSON document for a .geojson name.
func randomFile(t testing.TB, dir, name string, size int64) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if ext(name) == ".geojson" {
		if err := os.WriteFile(p, laymantest.GeoJSON(int(size), uint64(len(name))), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var seed [32]byte
	copy(seed[:], name)
	if _, err := io.CopyN(f, rand.NewChaCha8(seed), size); err != nil {
		t.Fatal(err)
	}
	return p
}

// assertStored waits for processing (the server assembles chunks
// asynchronously, like Layman) and checks it holds every file byte for byte.
func (e *env) assertStored(t *testing.T, ref client.Ref, paths ...string) {
	t.Helper()
	st, err := Wait(testContext(t), e.client, ref, KindLayer, nil)
	if err != nil || st.Publication != client.StatusComplete {
		t.Fatalf("Wait = %+v, %v", st, err)
	}
	for _, p := range paths {
		got, ok := e.srv.FileSHA256(ref.UUID, filepath.Base(p))
		if !ok {
			t.Errorf("server has no file %s", filepath.Base(p))
			continue
		}
		if want := laymantest.SHA256File(t, p); got != want {
			t.Errorf("%s: server sha256 %s, local %s", filepath.Base(p), got, want)
		}
	}
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func TestPublishRoundTrips(t *testing.T) {
	generations(t, func(t *testing.T, gen int) {
		dir := t.TempDir()
		shpDir := t.TempDir()
		zipPath := filepath.Join(dir, "parcels.zip")
		writeZip(t, zipPath, "parcels.shp", "parcels.shx", "parcels.dbf", "parcels.prj")
		cases := []struct {
			name  string
			files []string
			regex string
		}{
			{"geojson", []string{randomFile(t, dir, "roads.geojson", 3000)}, ""},
			{"shapefile", []string{
				randomFile(t, shpDir, "rivers.shp", 5000), randomFile(t, shpDir, "rivers.shx", 300),
				randomFile(t, shpDir, "rivers.dbf", 900), randomFile(t, shpDir, "rivers.prj", 100),
			}, ""},
			{"geotiff", []string{randomFile(t, dir, "dem.tif", 70000), randomFile(t, dir, "dem.tfw", 80)}, ""},
			{"zip", []string{zipPath}, ""},
			{"timeseries", []string{randomFile(t, dir, "s2_20200101.tif", 40000), randomFile(t, dir, "s2_20200102.tif", 41000)}, `[0-9]{8}`},
		}
		for _, tc := range cases {
			for _, chunked := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/chunked=%v", tc.name, chunked), func(t *testing.T) {
					e := newEnv(t, gen)
					if chunked {
						e.up.Threshold = 1
						e.up.ChunkSize = 1024 // several chunks per file
					}
					ctx := testContext(t)
					res, err := e.up.Publish(ctx, LayerParams{Workspace: "alice", Files: tc.files, TimeRegex: tc.regex, Title: "T " + tc.name})
					if err != nil {
						t.Fatalf("Publish: %v", err)
					}
					if res.Chunked != chunked {
						t.Errorf("Chunked = %v", res.Chunked)
					}
					if chunked && e.srv.ChunkRequests(res.Ref.UUID) == 0 {
						t.Error("no chunk reached the server")
					}
					if !chunked && e.srv.CountRequests("", "/rest/") != 2 { // version probe + POST
						t.Errorf("a small upload made %d requests, want the probe and one POST", e.srv.CountRequests("", "/rest/"))
					}
					e.assertStored(t, res.Ref, tc.files...)
				})
			}
		}
	})
}

func TestUpdateReplacesFileAndMetadata(t *testing.T) {
	generations(t, func(t *testing.T, gen int) {
		e := newEnv(t, gen)
		ctx := testContext(t)
		dir := t.TempDir()
		res, err := e.up.Publish(ctx, LayerParams{Workspace: "alice", Name: "roads", Files: []string{randomFile(t, dir, "a.geojson", 200)}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Wait(ctx, e.client, res.Ref, KindLayer, nil); err != nil {
			t.Fatal(err)
		}
		e.up.Threshold, e.up.ChunkSize = 1, 4096
		newer := randomFile(t, dir, "b.geojson", 50_000)
		ref := client.Ref{Workspace: "alice", Name: "roads"}
		upd, err := e.up.Update(ctx, ref, LayerParams{Title: "Roads 2", Files: []string{newer}})
		if err != nil {
			t.Fatalf("Update: %v", err)
		}
		if upd.Ref.UUID != res.Ref.UUID || !upd.Chunked {
			t.Errorf("Update result = %+v", upd)
		}
		e.assertStored(t, upd.Ref, newer)
		info, _ := e.srv.Publication(res.Ref.UUID)
		if info.Title != "Roads 2" {
			t.Errorf("title = %q", info.Title)
		}
	})
}

// countingProgress sums what Progress hears.
type countingProgress struct {
	mu           sync.Mutex
	started, add int64
	done         int
}

func (c *countingProgress) Start(_ string, size int64) { c.mu.Lock(); c.started += size; c.mu.Unlock() }
func (c *countingProgress) Add(_ string, n int64)      { c.mu.Lock(); c.add += n; c.mu.Unlock() }
func (c *countingProgress) Done()                      { c.mu.Lock(); c.done++; c.mu.Unlock() }

func TestLargeFileInParallelChunks(t *testing.T) {
	e := newEnv(t, 3)
	e.up.Parallel = 4
	progress := &countingProgress{}
	e.up.Progress = progress
	big := randomFile(t, t.TempDir(), "big.geojson", 50*MiB)
	res, err := e.up.Publish(testContext(t), LayerParams{Workspace: "alice", Files: []string{big}})
	if err != nil {
		t.Fatal(err)
	}
	if res.ChunksSent != 50 || e.srv.ChunkRequests(res.Ref.UUID) != 50 {
		t.Errorf("sent %d chunks, server counted %d; want 50", res.ChunksSent, e.srv.ChunkRequests(res.Ref.UUID))
	}
	if progress.started != 50*MiB || progress.add != 50*MiB || progress.done != 1 {
		t.Errorf("progress heard %+v, want 50 MiB started and added, one Done", progress)
	}
	e.assertStored(t, res.Ref, big)
}

// A requested chunk size that would need more than 999 chunks is raised
// (to 64 KiB multiples). The same rule applies to a 1.1 GiB file at the
// default 1 MiB (see TestChunkSizeFor); here a small file and a 1 KiB
// request keep the test cheap.
func TestChunkSizeRaisedBeyond999Chunks(t *testing.T) {
	e := newEnv(t, 3)
	e.up.Threshold, e.up.ChunkSize = 1, 1024
	p := randomFile(t, t.TempDir(), "dem.tif", 999*1024+1)
	res, err := e.up.Publish(testContext(t), LayerParams{Workspace: "alice", Files: []string{p}})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.srv.ChunkRequests(res.Ref.UUID); got != 16 {
		t.Errorf("server got %d chunks, want 16 of 64 KiB", got)
	}
	e.assertStored(t, res.Ref, p)
}

// The case users hit: a file of more than 999 MiB at the default chunk size
// of 1 MiB (Layman refuses a 1000th chunk). A sparse file costs no disk to
// read; the fake stores what it receives.
func TestDefaultChunkSizeRaisedForAGigabyte(t *testing.T) {
	e := newEnv(t, 3)
	p := filepath.Join(t.TempDir(), "mosaic.tif")
	const size = 1000*MiB + 1
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(p, size); err != nil {
		t.Fatal(err)
	}
	res, err := e.up.Publish(testContext(t), LayerParams{Workspace: "alice", Files: []string{p}})
	if err != nil {
		t.Fatal(err)
	}
	chunk := ChunkSizeFor(DefaultChunkSize, size)
	want := int((size + chunk - 1) / chunk)
	if got := e.srv.ChunkRequests(res.Ref.UUID); got != want || want > MaxChunks {
		t.Errorf("server got %d chunks, want %d of %s (at most %d)", got, want, FormatSize(chunk), MaxChunks)
	}
	e.assertStored(t, res.Ref, p)
}

func isChunkPost(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/chunk")
}

func TestChunksSurviveFaults(t *testing.T) {
	generations(t, func(t *testing.T, gen int) {
		e := newEnv(t, gen)
		e.up.ChunkSize = 64 * KiB
		var n, injected atomic.Int64
		var faults503, drops atomic.Int64
		e.srv.SetFault(func(r *http.Request) laymantest.Fault {
			if !isChunkPost(r) {
				return laymantest.Fault{}
			}
			k := n.Add(1)
			// Fewer faults in all than a chunk has attempts: spread over
			// the parallel workers at random, more could all hit one
			// chunk, which would then fail, as the policy says it must.
			if k%5 != 0 && k%7 != 0 || injected.Add(1) >= int64(fastRetry.MaxAttempts) {
				return laymantest.Fault{}
			}
			if k%5 == 0 {
				faults503.Add(1)
				return laymantest.Fault{Status: http.StatusServiceUnavailable, Body: "<html><title>503 Service Unavailable</title></html>"}
			}
			drops.Add(1)
			return laymantest.Fault{Drop: true}
		})
		p := randomFile(t, t.TempDir(), "ortho.tif", 4*MiB+123)
		res, err := e.up.Publish(testContext(t), LayerParams{Workspace: "alice", Files: []string{p}})
		if err != nil {
			t.Fatalf("Publish: %v", err)
		}
		if faults503.Load() == 0 || drops.Load() == 0 {
			t.Fatalf("faults injected: %d 503, %d drops", faults503.Load(), drops.Load())
		}
		e.assertStored(t, res.Ref, p)
	})
}

func TestTokenExpiresMidUpload(t *testing.T) {
	e := newEnv(t, 3)
	e.up.ChunkSize = 64 * KiB
	var n atomic.Int64
	e.srv.SetFault(func(r *http.Request) laymantest.Fault {
		if isChunkPost(r) && n.Add(1) == 20 {
			e.srv.SetTokenInvalid("tok1")
		}
		return laymantest.Fault{}
	})
	p := randomFile(t, t.TempDir(), "ortho.tif", 4*MiB)
	res, err := e.up.Publish(testContext(t), LayerParams{Workspace: "alice", Files: []string{p}})
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if e.tokens.refreshes != 1 {
		t.Errorf("%d refreshes, want 1", e.tokens.refreshes)
	}
	rejected := 0
	for _, r := range e.srv.Requests() {
		if r.Status == http.StatusForbidden {
			rejected++
		}
	}
	if rejected == 0 {
		t.Error("the server never rejected the expired token")
	}
	e.assertStored(t, res.Ref, p)
}

func TestInterruptThenResume(t *testing.T) {
	generations(t, func(t *testing.T, gen int) {
		e := newEnv(t, gen)
		e.up.ChunkSize = 64 * KiB
		dir := t.TempDir()
		a := randomFile(t, dir, "my tile.tif", 2*MiB)
		w := randomFile(t, dir, "my tile.tfw", 100)
		const total = 32 + 1
		ctx, cancel := context.WithCancel(testContext(t))
		var n atomic.Int64
		e.srv.SetFault(func(r *http.Request) laymantest.Fault {
			if isChunkPost(r) && n.Add(1) == total/2 {
				cancel()
			}
			return laymantest.Fault{}
		})
		_, err := e.up.Publish(ctx, LayerParams{Workspace: "alice", Name: "tiles", Files: []string{a, w}})
		var ie *InterruptedError
		if !errors.As(err, &ie) {
			t.Fatalf("err = %v, want *InterruptedError", err)
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cause = %v, want context.Canceled", ie.Cause)
		}
		wantRef := ie.Ref.UUID
		if gen == 2 {
			wantRef = "alice:tiles"
		}
		want := fmt.Sprintf("laymanctl layers resume %s --chunk-size 64KiB '%s' '%s'", wantRef, a, w)
		if got := ie.ResumeCommand(); got != want {
			t.Errorf("ResumeCommand() = %s\nwant %s", got, want)
		}
		// Requests of the cancelled publish may still reach the server, so
		// the resume's chunks are told apart by a header.
		var resumed atomic.Int64
		e.srv.SetFault(func(r *http.Request) laymantest.Fault {
			if isChunkPost(r) && r.Header.Get("X-Test-Phase") == "resume" {
				resumed.Add(1)
			}
			return laymantest.Fault{}
		})
		c, err := client.New(e.srv.URL, client.WithHTTPClient(&http.Client{Transport: phaseTransport{auth.Transport(e.srv.URL, e.tokens, nil)}}))
		if err != nil {
			t.Fatal(err)
		}
		resumer := *e.up
		resumer.Client = c
		ref, err := client.ParseRef(wantRef)
		if err != nil {
			t.Fatal(err)
		}
		res, err := resumer.Resume(testContext(t), ref, ie.Files)
		if err != nil {
			t.Fatalf("Resume: %v", err)
		}
		if sent := int(resumed.Load()); sent != res.ChunksSent || res.ChunksSent+res.ChunksPresent != total || res.ChunksPresent == 0 {
			t.Errorf("resume sent %d (server saw %d), found %d present; want present+sent = %d with some present",
				res.ChunksSent, sent, res.ChunksPresent, total)
		}
		e.assertStored(t, ie.Ref, a, w)
	})
}

// phaseTransport tags requests so the fake can tell them from stragglers.
type phaseTransport struct{ base http.RoundTripper }

func (p phaseTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Test-Phase", "resume")
	return p.base.RoundTrip(r)
}

func TestValidationErrorsSendNothing(t *testing.T) {
	e := newEnv(t, 3)
	dir := t.TempDir()
	shp := randomFile(t, dir, "a.shp", 10)
	randomFile(t, dir, "a.shx", 10)
	cases := map[string]func() error{
		"missing file": func() error {
			_, err := e.up.Publish(context.Background(), LayerParams{Workspace: "alice", Files: []string{filepath.Join(dir, "none.geojson")}})
			return err
		},
		"shapefile without dbf": func() error {
			_, err := e.up.Publish(context.Background(), LayerParams{Workspace: "alice", Files: []string{shp, filepath.Join(dir, "a.shx")}})
			return err
		},
		"bad workspace": func() error {
			_, err := e.up.Publish(context.Background(), LayerParams{Workspace: "Bad-Name", Files: []string{shp}})
			return err
		},
		"resume a directory": func() error {
			_, err := e.up.Resume(context.Background(), client.Ref{Workspace: "alice", Name: "a"}, []string{dir})
			return err
		},
		"map not json": func() error {
			_, err := e.up.PublishMap(context.Background(), "alice", shp, MapParams{})
			return err
		},
	}
	for name, fn := range cases {
		var ve *ValidationError
		if err := fn(); !errors.As(err, &ve) {
			t.Errorf("%s: err = %v, want *ValidationError", name, err)
		}
	}
	if reqs := e.srv.Requests(); len(reqs) != 0 {
		t.Errorf("validation failures reached the server: %+v", reqs)
	}
}

func TestWaitReportsIncomplete(t *testing.T) {
	generations(t, func(t *testing.T, gen int) {
		srv := laymantest.New(t, laymantest.Options{Generation: gen, Validator: laymantest.StaticTokens{"tok1": {Username: "alice"}}, ProcessingPolls: 2})
		srv.AddUser("alice")
		c, err := client.New(srv.URL, client.WithHTTPClient(&http.Client{Transport: auth.Transport(srv.URL, &rotatingTokens{current: "tok1"}, nil)}))
		if err != nil {
			t.Fatal(err)
		}
		srv.SetIncomplete("alice:roads", "wms", laymantest.ErrorJSON(53, "GeoServer said no"))
		ctx := testContext(t)
		res, err := (&Uploader{Client: c}).Publish(ctx, LayerParams{Workspace: "alice", Name: "roads", Files: []string{randomFile(t, t.TempDir(), "roads.geojson", 200)}})
		if err != nil {
			t.Fatal(err)
		}
		var seen []string
		st, err := Wait(ctx, c, res.Ref, KindLayer, func(s Status) { seen = append(seen, s.Publication) })
		var ie *IncompleteError
		if !errors.As(err, &ie) {
			t.Fatalf("Wait err = %v, want *IncompleteError", err)
		}
		if st.Publication != client.StatusIncomplete || len(ie.Failed) != 1 || ie.Failed[0].Name != "wms" || !strings.Contains(err.Error(), "GeoServer said no") {
			t.Errorf("status %q, failed %+v, err %q", st.Publication, ie.Failed, err)
		}
		if len(seen) < 2 || seen[0] != client.StatusUpdating {
			t.Errorf("onStatus saw %v, want UPDATING first", seen)
		}
	})
}

func TestPublishAndUpdateMap(t *testing.T) {
	generations(t, func(t *testing.T, gen int) {
		e := newEnv(t, gen)
		ctx := testContext(t)
		p := writeFiles(t, map[string]string{"city.json": `{"describedBy":"https://raw.githubusercontent.com/hslayers/map-compositions/2.0.0/schema.json","schema_version":"2.0.0","name":"city","title":"City","abstract":"","projection":"epsg:3857","extent":[14,50,15,51],"nativeExtent":[1558472.87,6446275.84,1669792.36,6621293.72],"layers":[]}`})["city.json"]
		res, err := e.up.PublishMap(ctx, "alice", p, MapParams{Title: "City map", Read: []string{"EVERYONE"}})
		if err != nil {
			t.Fatalf("PublishMap: %v", err)
		}
		if _, err := Wait(ctx, e.client, res.Ref, KindMap, nil); err != nil {
			t.Fatal(err)
		}
		upd, err := e.up.UpdateMap(ctx, client.Ref{Workspace: "alice", Name: res.Ref.Name}, "", MapParams{Title: "City map 2"})
		if err != nil {
			t.Fatalf("UpdateMap: %v", err)
		}
		info, _ := e.srv.Publication(upd.Ref.UUID)
		if info.Title != "City map 2" || info.Type != "map" {
			t.Errorf("map after update: %+v", info)
		}
	})
}
