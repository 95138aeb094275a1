package authcmd_test

import (
	"encoding/pem"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A server with a private CA: `auth login --ca-file` keeps the CA in the
// profile, so later commands trust the server without the flag.
func TestLoginSavesCAFile(t *testing.T) {
	w := newWorld(t)
	target, err := url.Parse(w.layman.URL)
	if err != nil {
		t.Fatal(err)
	}
	tlsLayman := httptest.NewTLSServer(httputil.NewSingleHostReverseProxy(target))
	t.Cleanup(tlsLayman.Close)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tlsLayman.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}

	r := w.run(run{browser: w.dot.Browser()}, "auth", "login", "--server", tlsLayman.URL, "--auth-url", w.dot.BaseURL(), "--ca-file", caFile)
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
