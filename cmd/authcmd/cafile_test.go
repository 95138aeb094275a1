package authcmd_test

import (
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// tlsLayman puts the world's Layman behind TLS with a private CA, written
// to a PEM file of mode 0600; requests counts what reaches it.
func (w *world) tlsLayman() (server, caFile string, requests *atomic.Int64) {
	w.t.Helper()
	target, err := url.Parse(w.layman.URL)
	if err != nil {
		w.t.Fatal(err)
	}
	requests = &atomic.Int64{}
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		proxy.ServeHTTP(rw, r)
	}))
	w.t.Cleanup(srv.Close)
	caFile = filepath.Join(w.t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		w.t.Fatal(err)
	}
	return srv.URL, caFile, requests
}

// A server with a private CA: `auth login --ca-file` keeps the CA in the
// profile, so later commands trust the server without the flag.
func TestLoginSavesCAFile(t *testing.T) {
	w := newWorld(t)
	server, caFile, _ := w.tlsLayman()
	r := w.run(run{browser: w.dot.Browser()}, "auth", "login", "--server", server, "--auth-url", w.dot.BaseURL(), "--ca-file", caFile)
	if r.code != 0 {
		t.Fatalf("login with --ca-file: %s", r)
	}
	if cfg := w.configText(); !strings.Contains(cfg, "ca_file: "+caFile) {
		t.Errorf("the profile does not keep the CA file:\n%s", cfg)
	}
	if r := w.run(run{}, "layers", "list", "-o", "json"); r.code != 0 {
		t.Errorf("layers list after login, without --ca-file: %s", r)
	}
}

// Whoever can write the CA file can vouch for any server and read the
// token sent to it: a CA file that others may write, or that belongs to
// another user, is refused (exit 2) before anything is sent, both at
// login and when the profile names it.
func TestCAFileOthersCanWriteIsRefused(t *testing.T) {
	w := newWorld(t)
	server, caFile, requests := w.tlsLayman()
	if err := os.Chmod(caFile, 0o666); err != nil {
		t.Fatal(err)
	}
	r := w.run(run{browser: w.dot.Browser()}, "auth", "login", "--server", server, "--auth-url", w.dot.BaseURL(), "--ca-file", caFile)
	if r.code != 2 || !strings.Contains(r.stderr, "writable by other users") {
		t.Fatalf("login with a world-writable CA file: %s\nwant exit 2 naming the problem", r)
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("%d requests reached the server through a refused CA file", n)
	}

	if err := os.Chmod(caFile, 0o600); err != nil {
		t.Fatal(err)
	}
	if r := w.run(run{browser: w.dot.Browser()}, "auth", "login", "--server", server, "--auth-url", w.dot.BaseURL(), "--ca-file", caFile); r.code != 0 {
		t.Fatalf("login with a private CA file: %s", r)
	}
	if err := os.Chmod(caFile, 0o620); err != nil {
		t.Fatal(err)
	}
	before := requests.Load()
	if r := w.run(run{}, "layers", "list"); r.code != 2 || !strings.Contains(r.stderr, caFile) {
		t.Errorf("layers list with the saved CA file now group-writable: %s\nwant exit 2 naming the file", r)
	}
	if os.Geteuid() != 0 {
		t.Log("not root: the other-owner case needs chown")
	} else {
		if err := os.Chmod(caFile, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(caFile, 1001, 1001); err != nil {
			t.Fatal(err)
		}
		if r := w.run(run{}, "layers", "list"); r.code != 2 || !strings.Contains(r.stderr, "belongs to another user") {
			t.Errorf("layers list with the saved CA file owned by another user: %s\nwant exit 2", r)
		}
	}
	if n := requests.Load() - before; n != 0 {
		t.Errorf("%d requests reached the server through a refused CA file", n)
	}
}

// A stored login goes only through the CAs it logged in with: a ca_file
// someone else put in the profile (a config file LAYMAN_CONFIG names, a
// PEM file in a cloned repository, owned by the user) would let them vouch
// for an impostor of the server. Nothing is sent, nothing deleted.
func TestTokensGoOnlyThroughTheCAsOfTheirLogin(t *testing.T) {
	w := newWorld(t)
	server, caFile, requests := w.tlsLayman()
	if r := w.run(run{browser: w.dot.Browser()}, "auth", "login", "--server", server, "--auth-url", w.dot.BaseURL(), "--ca-file", caFile); r.code != 0 {
		t.Fatalf("login with --ca-file: %s", r)
	}
	if got := w.stored().CAFile; got != caFile {
		t.Fatalf("the token set records the CA file %q, want %q", got, caFile)
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	planted := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(planted, pem, 0o600); err != nil {
		t.Fatal(err)
	}
	if r := w.run(run{}, "config", "set", "ca_file", planted); r.code != 0 {
		t.Fatalf("config set ca_file: %s", r)
	}
	before := requests.Load()
	for _, args := range [][]string{{"layers", "list"}, {"auth", "status"}, {"auth", "refresh"}, {"auth", "logout"}} {
		if r := w.run(run{}, args...); r.code != 4 || !strings.Contains(r.stderr, "logged in trusting the CA file "+caFile) {
			t.Errorf("%v with another CA file in the profile: %s\nwant exit 4 naming both", args, r)
		}
	}
	if n := requests.Load() - before; n != 0 {
		t.Errorf("%d requests reached the server through the other CA file", n)
	}
	if w.stored() == nil {
		t.Fatal("a refused logout deleted the token set")
	}
	// The CA file of the login, given explicitly, is trusted again.
	if r := w.run(run{}, "--ca-file", caFile, "layers", "list"); r.code != 0 {
		t.Errorf("layers list --ca-file with the login's CA file: %s", r)
	}

	// A login that trusted the system's CAs only is not sent through an added one.
	plain := newWorld(t)
	plain.mustLogin()
	if r := plain.run(run{}, "--ca-file", planted, "layers", "list"); r.code != 4 || !strings.Contains(r.stderr, "logged in trusting the system's CAs only") {
		t.Errorf("layers list --ca-file after a login without one: %s", r)
	}
}
