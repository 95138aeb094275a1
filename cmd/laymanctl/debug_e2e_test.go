package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/auth/dottest"
)

// secretField finds a secret-bearing parameter or JSON field in debug
// output together with the value shown for it; authScheme finds the
// credentials of an Authorization header.
var (
	secretField = regexp.MustCompile(`(?i)\b(access_token|refresh_token|id_token|code|code_verifier|client_secret|password|token)"?\s*[:=]\s*"?([^"&\s,}]*)`)
	authScheme  = regexp.MustCompile(`(?i)\b(Bearer|Basic) +([A-Za-z0-9._~+/=-]{8,})`)
)

// wantRedacted checks that every secret-bearing field in out shows
// REDACTED; numbers are Layman's error codes ("code": 32).
func wantRedacted(t *testing.T, what, out string) {
	t.Helper()
	for _, m := range secretField.FindAllStringSubmatch(out, -1) {
		if value := m[2]; value != "REDACTED" && value != "" && strings.Trim(value, "0123456789") != "" {
			t.Errorf("%s shows %s with a value that is not redacted (%d characters)", what, m[1], len(value))
		}
	}
	for _, m := range authScheme.FindAllStringSubmatch(out, -1) {
		if m[2] != "REDACTED" {
			t.Errorf("%s shows %s credentials (%d characters)", what, m[1], len(m[2]))
		}
	}
}

// TestDebugOutputHasNoSecrets runs a login, a list, an upload, a refresh and
// a logout with --debug, and the CI password grant: the HTTP traffic logged
// on stderr shows no token, code, verifier, password or client secret.
func TestDebugOutputHasNoSecrets(t *testing.T) {
	t.Parallel()
	d := sharedPortal.get(t)
	l := newLayman(t, d)
	s := newSandbox(t)
	s.useRobot(dottest.Alice)
	c := dottest.ConfidentialClient
	flags, stdin := clientFlags(c)

	var runs []result
	login := s.ok(stdin, loginArgs(l, d, append(flags, "--debug")...)...)
	username := wantLoggedIn(t, login, l)
	addPrivateLayer(l, username)
	runs = append(runs, login)
	first := s.storedTokens()
	if !strings.Contains(login.stderr, "/o/token/") {
		t.Errorf("login --debug does not log the token request:\n%s", login.stderr)
	}

	runs = append(runs, s.ok("", "--debug", "layers", "list", "-o", "json"))
	if help := s.run("", "layers", "publish", "--help"); help.code == 0 {
		geojson := filepath.Join(t.TempDir(), "points.geojson")
		if err := os.WriteFile(geojson, []byte(`{"type":"FeatureCollection","features":[]}`), 0o600); err != nil {
			t.Fatal(err)
		}
		runs = append(runs, s.ok("", "--debug", "layers", "publish", geojson, "--workspace", username, "--no-wait"))
		if l.CountRequests("POST", "/rest/layers") == 0 {
			t.Error("layers publish sent no upload")
		}
	} else {
		t.Log("layers publish is not available yet: the upload is left out")
	}
	runs = append(runs, s.ok("", "--debug", "auth", "refresh"))
	second := s.storedTokens()
	printed := strings.TrimSpace(s.ok("", "auth", "token").stdout)
	runs = append(runs, s.ok("", "--debug", "auth", "logout"))

	ci := newSandbox(t)
	pass := dottest.PasswordClient
	ci.set("LAYMAN_SERVER", l.URL, "LAYMAN_AUTH_URL", d.BaseURL+"/o/",
		"LAYMAN_USERNAME", dottest.Alice.Username, "LAYMAN_PASSWORD", dottest.Alice.Password,
		"LAYMAN_CLIENT_ID", pass.ID, "LAYMAN_CLIENT_SECRET", pass.Secret)
	runs = append(runs, ci.ok("", "--debug", "layers", "list", "-o", "json"))

	secrets := map[string]string{
		"access token": first.AccessToken, "refresh token": first.RefreshToken,
		"refreshed access token": second.AccessToken, "refreshed refresh token": second.RefreshToken,
		"token from auth token": printed, "client secret": c.Secret,
		"CI client secret": pass.Secret, "password": dottest.Alice.Password,
	}
	wantNoSecrets(t, secrets, runs...)
	for _, r := range runs {
		if !strings.Contains(r.stderr, "Authorization") && !strings.Contains(r.stderr, "authorization") {
			t.Errorf("laymanctl %s --debug logged no request headers:\n%s", strings.Join(r.args, " "), r.stderr)
		}
		wantRedacted(t, "laymanctl "+strings.Join(r.args, " "), r.stderr)
	}
}
