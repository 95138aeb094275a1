package client

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

type memoryGenCache struct {
	mu      sync.Mutex
	entries map[string]cachedGen
	stores  int
	err     error
}

type cachedGen struct {
	g      Generation
	probed time.Time
}

func (m *memoryGenCache) Load(server string) (Generation, time.Time, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[server]
	return e.g, e.probed, ok
}

func (m *memoryGenCache) Store(server string, g Generation, probed time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stores++
	if m.entries == nil {
		m.entries = map[string]cachedGen{}
	}
	m.entries[server] = cachedGen{g, probed}
	return m.err
}

func TestGenerationFromVersion(t *testing.T) {
	for v, want := range map[string]Generation{"3.0.0-dev": Gen3, "2.4.0": Gen2, "v2.0.1": Gen2, "1.23.0": Gen2, "4.1.0": Gen3} {
		if g, err := GenerationFromVersion(v); err != nil || g != want {
			t.Errorf("%q: %v %v", v, g, err)
		}
	}
	for _, v := range []string{"", "dev", "x.1"} {
		if _, err := GenerationFromVersion(v); err == nil {
			t.Errorf("%q accepted", v)
		}
	}
	if Gen2.String() != "2.x" || Gen3.String() != "3.x" {
		t.Errorf("String: %s %s", Gen2, Gen3)
	}
}

func TestGenerationProbedOnceAndStored(t *testing.T) {
	cache := &memoryGenCache{}
	ts := newTestServer(t, WithGenerationCache(cache))
	ts.handle("GET /rest/about/version", versionAnswer("3.0.0-dev"))
	for range 2 {
		if g, err := ts.client.Generation(ctxT(t)); err != nil || g != Gen3 {
			t.Fatalf("%v %v", g, err)
		}
	}
	ts.expectRequests("GET /prefix/rest/about/version")
	e := cache.entries[ts.url]
	if cache.stores != 1 || e.g != Gen3 || time.Since(e.probed) > time.Minute {
		t.Errorf("cache %+v after %d stores", cache.entries, cache.stores)
	}
}

// With a fresh cached generation a generation-dependent call is exactly one
// request: no version probe.
func TestGenerationCacheAvoidsProbe(t *testing.T) {
	cache := &memoryGenCache{}
	ts := newTestServer(t, WithGenerationCache(cache))
	cache.Store(ts.url, Gen3, time.Now().Add(-23*time.Hour))
	ts.json("GET /rest/layers", 200, "[]")
	if _, err := ts.client.Layers.List(ctxT(t), &ListOptions{Workspace: "ws"}); err != nil {
		t.Fatal(err)
	}
	ts.expectRequests("GET /prefix/rest/layers?workspace=ws")
}

func TestStaleCacheIsProbed(t *testing.T) {
	cache := &memoryGenCache{err: errors.New("read-only config")}
	ts := newTestServer(t, WithGenerationCache(cache))
	cache.Store(ts.url, Gen3, time.Now().Add(-25*time.Hour))
	ts.handle("GET /rest/about/version", versionAnswer("2.4.0"))
	ts.json("GET /rest/workspaces/ws/layers", 200, "[]")
	// A cache that cannot be written does not fail the call.
	if _, err := ts.client.Layers.List(ctxT(t), &ListOptions{Workspace: "ws"}); err != nil {
		t.Fatal(err)
	}
	ts.expectRequests("GET /prefix/rest/about/version", "GET /prefix/rest/workspaces/ws/layers")
	if cache.entries[ts.url].g != Gen2 {
		t.Errorf("cache not updated: %+v", cache.entries)
	}
}

// The server was upgraded to 3.x while the cache still says 2.x: the 2.x URL
// answers a bare 404, the client re-probes once, stores 3.x and retries.
func TestBare404Reprobes(t *testing.T) {
	cache := &memoryGenCache{}
	ts := newTestServer(t, WithGenerationCache(cache))
	cache.Store(ts.url, Gen2, time.Now())
	ts.handle("GET /rest/workspaces/ws/layers/roads", bare404)
	ts.handle("GET /rest/about/version", versionAnswer("3.0.0-dev"))
	ts.json("GET /rest/layers", 200, "["+pubJSON("layer", "ws", "roads", uuid1)+"]")
	ts.json("GET /rest/layers/{uuid}", 200, layerDetail)
	l, err := ts.client.Layers.Get(ctxT(t), Ref{Workspace: "ws", Name: "roads"})
	if err != nil {
		t.Fatal(err)
	}
	if l.UUID != uuid1 {
		t.Errorf("layer %+v", l)
	}
	ts.expectRequests(
		"GET /prefix/rest/workspaces/ws/layers/roads",
		"GET /prefix/rest/about/version",
		"GET /prefix/rest/layers?limit=500&workspace=ws",
		"GET /prefix/rest/layers/"+uuid1,
	)
	if cache.entries[ts.url].g != Gen3 {
		t.Errorf("cache %+v", cache.entries)
	}
}

// When the re-probe confirms the generation, the 404 stands and the call is
// not repeated.
func TestBare404SameGenerationNotRetried(t *testing.T) {
	ts := newTestServer(t)
	ts.handle("GET /rest/about/version", versionAnswer("3.0.0"))
	ts.handle("GET /rest/layers/{uuid}", bare404)
	ts.json("GET /rest/layers", 200, "["+pubJSON("layer", "ws", "roads", uuid1)+"]")
	ts.handle("GET /rest/workspaces/ws/layers/roads", bare404)
	_, err := ts.client.Layers.Get(ctxT(t), Ref{UUID: uuid1})
	var he *HTTPError
	if !errors.As(err, &he) || he.StatusCode != 404 {
		t.Fatalf("err = %v", err)
	}
	// Both URL forms of 3.0.0-dev are tried before the probe.
	ts.expectRequests("GET /prefix/rest/about/version", "GET /prefix/rest/layers/"+uuid1,
		"GET /prefix/rest/layers?limit=500", "GET /prefix/rest/workspaces/ws/layers/roads",
		"GET /prefix/rest/about/version")
}

func TestPinnedGenerationNeverProbes(t *testing.T) {
	ts := newTestServer(t)
	ts.handle("GET /rest/layers/{uuid}", bare404)
	ts.json("GET /rest/layers", 200, "["+pubJSON("layer", "ws", "roads", uuid1)+"]")
	ts.handle("GET /rest/workspaces/ws/layers/roads", bare404)
	if _, err := ts.gen(Gen3).Layers.Get(context.Background(), Ref{UUID: uuid1}); err == nil {
		t.Fatal("no error")
	}
	ts.expectRequests("GET /prefix/rest/layers/"+uuid1, "GET /prefix/rest/layers?limit=500",
		"GET /prefix/rest/workspaces/ws/layers/roads")
}
