package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/laymanctl/laymanctl/auth/dottest"
	"github.com/laymanctl/laymanctl/client/laymantest"
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

// slowLogin logs a sandbox in as Alice through a slow token endpoint to d:
// a token set is refreshed only at the endpoint that issued it.
func slowLogin(t *testing.T, d *dottest.DOT) (*sandbox, *laymantest.Server, *slowTokenEndpoint) {
	t.Helper()
	l := newLayman(t, d)
	s := newSandbox(t)
	s.useRobot(dottest.Alice)
	slow := newSlowTokenEndpoint(t, d)
	login := []string{"auth", "login", "--server", l.URL, "--auth-url", slow.URL + "/o/", "--timeout", "90s"}
	addPrivateLayer(l, wantLoggedIn(t, s.ok("", login...), l))
	return s, l, slow
}

// heldCommand is a laymanctl run whose refresh DOT has answered, the
// answer held at the slow endpoint.
type heldCommand struct {
	cmd    *exec.Cmd
	stderr *bytes.Buffer
	exited chan error
	// answer is DOT's answer to the refresh.
	answer []byte
}

// runUntilRefreshHeld starts laymanctl args and returns once DOT has
// answered its refresh.
func runUntilRefreshHeld(t *testing.T, ctx context.Context, s *sandbox, slow *slowTokenEndpoint, args ...string) *heldCommand {
	t.Helper()
	h := &heldCommand{cmd: s.command(ctx, "", args...), stderr: &bytes.Buffer{}, exited: make(chan error, 1)}
	h.cmd.Stderr = h.stderr
	if err := h.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { h.exited <- h.cmd.Wait() }()
	select {
	case h.answer = <-slow.arrived:
	case <-h.exited:
		t.Fatalf("laymanctl %s ended without a refresh at the slow endpoint: exit %d; stderr:\n%s", strings.Join(args, " "), h.cmd.ProcessState.ExitCode(), h.stderr)
	case <-ctx.Done():
		t.Fatalf("laymanctl %s never asked for a refresh", strings.Join(args, " "))
	}
	return h
}

// Ctrl-C while a refresh is in flight: the command completes the refresh
// and saves the rotated refresh token before it exits, so the session
// still works afterwards.
func TestInterruptDuringRefreshKeepsTheSession(t *testing.T) {
	t.Parallel()
	s, _, slow := slowLogin(t, sharedPortal.get(t))
	s.setStoredExpiry(time.Now().Add(-time.Minute))

	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	h := runUntilRefreshHeld(t, ctx, s, slow, "layers", "list", "-o", "json")
	if err := h.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	// Give the signal time to reach the command before its answer does; a
	// late signal only makes the test weaker, never fail.
	time.Sleep(300 * time.Millisecond)
	close(slow.release)
	<-h.exited
	if code := h.cmd.ProcessState.ExitCode(); code != 130 {
		t.Errorf("interrupted command: exit %d, want 130; stderr:\n%s", code, h.stderr)
	}
	wantLayerListed(t, s.ok("", "layers", "list", "-o", "json"))
}
