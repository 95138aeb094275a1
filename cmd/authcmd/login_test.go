package authcmd_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/laymanctl/laymanctl/auth/authtest"
)

// A confidential client's secret comes from stdin, is never written to the
// config file, and is kept with the tokens so that refresh works later.
func TestConfidentialClientSecretFromStdin(t *testing.T) {
	w := newWorld(t)
	r := w.run(run{browser: w.dot.Browser(), stdin: confidentialSecret + "\n"}, "auth", "login",
		"--server", w.layman.URL, "--auth-url", w.dot.BaseURL(), "--client-id", confidentialID, "--client-secret-stdin")
	if r.code != 0 {
		t.Fatalf("login: %s", r)
	}
	if cfg := w.configText(); strings.Contains(cfg, confidentialSecret) || !strings.Contains(cfg, "client_id: "+confidentialID) {
		t.Fatalf("config file:\n%s", cfg)
	}
	old := w.expireStored()
	r = w.run(run{}, "auth", "token")
	if r.code != 0 || w.dot.Refreshes() != 1 || strings.TrimSpace(r.stdout) == old.AccessToken {
		t.Fatalf("token after expiry: refreshes %d, %s", w.dot.Refreshes(), r)
	}
	if r := w.run(run{}, "auth", "refresh"); r.code != 0 || w.dot.Refreshes() != 2 || !strings.Contains(r.stderr, "expires") {
		t.Fatalf("auth refresh: refreshes %d, %s", w.dot.Refreshes(), r)
	}
	if ts := w.stored(); ts == nil || !w.dot.Active(ts.AccessToken) {
		t.Fatal("the stored access token is not the live one")
	}
	if r := w.run(run{}, "auth", "refresh", "--jq", ".profile"); r.code != 0 || r.stdout != "default\n" || w.dot.Refreshes() != 3 {
		t.Fatalf("auth refresh --jq: refreshes %d, %s", w.dot.Refreshes(), r)
	}
	if r := w.run(run{}, "auth", "logout"); r.code != 0 {
		t.Fatalf("logout revokes with the kept secret: %s", r)
	}
}

func TestUsernameReservation(t *testing.T) {
	t.Run("Layman chooses", func(t *testing.T) {
		w := newWorld(t)
		w.mustLogin()
		if n := w.layman.CountRequests("PATCH", "/rest/current-user"); n != 1 {
			t.Fatalf("PATCH /rest/current-user sent %d times", n)
		}
		var query string
		for _, req := range w.layman.Requests() {
			if req.Method == "PATCH" {
				query = req.RawQuery
			}
		}
		if query != "adjust_username=true" || w.stored().Username != "alice" {
			t.Fatalf("reservation query %q, username %q", query, w.stored().Username)
		}
	})
	t.Run("asked for", func(t *testing.T) {
		w := newWorld(t)
		r := w.login("--username", "river_mapper")
		if r.code != 0 || !strings.HasSuffix(strings.TrimSpace(r.stderr), "as river_mapper") || w.stored().Username != "river_mapper" {
			t.Fatalf("login --username: %s", r)
		}
		// Next time the username exists: no reservation, the flag is moot.
		r = w.login("--username", "other_name")
		if r.code != 0 || !strings.Contains(r.stderr, "already have the Layman username river_mapper") || w.layman.CountRequests("PATCH", "/rest/current-user") != 1 {
			t.Fatalf("second login: %s", r)
		}
	})
}

// A Layman server that does not trust this authorization server: exit 4,
// nothing saved, and the unused tokens revoked.
func TestLoginRefusedByLayman(t *testing.T) {
	t.Run("authenticated false", func(t *testing.T) {
		w := newWorld(t)
		anonymous := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/rest/current-user" {
				http.NotFound(rw, r)
				return
			}
			rw.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(rw, `{"authenticated": false, "claims": {"iss": "x"}}`)
		}))
		t.Cleanup(anonymous.Close)
		r := w.run(run{browser: w.dot.Browser()}, "auth", "login", "--server", anonymous.URL, "--auth-url", w.dot.BaseURL())
		if r.code != 4 || !strings.Contains(r.stderr, "the Layman server does not accept tokens from this authorization server") {
			t.Fatalf("login: %s", r)
		}
		w.noTokenFiles()
		if cfg := w.configText(); cfg != "" {
			t.Fatalf("config written:\n%s", cfg)
		}
	})
	// Layman's introspection call fails (authn/oauth2/__init__.py answers
	// sub_code 8): a server fault, not the new token's; exit 1, not 4.
	t.Run("introspection refused", func(t *testing.T) {
		w := newWorld(t)
		w.dot.AddClient(laymanClientFor(t)) // Layman now introspects with a wrong secret
		r := w.login()
		if r.code != 1 || !strings.Contains(r.stderr, "cannot verify tokens right now") || strings.Contains(r.stderr, "auth login") || w.configText() != "" {
			t.Fatalf("login: %s", r)
		}
		w.noTokenFiles()
	})
}

// laymanClientFor re-registers Layman's client with another secret, so its
// introspection fails and every token looks inactive to Layman.
func laymanClientFor(t *testing.T) authtest.Client {
	t.Helper()
	return authtest.Client{ID: laymanClientID, Secret: "changed-secret"}
}

func TestLoginWithToken(t *testing.T) {
	t.Run("refresh token", func(t *testing.T) {
		w := newWorld(t)
		issued, err := w.dot.IssueToken("laymanctl", "alice", "read write")
		if err != nil {
			t.Fatal(err)
		}
		r := w.run(run{stdin: issued.RefreshToken + "\n"}, "auth", "login", "--with-token", "--server", w.layman.URL, "--auth-url", w.dot.BaseURL())
		ts := w.stored()
		if r.code != 0 || ts == nil || w.dot.Refreshes() != 1 || ts.RefreshToken == issued.RefreshToken || !w.dot.Active(ts.AccessToken) || ts.Username != "alice" {
			t.Fatalf("login --with-token: refreshes %d, %s", w.dot.Refreshes(), r)
		}
	})
	t.Run("token JSON", func(t *testing.T) {
		w := newWorld(t)
		issued, err := w.dot.IssueToken("laymanctl", "alice", "read write")
		if err != nil {
			t.Fatal(err)
		}
		in := `{"access_token":"` + issued.AccessToken + `","refresh_token":"` + issued.RefreshToken + `","token_type":"Bearer","expires_in":3600}`
		r := w.run(run{stdin: in}, "auth", "login", "--with-token", "--server", w.layman.URL, "--auth-url", w.dot.BaseURL())
		ts := w.stored()
		if r.code != 0 || ts == nil || ts.AccessToken != issued.AccessToken || ts.RefreshToken != issued.RefreshToken || w.dot.Refreshes() != 0 {
			t.Fatalf("login --with-token: %s", r)
		}
		if r := w.run(run{}, "layers", "list"); r.code != 0 {
			t.Fatalf("layers list after --with-token: %s", r)
		}
	})
	t.Run("spent refresh token", func(t *testing.T) {
		w := newWorld(t)
		r := w.run(run{stdin: "not-a-live-refresh-token"}, "auth", "login", "--with-token", "--server", w.layman.URL, "--auth-url", w.dot.BaseURL())
		if r.code != 4 || !strings.Contains(r.stderr, "exchanging the refresh token from stdin: the authorization server refused: invalid_grant") {
			t.Fatalf("login --with-token: %s", r)
		}
		w.noTokenFiles()
	})
}

func TestLoginTimeoutAndInterrupt(t *testing.T) {
	t.Run("timeout", func(t *testing.T) {
		w := newWorld(t)
		r := w.run(run{}, "auth", "login", "--no-browser", "--timeout", "50ms", "--server", w.layman.URL, "--auth-url", w.dot.BaseURL())
		if r.code != 4 || !strings.Contains(r.stderr, "timed out") || !strings.Contains(r.stderr, "--timeout") {
			t.Fatalf("login: %s", r)
		}
		w.noTokenFiles()
	})
	t.Run("Ctrl-C", func(t *testing.T) {
		w := newWorld(t)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		stderr := newSyncBuffer()
		done := make(chan result, 1)
		go func() {
			done <- w.run(run{ctx: ctx, stderr: stderr}, "auth", "login", "--no-browser", "--server", w.layman.URL, "--auth-url", w.dot.BaseURL())
		}()
		waitForURL(t, stderr, w.dot.Endpoints().AuthURL, done)
		cancel()
		select {
		case r := <-done:
			if r.code != 130 || !strings.Contains(r.stderr, "interrupted") {
				t.Fatalf("login: %s", r)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("login did not end after Ctrl-C")
		}
		w.noTokenFiles()
	})
}

// --debug logs the HTTP exchanges of a whole login: no access token,
// refresh token, authorization code, PKCE verifier or client secret may
// appear in it.
func TestDebugOutputOfLoginHasNoSecrets(t *testing.T) {
	w := newWorld(t)
	rec := newTokenRequestRecorder(t, w.dot.URL)
	r := w.run(run{browser: w.dot.Browser(), stdin: confidentialSecret}, "--debug", "auth", "login",
		"--server", w.layman.URL, "--auth-url", rec.URL+"/o/", "--client-id", confidentialID, "--client-secret-stdin")
	if r.code != 0 {
		t.Fatalf("login: %s", r)
	}
	ts := w.stored()
	secrets := map[string]string{"access token": ts.AccessToken, "refresh token": ts.RefreshToken, "client secret": confidentialSecret}
	for k, v := range rec.values() {
		secrets[k] = v
	}
	for _, name := range []string{"code", "code_verifier", "client_secret"} {
		if secrets[name] == "" {
			t.Fatalf("the token request carried no %s: %v", name, rec.values())
		}
	}
	if !strings.Contains(r.stderr, "> POST "+rec.URL+"/o/token/") || !strings.Contains(r.stderr, "/rest/current-user") {
		t.Fatalf("no debug log of the token request and Layman call:\n%s", r.stderr)
	}
	for name, v := range secrets {
		if strings.Contains(r.stderr, v) || strings.Contains(r.stdout, v) {
			t.Errorf("the %s appears in the --debug output", name)
		}
	}
}

// tokenRequestRecorder is a proxy in front of the authorization server
// that remembers the secrets sent to its token endpoint.
type tokenRequestRecorder struct {
	*httptest.Server
	mu   sync.Mutex
	seen map[string]string
}

func newTokenRequestRecorder(t *testing.T, target string) *tokenRequestRecorder {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rec := &tokenRequestRecorder{seen: map[string]string{}}
	proxy := httputil.NewSingleHostReverseProxy(u)
	rec.Server = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/token/") {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(strings.NewReader(string(body)))
			form, _ := url.ParseQuery(string(body))
			rec.mu.Lock()
			for _, k := range []string{"code", "code_verifier", "client_secret"} {
				if v := form.Get(k); v != "" {
					rec.seen[k] = v
				}
			}
			rec.mu.Unlock()
		}
		proxy.ServeHTTP(rw, r)
	}))
	t.Cleanup(rec.Close)
	return rec
}

func (rec *tokenRequestRecorder) values() map[string]string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	out := map[string]string{}
	for k, v := range rec.seen {
		out[k] = v
	}
	return out
}
