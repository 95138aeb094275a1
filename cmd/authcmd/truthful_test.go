package authcmd_test

import (
	"path/filepath"
	"strings"
	"testing"
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
		!strings.Contains(r.stderr, "--token-store file") {
		t.Fatalf("logout: %s", r)
	}
}
