package authcmd_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/client/laymantest"
)

// A second login revokes the session it replaces (review I7), and the new
// set records where it may be sent (review L1).
func TestSecondLoginRevokesTheReplacedSession(t *testing.T) {
	w := newWorld(t)
	w.mustLogin()
	old := w.stored()
	r := w.login()
	if r.code != 0 || !strings.Contains(r.stderr, "Revoked the session this login replaces") {
		t.Fatalf("second login: %s", r)
	}
	if w.dot.Active(old.AccessToken) {
		t.Error("the replaced session's access token is still active")
	}
	now := w.stored()
	if !w.dot.Active(now.AccessToken) {
		t.Error("the new session is not active")
	}
	if now.Server != w.layman.URL || now.TokenURL != w.dot.Endpoints().TokenURL {
		t.Errorf("stored set bound to %q / %q, want %s / %s", now.Server, now.TokenURL, w.layman.URL, w.dot.Endpoints().TokenURL)
	}
}

// With the keychain unavailable, logout says nothing was deleted and what
// to do, never "it was deleted" (review L3).
func TestLogoutWithKeychainUnavailableDeletesNothing(t *testing.T) {
	w := newWorld(t)
	w.setEnv(map[string]string{"LAYMAN_TOKEN_STORE": "keyring", "DBUS_SESSION_BUS_ADDRESS": "unix:path=" + filepath.Join(w.dir, "no-bus")})
	r := w.run(run{}, "auth", "logout")
	if r.code != 4 || strings.Contains(r.stderr, "it was deleted") || !strings.Contains(r.stderr, "nothing was deleted") ||
		!keychainAdvice(r.stderr) {
		t.Fatalf("logout: %s", r)
	}
}

// Logout lists what failed in the servers' own words: on a terminal, the
// control characters of such words are escaped, not obeyed (review L2).
func TestLogoutFailuresEscapedOnTerminal(t *testing.T) {
	w := newWorld(t)
	w.mustLogin()
	w.layman.SetFault(func(r *http.Request) laymantest.Fault {
		if r.Method == http.MethodDelete && strings.HasSuffix(r.URL.Path, "/rest/current-user") {
			return laymantest.Fault{Status: http.StatusInternalServerError, Body: `{"code": 9999, "message": "boom \u001b]0;PWNED\u0007\u001b[2J"}`}
		}
		return laymantest.Fault{}
	})
	r := w.run(run{tty: true}, "auth", "logout")
	if r.code == 0 || !strings.Contains(r.stderr, "tell Layman to forget the token") {
		t.Fatalf("logout with Layman failing: %s", r)
	}
	if strings.ContainsAny(r.stderr, "\x1b\x07") || !strings.Contains(r.stderr, `\x1b]0;PWNED`) {
		t.Errorf("stderr on a terminal %q, want the server's control characters escaped", r.stderr)
	}
}

// A login whose tokens cannot be stored (here: a lock directory others may
// write to, refused) revokes them: nobody could use or revoke them later.
func TestLoginRevokesTokensItCannotStore(t *testing.T) {
	w := newWorld(t)
	locks := filepath.Join(w.dir, "state", "laymanctl", "locks")
	if err := os.MkdirAll(locks, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(locks, 0o777); err != nil {
		t.Fatal(err)
	}
	if r := w.login(); r.code == 0 || !strings.Contains(r.stderr, "writable by other users") {
		t.Fatalf("login with a shared lock directory: %s", r)
	}
	if n := w.dot.ActiveTokens(); n != 0 {
		t.Errorf("%d sessions left active by a login that stored nothing", n)
	}
}
