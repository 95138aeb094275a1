package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestNewRejectsBadURLs(t *testing.T) {
	for _, u := range []string{"", "example.com", "ftp://example.com", "http://", "::"} {
		if _, err := New(u); err == nil {
			t.Errorf("%q accepted", u)
		}
	}
	c, err := New("https://example.com/layman?x=1")
	if err != nil || c.BaseURL().String() != "https://example.com/layman/" {
		t.Errorf("base URL %v, %v", c.BaseURL(), err)
	}
}

func TestNewRequestStaysUnderBaseURL(t *testing.T) {
	c, err := New("https://example.com/prefix", WithUserAgent("laymanctl/1.2.3"))
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		"rest/layers?limit=1":                "https://example.com/prefix/rest/layers?limit=1",
		"/rest/layers":                       "https://example.com/prefix/rest/layers",
		"https://example.com/prefix/rest/x":  "https://example.com/prefix/rest/x",
		"rest/workspaces/ws/layers/a%20b/id": "https://example.com/prefix/rest/workspaces/ws/layers/a%20b/id",
	} {
		req, err := c.NewRequest(context.Background(), http.MethodGet, path, nil)
		if err != nil || req.URL.String() != want {
			t.Errorf("%q: %v, %v; want %s", path, req.URL, err, want)
			continue
		}
		if ua := req.Header.Get("User-Agent"); ua != "laymanctl/1.2.3" {
			t.Errorf("User-Agent %q", ua)
		}
	}
	for _, path := range []string{"https://evil.example/rest/layers", "https://example.com/other/rest"} {
		if _, err := c.NewRequest(context.Background(), http.MethodGet, path, nil); err == nil {
			t.Errorf("%q accepted", path)
		}
	}
	if def, _ := New("http://h"); def.userAgent != DefaultUserAgent || DefaultUserAgent != "laymanctl/dev" {
		t.Errorf("default user agent %q", def.userAgent)
	}
}

func TestNewRequestReplayableBodies(t *testing.T) {
	c, _ := New("http://127.0.0.1/")
	f, err := os.Create(filepath.Join(t.TempDir(), "body"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fmt.Fprint(f, "skip-file body")
	if _, err := f.Seek(5, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]io.Reader{
		"string": strings.NewReader("file body"),
		"bytes":  bytes.NewBufferString("file body"),
		"file":   f,
	} {
		req, err := c.NewRequest(context.Background(), http.MethodPut, "rest/x", body)
		if err != nil {
			t.Fatal(err)
		}
		if req.GetBody == nil || req.ContentLength != 9 {
			t.Fatalf("%s: GetBody %v, length %d", name, req.GetBody != nil, req.ContentLength)
		}
		for range 2 {
			rc, err := req.GetBody()
			if err != nil {
				t.Fatal(err)
			}
			if b, _ := io.ReadAll(rc); string(b) != "file body" {
				t.Errorf("%s: replayed %q", name, b)
			}
		}
	}
}

func TestDoDecodesAndCopies(t *testing.T) {
	ts := newTestServer(t)
	ts.json("GET /rest/roles", 200, `["EVERYONE","ROLE_A"]`)
	ts.json("DELETE /rest/current-user", 200, ``)
	ctx := ctxT(t)
	req, _ := ts.client.NewRequest(ctx, http.MethodGet, "/rest/roles", nil)
	var roles []string
	if resp, err := ts.client.Do(req, &roles); err != nil || resp.StatusCode != 200 || len(roles) != 2 {
		t.Fatalf("decode: %v %v", roles, err)
	}
	req, _ = ts.client.NewRequest(ctx, http.MethodGet, "rest/roles", nil)
	var buf bytes.Buffer
	if _, err := ts.client.Do(req, &buf); err != nil || buf.String() != `["EVERYONE","ROLE_A"]` {
		t.Fatalf("copy: %q %v", buf.String(), err)
	}
	req, _ = ts.client.NewRequest(ctx, http.MethodDelete, "rest/current-user", nil)
	var v map[string]any
	if _, err := ts.client.Do(req, &v); err != nil {
		t.Fatalf("empty body: %v", err)
	}
}

func TestLaymanErrorDecoded(t *testing.T) {
	ts := newTestServer(t)
	ts.json("GET /rest/layers/{uuid}", 404, `{"code":15,"message":"Layer was not found","detail":"layer uuid `+uuid1+`"}`)
	_, err := ts.gen(Gen3).Layers.Get(ctxT(t), Ref{UUID: uuid1})
	var le *LaymanError
	if !errors.As(err, &le) || le.Code != CodeLayerNotFound || le.StatusCode != 404 || le.Response == nil {
		t.Fatalf("err = %#v", err)
	}
	if want := "Layman error 15 (HTTP 404): Layer was not found: layer uuid " + uuid1; err.Error() != want {
		t.Errorf("message %q, want %q", err.Error(), want)
	}
	if !IsNotFound(err) {
		t.Error("IsNotFound false")
	}
	// A Layman 404 is an answer about the publication, not about the URL
	// scheme: no version probe happens.
	ts.expectRequests("GET /prefix/rest/layers/" + uuid1)
}

func TestHTMLErrorPageSummarised(t *testing.T) {
	ts := newTestServer(t, WithRetryPolicy(RetryPolicy{MaxAttempts: 1}))
	ts.handle("GET /rest/roles", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprint(w, "<html>\n<head><title>502 Bad Gateway</title></head>\n<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>")
	})
	_, err := ts.client.Roles.List(ctxT(t))
	var he *HTTPError
	if !errors.As(err, &he) || he.StatusCode != 502 {
		t.Fatalf("err = %#v", err)
	}
	if err.Error() != "HTTP 502 Bad Gateway: 502 Bad Gateway" {
		t.Errorf("message %q", err.Error())
	}
	ts.expectRequests("GET /prefix/rest/roles")
}

// recordSleeps replaces the client's sleep so waits are seen, not spent.
func recordSleeps(c *Client) *[]time.Duration {
	var mu sync.Mutex
	waits := new([]time.Duration)
	c.sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		defer mu.Unlock()
		*waits = append(*waits, d)
		return ctx.Err()
	}
	return waits
}

// failing answers the first n requests with status, then succeeds.
func failing(n, status int, header http.Header, body string) http.HandlerFunc {
	var mu sync.Mutex
	calls := 0
	return func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		fail := calls <= n
		mu.Unlock()
		got, _ := io.ReadAll(r.Body)
		if fail {
			for k, v := range header {
				w.Header()[k] = v
			}
			w.WriteHeader(status)
			return
		}
		jsonAnswer(200, fmt.Sprintf(`{"body":%q}`, got))(w, r)
	}
}

func TestRetriesIdempotentRequests(t *testing.T) {
	for _, status := range []int{502, 503, 504} {
		ts := newTestServer(t)
		ts.handle("GET /rest/current-user", failing(2, status, nil, ""))
		waits := recordSleeps(ts.client)
		if _, err := ts.client.CurrentUser.Get(ctxT(t)); err != nil {
			t.Fatalf("%d: %v", status, err)
		}
		if len(ts.got()) != 3 || len(*waits) != 2 {
			t.Errorf("%d: %d requests, %d waits", status, len(ts.got()), len(*waits))
		}
		for _, w := range *waits {
			if w < 0 || w > fastRetries.MaxDelay {
				t.Errorf("wait %v outside [0, %v]", w, fastRetries.MaxDelay)
			}
		}
	}
}

func TestRetryGivesUpAfterMaxAttempts(t *testing.T) {
	ts := newTestServer(t)
	ts.handle("GET /rest/roles", failing(10, 503, nil, ""))
	recordSleeps(ts.client)
	_, err := ts.client.Roles.List(ctxT(t))
	var he *HTTPError
	if !errors.As(err, &he) || he.StatusCode != 503 {
		t.Fatalf("err = %v", err)
	}
	if n := len(ts.got()); n != fastRetries.MaxAttempts {
		t.Errorf("%d requests, want %d", n, fastRetries.MaxAttempts)
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	policy := RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Hour}
	date := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	for _, tt := range []struct {
		header   string
		min, max time.Duration
	}{
		{"7", 7 * time.Second, 7 * time.Second},
		{date, 80 * time.Second, 91 * time.Second},
	} {
		ts := newTestServer(t, WithRetryPolicy(policy))
		ts.handle("GET /rest/current-user", failing(1, 503, http.Header{"Retry-After": {tt.header}}, ""))
		waits := recordSleeps(ts.client)
		if _, err := ts.client.CurrentUser.Get(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		if len(*waits) != 1 || (*waits)[0] < tt.min || (*waits)[0] > tt.max {
			t.Errorf("Retry-After %q: waited %v", tt.header, *waits)
		}
	}
	// A huge Retry-After is capped by MaxDelay.
	ts := newTestServer(t, WithRetryPolicy(RetryPolicy{MaxAttempts: 2, MaxDelay: 3 * time.Second}))
	ts.handle("GET /rest/current-user", failing(1, 503, http.Header{"Retry-After": {"86400"}}, ""))
	waits := recordSleeps(ts.client)
	if _, err := ts.client.CurrentUser.Get(ctxT(t)); err != nil || len(*waits) != 1 || (*waits)[0] != 3*time.Second {
		t.Errorf("capped wait %v, %v", *waits, err)
	}
}

func TestNoRetryForPOST(t *testing.T) {
	ts := newTestServer(t)
	ts.handle("POST /rest/layers", failing(1, 503, nil, ""))
	recordSleeps(ts.client)
	req, _ := ts.client.NewRequest(ctxT(t), http.MethodPost, "rest/layers", strings.NewReader("a=1"))
	_, err := ts.client.Do(req, nil)
	var he *HTTPError
	if !errors.As(err, &he) || he.StatusCode != 503 {
		t.Fatalf("err = %v", err)
	}
	ts.expectRequests("POST /prefix/rest/layers")
}

// A connection dropped before any answer is retried for idempotent requests.
func TestRetryOnConnectionError(t *testing.T) {
	ts := newTestServer(t)
	var mu sync.Mutex
	dropped := false
	ts.handle("PUT /rest/thing", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		drop := !dropped
		dropped = true
		mu.Unlock()
		if drop {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		b, _ := io.ReadAll(r.Body)
		jsonAnswer(200, fmt.Sprintf(`{"body":%q}`, b))(w, r)
	})
	recordSleeps(ts.client)
	req, _ := ts.client.NewRequest(ctxT(t), http.MethodPut, "rest/thing", bytes.NewReader([]byte("payload")))
	var got struct{ Body string }
	if _, err := ts.client.Do(req, &got); err != nil {
		t.Fatal(err)
	}
	if got.Body != "payload" || len(ts.got()) != 2 {
		t.Errorf("body %q after %d requests", got.Body, len(ts.got()))
	}
}

func TestNoRetryWhenContextDone(t *testing.T) {
	ts := newTestServer(t)
	ts.handle("GET /rest/roles", failing(10, 503, nil, ""))
	ctx, cancel := context.WithCancel(ctxT(t))
	ts.client.sleep = func(context.Context, time.Duration) error {
		cancel()
		return context.Canceled
	}
	_, err := ts.client.Roles.List(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	ts.expectRequests("GET /prefix/rest/roles")
}

// A server that never answered and refuses connections is a wrong
// address: the error comes at once. One that answered before and refuses
// now is restarting: the policy retries.
func TestConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c, _ := New("http://"+addr+"/", WithRetryPolicy(fastRetries))
	waits := recordSleeps(c)
	if _, err := c.Roles.List(ctxT(t)); err == nil {
		t.Fatal("no error")
	}
	if len(*waits) != 0 {
		t.Errorf("%d waits before the server ever answered, want none", len(*waits))
	}

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte("[]"))
	}))
	c, _ = New(srv.URL+"/", WithRetryPolicy(fastRetries))
	waits = recordSleeps(c)
	if _, err := c.Roles.List(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	if _, err := c.Roles.List(ctxT(t)); err == nil {
		t.Fatal("no error from a closed server")
	}
	if len(*waits) != fastRetries.MaxAttempts-1 {
		t.Errorf("%d waits after the server went away, want %d", len(*waits), fastRetries.MaxAttempts-1)
	}
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"0": 0, "120": 2 * time.Minute, "Thu, 01 Jan 2026 00:00:30 GMT": 30 * time.Second, "Wed, 31 Dec 2025 00:00:00 GMT": 0,
	} {
		if d, ok := retryAfter(v, now); !ok || d != want {
			t.Errorf("%q: %v %v, want %v", v, d, ok, want)
		}
	}
	for _, v := range []string{"", "-1", "soon"} {
		if _, ok := retryAfter(v, now); ok {
			t.Errorf("%q accepted", v)
		}
	}
}

type failingTransport struct{ err error }

func (f failingTransport) RoundTrip(*http.Request) (*http.Response, error) { return nil, f.err }

// An error raised by a wrapping transport (the auth layer saying a login is
// required) is final: retrying it only delays the exit code.
func TestNoRetryForTransportErrors(t *testing.T) {
	loginRequired := errors.New("the stored session has expired; run `laymanctl auth login`")
	c, _ := New("http://127.0.0.1:1/", WithRetryPolicy(fastRetries),
		WithHTTPClient(&http.Client{Transport: failingTransport{loginRequired}}))
	waits := recordSleeps(c)
	if _, err := c.Roles.List(ctxT(t)); !errors.Is(err, loginRequired) {
		t.Fatalf("err = %v", err)
	}
	if len(*waits) != 0 {
		t.Errorf("retried %d times", len(*waits))
	}
}

// Every idempotent read, the wait poll's GET of the publication included,
// has the budget of upload chunks (DefaultChunkRetry is this policy): 7 failures in a row (503s and dropped
// connections) are outlasted.
func TestReadsShareTheChunkBudget(t *testing.T) {
	ts := newTestServer(t, WithRetryPolicy(DefaultRetryPolicy))
	var mu sync.Mutex
	calls := 0
	ts.handle("GET /rest/layers/{uuid}", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		switch {
		case n <= 4:
			w.WriteHeader(http.StatusServiceUnavailable)
		case n <= 7:
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close()
			}
		default:
			jsonAnswer(200, `{"layman_metadata":{"publication_status":"COMPLETE"}}`)(w, r)
		}
	})
	recordSleeps(ts.client)
	var got map[string]any
	if err := ts.client.GetJSON(ctxT(t), "/rest/layers/"+uuid1, &got); err != nil {
		t.Fatalf("after 7 failures: %v", err)
	}
	// (net/http itself may resend once on a connection dropped at reuse.)
	if calls != 8 {
		t.Errorf("%d requests reached the server, want 8", calls)
	}
}
