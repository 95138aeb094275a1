package client

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"
)

// testServer is a fake Layman mounted under /prefix/, so a client that
// builds absolute paths fails; any request nobody registered fails the test.
type testServer struct {
	t      *testing.T
	mux    *http.ServeMux
	client *Client
	url    string

	mu       sync.Mutex
	requests []string
}

// fastRetries keeps retry tests quick without changing what they check.
var fastRetries = RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}

func newTestServer(t *testing.T, opts ...Option) *testServer {
	t.Helper()
	ts := &testServer{t: t, mux: http.NewServeMux()}
	ts.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected request %s %s", r.Method, r.URL)
		http.Error(w, "unexpected request", http.StatusTeapot)
	})
	outer := http.NewServeMux()
	outer.Handle("/prefix/", http.StripPrefix("/prefix", ts.mux))
	outer.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request outside the base URL: %s %s", r.Method, r.URL)
		http.Error(w, "outside base URL", http.StatusTeapot)
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts.mu.Lock()
		ts.requests = append(ts.requests, r.Method+" "+r.URL.RequestURI())
		ts.mu.Unlock()
		outer.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	ts.url = srv.URL + "/prefix/"
	c, err := New(ts.url, append([]Option{WithRetryPolicy(fastRetries)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	ts.client = c
	return ts
}

// gen returns a client of the server pinned to generation g.
func (ts *testServer) gen(g Generation) *Client {
	ts.t.Helper()
	c, err := New(ts.url, WithRetryPolicy(fastRetries), WithGeneration(g))
	if err != nil {
		ts.t.Fatal(err)
	}
	return c
}

func (ts *testServer) handle(pattern string, h http.HandlerFunc) { ts.mux.HandleFunc(pattern, h) }

func (ts *testServer) json(pattern string, status int, body string) {
	ts.handle(pattern, jsonAnswer(status, body))
}

func (ts *testServer) got() []string {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return slices.Clone(ts.requests)
}

func (ts *testServer) expectRequests(want ...string) {
	ts.t.Helper()
	if got := ts.got(); !slices.Equal(got, want) {
		ts.t.Errorf("requests:\n got  %q\n want %q", got, want)
	}
}

func jsonAnswer(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}
}

func versionAnswer(v string) http.HandlerFunc {
	return jsonAnswer(200, `{"about":{"applications":{"layman":{"version":"`+v+`","release-timestamp":"2024-01-01T00:00:00Z"},"layman-test-client":{"version":"1.0.0"}},"data":{"layman":{"last-schema-migration":"2.0.0-1","last-data-migration":"2.0.0-1"}}}}`)
}

// bare404 is what a server answers for a URL scheme it does not know.
func bare404(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(http.StatusNotFound)
	fmt.Fprint(w, "<!doctype html><html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>")
}

const (
	uuid1 = "0e8d3b5a-1f2c-4d6e-8a9b-0c1d2e3f4a5b"
	uuid2 = "9b2f6c1e-3a4d-4e5f-8071-a2b3c4d5e6f7"
)

func pubJSON(typ, ws, name, uuid string) string {
	return fmt.Sprintf(`{"workspace":%q,"publication_type":%q,"name":%q,"title":"Title of %s","uuid":%q,"url":"http://x/rest/%ss/%s","updated_at":"2024-03-18T09:29:53.769233+00:00","access_rights":{"read":["EVERYONE"],"write":[%q]},"bounding_box":[1.5,2,3,4],"native_crs":"EPSG:4326","native_bounding_box":[0.1,0.2,0.3,0.4],"geodata_type":"vector","wfs_wms_status":"AVAILABLE"}`,
		ws, typ, name, name, uuid, typ, uuid, ws)
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}
