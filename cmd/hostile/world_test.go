package hostile_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/pem"
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

	"github.com/laymanctl/laymanctl/auth"
	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/cmd"
	"github.com/laymanctl/laymanctl/cmd/cli"
	"github.com/laymanctl/laymanctl/keyring"
)

// Secrets that must reach no origin they do not belong to.
const (
	accessToken  = "AT-SECRET-1f9d8e7c6b5a4f3e2d1c"
	refreshToken = "RT-SECRET-0a1b2c3d4e5f60718293"
	password     = "P@ss-SECRET-w0rd"
	bodySecret   = "secretdata-7c1e"
)

// proxy is the logging proxy every non-loopback name goes through.
var proxy = newRecorder()

func TestMain(m *testing.M) {
	// Set before any transport reads the environment (Go caches it).
	ps := httptest.NewServer(proxy)
	os.Setenv("HTTP_PROXY", ps.URL)
	os.Setenv("HTTPS_PROXY", ps.URL)
	os.Setenv("NO_PROXY", "")
	code := m.Run()
	ps.Close()
	os.Exit(code)
}

// recorder logs every request it gets and answers 502 (or with next).
type recorder struct {
	mu   sync.Mutex
	seen []string
	next http.Handler
}

func newRecorder() *recorder { return &recorder{} }

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.seen = append(r.seen, fmt.Sprintf("%s %s%s auth=%q body=%q", req.Method, req.Host, req.URL.RequestURI(), req.Header.Get("Authorization"), body))
	next := r.next
	r.mu.Unlock()
	if next != nil {
		req.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, req)
		return
	}
	http.Error(w, "recorded", http.StatusBadGateway)
}

func (r *recorder) requests() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.seen...)
}

func (r *recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen = nil
}

// expectNothing fails when the recorder got any request at all.
func (r *recorder) expectNothing(t *testing.T, who string) {
	t.Helper()
	if seen := r.requests(); len(seen) > 0 {
		t.Errorf("%s received:\n  %s", who, strings.Join(seen, "\n  "))
	}
}

// evil is a loopback server of another origin, recording what reaches it.
func evil(t *testing.T) (*recorder, *httptest.Server) {
	r := newRecorder()
	s := httptest.NewServer(r)
	t.Cleanup(s.Close)
	return r, s
}

// redirector answers every request with code to target+path, except the
// paths keep serves itself.
func redirector(code int, target string, keep http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if keep != nil && strings.HasPrefix(r.URL.Path, "/real/") {
			keep.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Location", target+r.URL.RequestURI())
		w.WriteHeader(code)
	})
}

// fakeLayman answers /real/rest/current-user (or /rest/current-user) as
// Layman does for the access token token.
func fakeLayman(token string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("Authorization") != "Bearer "+token {
			w.WriteHeader(http.StatusForbidden)
			_, _ = io.WriteString(w, `{"code":32,"message":"Unsuccessful OAuth2 authentication."}`)
			return
		}
		_, _ = io.WriteString(w, `{"authenticated":true,"username":"alice","claims":{"screen_name":"alice"}}`)
	})
}

// world is an isolated laymanctl environment with a config file and a
// file token store.
type world struct {
	t   *testing.T
	dir string
	env map[string]string
	// timeouts, when set, replace the defaults (hung-server tests).
	timeouts client.Timeouts
	// caFile is the profile's ca_file, which a login records.
	caFile string
}

func newWorld(t *testing.T) *world {
	dir := t.TempDir()
	w := &world{t: t, dir: dir, env: map[string]string{
		"LAYMAN_CONFIG":      filepath.Join(dir, "config.yaml"),
		"XDG_CONFIG_HOME":    filepath.Join(dir, "config"),
		"XDG_CACHE_HOME":     filepath.Join(dir, "cache"),
		"XDG_STATE_HOME":     filepath.Join(dir, "state"),
		"HOME":               filepath.Join(dir, "home"),
		"LAYMAN_TOKEN_STORE": "file",
	}}
	for k, v := range w.env {
		t.Setenv(k, v)
	}
	for _, k := range []string{"LAYMAN_SERVER", "LAYMAN_PROFILE", "LAYMAN_ACCESS_TOKEN", "LAYMAN_USERNAME", "LAYMAN_PASSWORD",
		"LAYMAN_AUTH_URL", "LAYMAN_CLIENT_ID", "LAYMAN_CLIENT_SECRET", "LAYMAN_DEBUG", "LAYMAN_BROWSER", "BROWSER",
		"GITHUB_ACTIONS", "TF_BUILD", "GITLAB_CI"} {
		t.Setenv(k, "")
	}
	proxy.reset()
	return w
}

// profile writes a default profile for server with the DOT layout under
// authURL, plus extra YAML lines.
func (w *world) profile(server, authURL string, extra ...string) {
	w.t.Helper()
	cfg := "current_profile: default\nprofiles:\n  default:\n    server: " + server + "\n    token_store: file\n"
	if authURL != "" {
		e, err := auth.ConventionalEndpoints(authURL)
		if err != nil {
			w.t.Fatal(err)
		}
		cfg += fmt.Sprintf("    auth_url: %s\n    authorize_url: %s\n    token_url: %s\n    revoke_url: %s\n", authURL, e.AuthURL, e.TokenURL, e.RevokeURL)
	}
	for _, l := range extra {
		cfg += "    " + l + "\n"
		if ca, ok := strings.CutPrefix(l, "ca_file: "); ok {
			w.caFile = ca
		}
	}
	if err := os.WriteFile(w.env["LAYMAN_CONFIG"], []byte(cfg), 0o600); err != nil {
		w.t.Fatal(err)
	}
}

// login stores a token set for server (through the profile's CA file), as
// `auth login` would; expired makes the next command refresh first.
func (w *world) login(server, tokenURL string, expired bool) {
	w.t.Helper()
	st, err := keyring.NewFile(filepath.Join(w.dir, "state", "laymanctl", "tokens"))
	if err != nil {
		w.t.Fatal(err)
	}
	exp := time.Now().Add(time.Hour)
	if expired {
		exp = time.Now().Add(-time.Minute)
	}
	ts := &auth.TokenSet{AccessToken: accessToken, RefreshToken: refreshToken, TokenType: "Bearer", Expiry: exp,
		Username: "alice", Server: server, TokenURL: tokenURL, CAFile: w.caFile}
	if err := auth.SaveTokenSet(st, "default", ts); err != nil {
		w.t.Fatal(err)
	}
}

type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

func (w *world) run(stdin string, args ...string) result {
	w.t.Helper()
	ios, in, out, errOut := cli.Test()
	in.WriteString(stdin)
	f := cli.NewFactory(ios, cli.BuildInfo{Version: "test"})
	f.Timeouts = w.timeouts
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code := cmd.Run(ctx, f, args)
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

// hung is a loopback listener that accepts connections and never answers.
func hung(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go func() { _, _ = io.Copy(io.Discard, bufio.NewReader(c)) }()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + l.Addr().String()
}

// caFile writes the test TLS server's certificate for --ca-file.
func caFile(t *testing.T, s *httptest.Server) string {
	path := filepath.Join(t.TempDir(), "ca.pem")
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw})
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
