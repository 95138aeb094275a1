package authcmd_test

import (
	"encoding/json"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/auth/authtest"
)

// An expired stored token is refreshed once, the newest set is stored, and
// the next command uses it without another refresh.
func TestExpiredTokenRefreshedOnce(t *testing.T) {
	w := newWorld(t)
	w.mustLogin()
	old := w.expireStored()

	r := w.run(run{}, "auth", "status", "-o", "json")
	var st map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &st); r.code != 0 || err != nil || st["authenticated"] != true {
		t.Fatalf("status with an expired token: %v\n%s", err, r)
	}
	if n := w.dot.Refreshes(); n != 1 {
		t.Fatalf("refreshes: %d, want 1", n)
	}
	ts := w.stored()
	if ts.AccessToken == old.AccessToken || ts.RefreshToken == old.RefreshToken || !w.dot.Active(ts.AccessToken) {
		t.Fatal("the store does not hold the refreshed token set")
	}
	r = w.run(run{}, "auth", "token")
	if r.code != 0 || strings.TrimSpace(r.stdout) != ts.AccessToken || w.dot.Refreshes() != 1 {
		t.Fatalf("token after the refresh: refreshes %d, %s", w.dot.Refreshes(), r)
	}
}

// A refresh token the authorization server no longer honours ends the
// stored login: exit 4 with a hint, and the dead set is forgotten.
func TestInvalidGrantForgetsLogin(t *testing.T) {
	for _, args := range [][]string{{"auth", "token"}, {"auth", "status"}, {"auth", "refresh"}, {"layers", "list"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			w := newWorld(t)
			w.mustLogin()
			w.dot.RevokeAll()
			if args[1] != "refresh" {
				w.expireStored()
			}
			r := w.run(run{}, args...)
			if r.code != 4 || !strings.Contains(r.stderr, "laymanctl auth login") || r.stdout != "" {
				t.Fatalf("%s", r)
			}
			if w.stored() != nil {
				t.Fatal("the dead token set is still stored")
			}
		})
	}
}

// Without credentials no command starts a login: exit 4 with a hint, no
// browser, no request to Layman.
func TestNoCredentials(t *testing.T) {
	w := newWorld(t)
	for _, args := range [][]string{{"auth", "status"}, {"auth", "token"}, {"auth", "refresh"}, {"layers", "list"}} {
		r := w.run(run{}, append(args, "--server", w.layman.URL)...)
		if r.code != 4 || !strings.Contains(r.stderr, "not logged in; run `laymanctl auth login`") {
			t.Errorf("%v: %s", args, r)
		}
	}
	if reqs := w.layman.Requests(); len(reqs) != 0 {
		t.Errorf("requests reached Layman: %v", reqs)
	}
	if r := w.run(run{}, "--profile", "prod", "auth", "token"); r.code != 2 || !strings.Contains(r.stderr, "auth login --profile prod") {
		t.Errorf("unknown profile: %s", r)
	}
}

func TestLogoutWithUnreachableServers(t *testing.T) {
	w := newWorld(t)
	w.mustLogin()
	w.layman.Close()
	w.dot.Close()
	r := w.run(run{}, "auth", "logout")
	if r.code != 1 || !strings.Contains(r.stderr, "could not") || !strings.Contains(r.stderr, "tell Layman to forget the token") ||
		!strings.Contains(r.stderr, "revoke the tokens") {
		t.Fatalf("logout: %s", r)
	}
	if w.stored() != nil {
		t.Fatal("the token set is still stored after logout")
	}
}

// keychainAdvice reports whether stderr says, as other errors do, what
// failed and why on the error line, then what to do on a line of its own.
func keychainAdvice(stderr string) bool {
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	n := len(lines)
	return n >= 2 && strings.HasPrefix(lines[n-2], "error: ") && strings.Contains(lines[n-2], "the OS keychain is unavailable: ") &&
		!strings.Contains(lines[n-2], "token-store") &&
		lines[n-1] == "To keep tokens in a file instead (mode 0600, not encrypted), log in with --token-store file or set LAYMAN_TOKEN_STORE=file."
}

// The OS keychain is the default store; when it cannot be reached, login
// says how to choose the file store before anyone logs in, and writes no
// token anywhere.
func TestKeychainUnavailable(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the unreachable keychain is simulated with a dead D-Bus session bus (Linux)")
	}
	w := newWorld(t)
	w.setEnv(map[string]string{"DBUS_SESSION_BUS_ADDRESS": "unix:path=" + filepath.Join(w.dir, "no-bus")})
	r := w.login() // its browser is never used: the store is checked first
	if r.code != 4 || !keychainAdvice(r.stderr) || strings.Contains(r.stderr, "Open this URL") {
		t.Fatalf("login: %s", r)
	}
	// Any other command: no credentials can be had, exit 4 naming the file store.
	r = w.run(run{}, "--server", w.layman.URL, "layers", "list")
	if r.code != 4 || !keychainAdvice(r.stderr) {
		t.Fatalf("layers list: %s", r)
	}
	w.noTokenFiles()
	if cfg := w.configText(); cfg != "" {
		t.Fatalf("config written:\n%s", cfg)
	}
}

func TestRefreshRefusesEnvironmentToken(t *testing.T) {
	w := newWorld(t)
	w.setEnv(map[string]string{"LAYMAN_ACCESS_TOKEN": "from-the-environment", "LAYMAN_TOKEN_STORE": "file"})
	r := w.run(run{}, "--server", w.layman.URL, "auth", "refresh")
	if r.code != 1 || !strings.Contains(r.stderr, "LAYMAN_ACCESS_TOKEN is used as is and cannot be refreshed") {
		t.Fatalf("refresh: %s", r)
	}
	r = w.run(run{}, "--server", w.layman.URL, "auth", "token")
	if r.code != 0 || r.stdout != "from-the-environment\n" {
		t.Fatalf("token: %s", r)
	}
	r = w.run(run{}, "--server", w.layman.URL, "auth", "status")
	if r.code != 4 || !strings.Contains(r.stdout, "environment token") || !strings.Contains(r.stderr, "not alive") {
		t.Fatalf("status with a token Layman refuses: %s", r)
	}
}

// A token endpoint that refuses the client itself is an authentication
// failure, as at `auth login --with-token`: exit 4 naming the setting to
// check, and the stored login is kept (its refresh token was not spent).
func TestRefreshClientRefused(t *testing.T) {
	for _, tc := range []struct {
		code   string
		client authtest.Client
	}{
		{"invalid_client", authtest.Client{ID: authtest.DefaultClientID, Secret: "now-confidential"}},
		{"unauthorized_client", authtest.Client{ID: authtest.DefaultClientID, Grants: []string{authtest.GrantAuthorizationCode}}},
	} {
		t.Run(tc.code, func(t *testing.T) {
			w := newWorld(t)
			w.mustLogin()
			before := w.stored()
			w.dot.AddClient(tc.client)
			r := w.run(run{}, "auth", "refresh")
			if r.code != 4 || !strings.Contains(r.stderr, "refused: "+tc.code) || !strings.Contains(r.stderr, "check the client id") || r.stdout != "" {
				t.Fatalf("refresh: %s", r)
			}
			if ts := w.stored(); ts == nil || ts.RefreshToken != before.RefreshToken {
				t.Fatal("the stored login was not kept")
			}
		})
	}
}
