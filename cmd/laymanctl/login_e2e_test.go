package main

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/auth/dottest"
	"github.com/laymanctl/laymanctl/client/laymantest"
)

// loginArgs are the flags of a first login to l with d as authorization
// server; a login that gets no callback ends well before commandTimeout.
func loginArgs(l *laymantest.Server, d *dottest.DOT, extra ...string) []string {
	return append([]string{"auth", "login", "--server", l.URL, "--auth-url", d.BaseURL + "/o/", "--timeout", "90s"}, extra...)
}

// clientFlags are the login flags and stdin for client c.
func clientFlags(c dottest.Client) ([]string, string) {
	if c.Secret == "" {
		return nil, ""
	}
	return []string{"--client-id", c.ID, "--client-secret-stdin"}, c.Secret + "\n"
}

// loggedInAs matches the login's report and catches the Layman username.
var loggedInAs = regexp.MustCompile(`Logged in to (\S+) as ([a-z][a-z0-9]*(?:_[a-z0-9]+)*)\n`)

// wantLoggedIn checks the login's report (on stderr, nothing on stdout) and
// returns the Layman username it names.
func wantLoggedIn(t *testing.T, r result, l *laymantest.Server) string {
	t.Helper()
	if r.stdout != "" {
		t.Errorf("login wrote to stdout (data only): %q", r.stdout)
	}
	m := loggedInAs.FindStringSubmatch(r.stderr)
	if m == nil || m[1] != l.URL {
		t.Fatalf("login stderr lacks \"Logged in to %s as USERNAME\":\n%s", l.URL, r.stderr)
	}
	return m[2]
}

// wantRobotLoggedIn checks the robot's own account of the login.
func wantRobotLoggedIn(t *testing.T, logPath string) {
	t.Helper()
	log, err := os.ReadFile(logPath)
	if err != nil || !bytes.Contains(log, []byte("robot: logged in")) {
		t.Errorf("robot log: %q, %v", log, err)
	}
}

// wantNoSecrets checks that none of the runs printed a secret; `auth
// token`'s stdout, which exists to print one, is left out by the caller.
func wantNoSecrets(t *testing.T, secrets map[string]string, runs ...result) {
	t.Helper()
	for _, r := range runs {
		for name, secret := range secrets {
			if secret == "" {
				continue
			}
			if strings.Contains(r.stdout, secret) || strings.Contains(r.stderr, secret) {
				t.Errorf("laymanctl %s printed the %s", strings.Join(r.args, " "), name)
			}
		}
	}
}

// wantLayerListed checks that a `layers list -o json` output is JSON that
// lists the user's private layer.
func wantLayerListed(t *testing.T, r result) {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatalf("layers list -o json printed no JSON: %v\n%s", err, r.stdout)
	}
	if !strings.Contains(r.stdout, `"`+privateLayer+`"`) {
		t.Errorf("layers list does not show the user's private layer %s:\n%s", privateLayer, r.stdout)
	}
}

// hasString reports whether JSON value v holds key with value anywhere.
func hasString(v any, key, value string) bool {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if s, ok := e.(string); ok && k == key && s == value {
				return true
			}
			if hasString(e, key, value) {
				return true
			}
		}
	case []any:
		for _, e := range v {
			if hasString(e, key, value) {
				return true
			}
		}
	}
	return false
}

// TestLoginUseLogout is a person's day: log in through the browser, check
// the session, use it, refresh it, log out; afterwards DOT has revoked
// every token laymanctl held.
func TestLoginUseLogout(t *testing.T) {
	t.Parallel()
	d := sharedPortal.get(t)
	for _, c := range []struct {
		name   string
		client dottest.Client
	}{
		{"public client", dottest.PublicClient},
		{"confidential client", dottest.ConfidentialClient},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := newLayman(t, d)
			s := newSandbox(t)
			robotLog := s.useRobot(dottest.Alice)
			flags, stdin := clientFlags(c.client)

			login := s.ok(stdin, loginArgs(l, d, flags...)...)
			username := wantLoggedIn(t, login, l)
			addPrivateLayer(l, username)
			wantRobotLoggedIn(t, robotLog)
			first := s.storedTokens()

			status := s.ok("", "auth", "status", "-o", "json")
			var st any
			if err := json.Unmarshal([]byte(status.stdout), &st); err != nil {
				t.Fatalf("auth status -o json printed no JSON: %v\n%s", err, status.stdout)
			}
			if !hasString(st, "username", username) || !hasString(st, "preferred_username", dottest.Alice.Username) {
				t.Errorf("auth status -o json has not Layman username %q and portal user %q:\n%s", username, dottest.Alice.Username, status.stdout)
			}

			token := s.ok("", "auth", "token")
			access := strings.TrimSpace(token.stdout)
			if !d.Introspect(t, access) {
				t.Error("auth token printed a token DOT does not know as active")
			}

			wantLayerListed(t, s.ok("", "layers", "list", "-o", "json"))

			refresh := s.ok("", "auth", "refresh")
			second := s.storedTokens()
			if second.RefreshToken == first.RefreshToken || second.AccessToken == first.AccessToken {
				t.Fatal("auth refresh did not store new tokens")
			}
			wantDeadRefreshToken(t, d, c.client, first.RefreshToken, "the refresh token before auth refresh")
			if !d.Introspect(t, second.AccessToken) {
				t.Error("the access token stored by auth refresh is not active at DOT")
			}

			logout := s.ok("", "auth", "logout")
			if d.Introspect(t, second.AccessToken) {
				t.Error("after logout the access token is still active at DOT")
			}
			wantDeadRefreshToken(t, d, c.client, second.RefreshToken, "the refresh token after logout")
			if n := l.CountRequests("DELETE", "/rest/current-user"); n != 1 {
				t.Errorf("logout sent DELETE /rest/current-user %d times, want 1", n)
			}
			if _, err := os.Stat(s.tokenFile()); !os.IsNotExist(err) {
				t.Errorf("the token file is still there after logout (stat: %v)", err)
			}
			if r := s.run("", "auth", "token"); r.code != 4 || r.stdout != "" {
				t.Errorf("auth token after logout: exit %d, stdout %q; want exit 4 and nothing on stdout", r.code, r.stdout)
			}

			secrets := map[string]string{
				"first access token": first.AccessToken, "first refresh token": first.RefreshToken,
				"second access token": second.AccessToken, "second refresh token": second.RefreshToken,
				"client secret": c.client.Secret,
			}
			wantNoSecrets(t, secrets, login, status, refresh, logout, result{args: token.args, stderr: token.stderr})
			if files := s.filesContaining(second.AccessToken, second.RefreshToken, first.RefreshToken); len(files) > 0 {
				t.Errorf("tokens remain on disk after logout: %v", files)
			}
		})
	}
}
