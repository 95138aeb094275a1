package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/laymanctl/laymanctl/auth/dottest"
)

// slowTokenEndpoint is a proxy to DOT that holds the answer to a refresh
// (already given: DOT has rotated the refresh token) until released.
type slowTokenEndpoint struct {
	*httptest.Server
	// arrived receives DOT's answer to a refresh it holds.
	arrived chan []byte
	release chan struct{}
}

func newSlowTokenEndpoint(t *testing.T, d *dottest.DOT) *slowTokenEndpoint {
	target, err := url.Parse(d.BaseURL)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	e := &slowTokenEndpoint{arrived: make(chan []byte, 1), release: make(chan struct{})}
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if !strings.Contains(string(body), "grant_type=refresh_token") {
			rp.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		// DOT answers the refresh whatever the client does meanwhile.
		rp.ServeHTTP(rec, r.WithContext(context.WithoutCancel(r.Context())))
		select {
		case e.arrived <- rec.Body.Bytes():
		default:
		}
		<-e.release
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	}))
	t.Cleanup(e.Close)
	return e
}

// Ctrl-C while a refresh is in flight: the command completes the refresh
// and saves the rotated refresh token before it exits, so the session
// still works afterwards.
func TestInterruptDuringRefreshKeepsTheSession(t *testing.T) {
	t.Parallel()
	d := sharedPortal.get(t)
	l := newLayman(t, d)
	s := newSandbox(t)
	s.useRobot(dottest.Alice)
	// The login goes through the proxy too: a token set is refreshed only
	// at the endpoint that issued it.
	slow := newSlowTokenEndpoint(t, d)
	login := []string{"auth", "login", "--server", l.URL, "--auth-url", slow.URL + "/o/", "--timeout", "90s"}
	addPrivateLayer(l, wantLoggedIn(t, s.ok("", login...), l))
	s.setStoredExpiry(time.Now().Add(-time.Minute))

	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := s.command(ctx, "", "layers", "list", "-o", "json")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-slow.arrived:
	case <-exited:
		t.Fatalf("the command ended without a refresh at the slow endpoint: exit %d; stderr:\n%s", cmd.ProcessState.ExitCode(), stderr.String())
	case <-ctx.Done():
		t.Fatal("the command never asked for a refresh")
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	// Give the signal time to reach the command before its answer does; a
	// late signal only makes the test weaker, never fail.
	time.Sleep(300 * time.Millisecond)
	close(slow.release)
	<-exited
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Errorf("interrupted command: exit %d, want 130; stderr:\n%s", code, stderr.String())
	}
	wantLayerListed(t, s.ok("", "layers", "list", "-o", "json"))
}
