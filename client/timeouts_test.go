package client

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A chunk whose body stops moving (the server reads nothing) is aborted
// with a TimeoutError naming the server, and retried: the second attempt,
// served, succeeds.
func TestStalledChunkIsAbortedAndRetried(t *testing.T) {
	var attempts atomic.Int32
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if attempts.Add(1) == 1 {
			<-release // reads nothing: the client's writes stall
			return
		}
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{}`)
	}))
	defer srv.Close()
	defer close(release) // before Close, which waits for the handler
	tt := Timeouts{Connect: 5 * time.Second, TLS: 5 * time.Second, ResponseHeader: 30 * time.Second, Progress: 2 * time.Second, Request: time.Minute}
	c, err := New(srv.URL, WithHTTPClient(&http.Client{Transport: TimeoutTransport(nil, tt)}), WithGeneration(Gen3),
		WithRetryPolicy(RetryPolicy{MaxAttempts: 2}))
	if err != nil {
		t.Fatal(err)
	}
	chunk := bytes.Repeat([]byte("x"), 32<<20) // more than the socket buffers hold
	req, err := c.NewRequest(context.Background(), http.MethodPut, "rest/chunk", bytes.NewReader(chunk))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Do(req, nil); err != nil {
		t.Fatalf("after a retry: %v", err)
	}
	if n := attempts.Load(); n != 2 {
		t.Errorf("%d attempts, want 2", n)
	}
}

// A server that never answers the header: the error names the server and
// the limit, and is not the caller's cancellation.
func TestTimeoutErrorNamesServerAndLimit(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	tt := Timeouts{Connect: time.Second, TLS: time.Second, ResponseHeader: 200 * time.Millisecond, Progress: time.Second, Request: time.Minute}
	hc := &http.Client{Transport: TimeoutTransport(nil, tt)}
	_, err := hc.Get(srv.URL)
	var te *TimeoutError
	if !errors.As(err, &te) || te.Origin != OriginOf(srv.URL) || !strings.Contains(err.Error(), "no response header within 200ms") {
		t.Fatalf("err = %v", err)
	}
	if !IsNetworkError(err) {
		t.Error("a timeout is not retried like a network failure")
	}
}

// A big body on a slow link keeps moving: it is not killed for taking
// longer in all than the progress limit.
func TestSlowBodyThatKeepsMovingIsNotKilled(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := make([]byte, 64<<10)
		for {
			time.Sleep(5 * time.Millisecond)
			if _, err := r.Body.Read(buf); err != nil {
				break
			}
		}
		_, _ = io.WriteString(w, "ok")
	}))
	defer srv.Close()
	// A whole transfer takes several times Progress; no pause comes near it.
	tt := Timeouts{Connect: 5 * time.Second, TLS: 5 * time.Second, ResponseHeader: 30 * time.Second, Progress: 2 * time.Second, Request: 2 * time.Second}
	hc := &http.Client{Transport: TimeoutTransport(nil, tt)}
	body := bytes.Repeat([]byte("y"), 24<<20)
	resp, err := hc.Post(srv.URL, "application/octet-stream", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("slow but moving upload killed: %v", err)
	}
	resp.Body.Close()
}

// A server that takes the connection but never answers the TLS handshake
// (an http:// server given as https://, busy): the error says so, whichever
// of the transport's handshake timeout and the watchdog ends it first.
func TestStalledTLSHandshakeIsNamed(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { _, _ = io.Copy(io.Discard, conn); conn.Close() }()
		}
	}()
	base := &http.Transport{TLSHandshakeTimeout: 100 * time.Millisecond}
	tt := Timeouts{Connect: time.Hour, TLS: time.Hour, ResponseHeader: time.Hour, Progress: time.Hour, Request: time.Hour}
	_, err = (&http.Client{Transport: TimeoutTransport(base, tt)}).Get("https://" + ln.Addr().String())
	if err == nil || !strings.Contains(err.Error(), "no TLS handshake") {
		t.Fatalf("err = %v, want it to say no TLS handshake", err)
	}
}
