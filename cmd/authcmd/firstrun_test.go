package authcmd_test

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/auth/authtest"
)

// sameOrigin serves the fake Layman and, under /o/, the fake authorization
// server from one origin, as Layman's portal deployments do.
func sameOrigin(t *testing.T, w *world) string {
	t.Helper()
	layman, _ := url.Parse(w.layman.URL)
	dot, _ := url.Parse(w.dot.URL)
	toLayman, toDOT := httputil.NewSingleHostReverseProxy(layman), httputil.NewSingleHostReverseProxy(dot)
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, authtest.Prefix) {
			toDOT.ServeHTTP(rw, r)
			return
		}
		toLayman.ServeHTTP(rw, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestLoginFindsTheAuthorizationServerAtTheLaymanServer(t *testing.T) {
	w := newWorld(t)
	server := sameOrigin(t, w)
	r := w.run(run{browser: w.dot.Browser()}, "auth", "login", "--server", server)
	if r.code != 0 || !strings.Contains(r.stderr, "Authorization server: "+server+"/o/ (found at the Layman server)") {
		t.Fatalf("login without --auth-url: %s", r)
	}
	if cfg := w.configText(); !strings.Contains(cfg, "auth_url: "+server+"/o/") {
		t.Errorf("config:\n%s", cfg)
	}
}

func TestLoginAsksForServerAndAuthorizationServerOnATerminal(t *testing.T) {
	w := newWorld(t)
	// The fakes are plain HTTP, so the answers name the scheme; a bare
	// host name would mean https.
	stdin := w.layman.URL + "\n" + w.dot.BaseURL() + "\n"
	r := w.run(run{browser: w.dot.Browser(), stdin: stdin, tty: true}, "auth", "login")
	if r.code != 0 || !strings.Contains(r.stderr, "Layman server (e.g. layman.example.com): ") ||
		!strings.Contains(r.stderr, "Authorization server the Layman server trusts") || !strings.Contains(r.stderr, "Logged in to "+w.layman.URL) {
		t.Fatalf("first login on a terminal: %s", r)
	}
	if w.stored() == nil {
		t.Fatal("nothing stored")
	}
	// In a script nothing is asked: the usual error.
	w2 := newWorld(t)
	r = w2.run(run{stdin: stdin}, "auth", "login")
	if r.code != 2 || !strings.Contains(r.stderr, "no Layman server configured") || strings.Contains(r.stderr, "(e.g.") {
		t.Errorf("first login in a script: %s", r)
	}
}

// With nothing configured and nobody to ask, the missing server is all
// that is said: no note about the browser before it, and no advice to run
// the command that was just run.
func TestLoginWithoutServerInAScript(t *testing.T) {
	w := newWorld(t)
	r := w.run(run{noBrowser: "no display is available"}, "auth", "login")
	if want := "error: no Layman server configured\nPass --server URL, or set LAYMAN_SERVER.\n"; r.code != 2 || r.stderr != want {
		t.Errorf("want exit 2 and %q\n%s", want, r)
	}
}

// Once the server is known, the login says why no browser opens, then
// prints the URL to open.
func TestLoginSaysWhyNoBrowserOpens(t *testing.T) {
	w := newWorld(t)
	stderr := newSyncBuffer()
	done := make(chan result, 1)
	go func() {
		done <- w.run(run{noBrowser: "no display is available", stderr: stderr},
			"auth", "login", "--server", w.layman.URL, "--auth-url", w.dot.BaseURL())
	}()
	authURL := waitForURL(t, stderr, w.dot.Endpoints().AuthURL, done)
	if err := w.dot.Browser().Open(authURL); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.code != 0 || !strings.HasPrefix(r.stderr, "Not opening a browser: no display is available.\n") {
		t.Errorf("stderr:\n%s", r)
	}
}
