package authcmd_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/laymanctl/laymanctl/auth"
)

// A person's whole session: login in the browser, status, token, a layer
// list with the stored login, logout.
func TestLoginStatusTokenLayersLogout(t *testing.T) {
	w := newWorld(t)
	w.layman.AddLayer("alice", "rivers")

	r := w.login()
	if r.code != 0 || r.stdout != "" || !strings.Contains(r.stderr, "Logged in to "+w.layman.URL+" as ") {
		t.Fatalf("login: %s", r)
	}
	ts := w.stored()
	if ts == nil || ts.Username == "" || !w.dot.Active(ts.AccessToken) || ts.RefreshToken == "" {
		t.Fatalf("stored after login: %+v", ts != nil)
	}
	cfg := w.configText()
	for _, want := range []string{"current_profile: default", "server: " + w.layman.URL, "auth_url: " + w.dot.BaseURL(),
		"token_url: " + w.dot.Endpoints().TokenURL, "revoke_url: ", "client_id: laymanctl", "scopes: read write", "token_store: file"} {
		if !strings.Contains(cfg, want) {
			t.Errorf("config lacks %q:\n%s", want, cfg)
		}
	}

	r = w.run(run{}, "auth", "status", "-o", "json")
	var st map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &st); r.code != 0 || err != nil {
		t.Fatalf("status: %v\n%s", err, r)
	}
	if st["username"] != ts.Username || st["authenticated"] != true || st["token_store"] != "file" || st["profile"] != "default" ||
		st["server"] != w.layman.URL || st["access_token_expiry"] == nil || st["claims"] == nil {
		t.Errorf("status JSON: %v", st)
	}
	r = w.run(run{}, "auth", "status")
	if r.code != 0 || !strings.Contains(r.stdout, "alive") || strings.Contains(r.stdout+r.stderr, ts.AccessToken) {
		t.Errorf("status table: %s", r)
	}

	r = w.run(run{}, "auth", "token")
	if r.code != 0 || strings.TrimSpace(r.stdout) != ts.AccessToken {
		t.Fatalf("token: %s", r)
	}

	r = w.run(run{}, "layers", "list", "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, "rivers") {
		t.Fatalf("layers list with the stored login: %s", r)
	}

	r = w.run(run{}, "auth", "logout")
	if r.code != 0 || !strings.Contains(r.stderr, "Logged out") {
		t.Fatalf("logout: %s", r)
	}
	if w.dot.Active(ts.AccessToken) {
		t.Error("the access token is still active after logout")
	}
	if _, err := auth.ExchangeRefreshToken(context.Background(), auth.OAuth2Config(w.dot.Endpoints(), "laymanctl", "", nil), nil, nil, ts.RefreshToken); err == nil {
		t.Error("the refresh token still works after logout")
	}
	if w.stored() != nil {
		t.Error("the token set is still stored after logout")
	}
	if n := w.layman.CountRequests("DELETE", "/rest/current-user"); n != 1 {
		t.Errorf("DELETE /rest/current-user sent %d times, want 1", n)
	}
	if r := w.run(run{}, "auth", "status"); r.code != 4 || !strings.Contains(r.stderr, "auth login") {
		t.Errorf("status after logout: %s", r)
	}
}

// With --no-browser the URL is printed and nothing is opened; the person
// visits it elsewhere.
func TestLoginNoBrowserPrintsURL(t *testing.T) {
	w := newWorld(t)
	stderr := newSyncBuffer()
	done := make(chan result, 1)
	go func() {
		done <- w.run(run{stderr: stderr}, "auth", "login", "--no-browser", "--server", w.layman.URL, "--auth-url", w.dot.BaseURL())
	}()
	authURL := waitForURL(t, stderr, w.dot.Endpoints().AuthURL, done)
	if err := w.dot.Browser().Open(authURL); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.code != 0 || !strings.Contains(r.stderr, "Logged in to") || w.stored() == nil {
		t.Fatalf("login by hand: %s", r)
	}
}

// A wrong --auth-url (here the server's root, not its /o/) is found before
// a browser opens or the address is printed, and named with what was
// expected; the login does not wait for a browser that shows a 404 page.
func TestLoginWithWrongAuthURLFailsFirst(t *testing.T) {
	w := newWorld(t)
	wrong := w.dot.URL + "/"
	for _, extra := range [][]string{nil, {"--no-browser"}} {
		// A browser opened fails the test (run's default).
		args := append([]string{"auth", "login", "--server", w.layman.URL, "--auth-url", wrong, "--timeout", "20s"}, extra...)
		r := w.run(run{}, args...)
		if r.code != 1 || !strings.Contains(r.stderr, "no authorization server answered at "+wrong+"authorize/ (404 Not Found)") ||
			!strings.Contains(r.stderr, "Check --auth-url") || strings.Contains(r.stderr, "Open this URL") {
			t.Errorf("%v: %s", extra, r)
		}
		if w.stored() != nil || w.dot.TokenRequests("authorization_code") != 0 {
			t.Errorf("%v: a login went on", extra)
		}
	}
}

// waitForURL returns the first line of stderr starting with prefix, once
// the command has printed it.
func waitForURL(t *testing.T, stderr *syncBuffer, prefix string, done <-chan result) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		for _, line := range strings.Split(stderr.String(), "\n") {
			if line = strings.TrimSpace(line); strings.HasPrefix(line, prefix) {
				return line
			}
		}
		select {
		case r := <-done:
			t.Fatalf("the command ended before printing the URL: %s", r)
		case <-ctx.Done():
			t.Fatalf("no URL on stderr: %s", stderr.String())
		case <-stderr.changed:
		}
	}
}

// Login creates the profile it is asked for and makes it current only when
// no profile is; later commands need no flag.
func TestLoginCreatesNamedProfile(t *testing.T) {
	w := newWorld(t)
	w.mustLogin()
	r := w.run(run{browser: w.dot.Browser()}, "--profile", "prod", "auth", "login", "--server", w.layman.URL, "--auth-url", w.dot.BaseURL(), "--username", "prod_user")
	if r.code != 0 {
		t.Fatalf("login --profile prod: %s", r)
	}
	cfg := w.configText()
	if !strings.Contains(cfg, "current_profile: default") || !strings.Contains(cfg, "prod:") {
		t.Fatalf("config:\n%s", cfg)
	}
	r = w.run(run{}, "--profile", "prod", "auth", "status", "-o", "json")
	var st map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &st); r.code != 0 || err != nil || st["profile"] != "prod" || st["username"] != "alice" {
		t.Fatalf("status of prod: %v\n%s", err, r)
	}
	if r := w.run(run{}, "--profile", "prod", "auth", "logout"); r.code != 0 || w.stored() == nil {
		t.Fatalf("logout of prod must leave default logged in: %s", r)
	}
}
