package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/auth/dottest"
	"github.com/laymanctl/laymanctl/client/laymantest"
)

// ciSandbox is a CI job: no keychain, no TTY, no display, the server from
// the environment, and a browser that only leaves a marker if started.
func ciSandbox(t *testing.T, l *laymantest.Server) (s *sandbox, browserMarker string) {
	t.Helper()
	s = newSandbox(t)
	dir := t.TempDir()
	browserMarker = filepath.Join(dir, "browser-was-opened")
	browser := filepath.Join(dir, "browser")
	if err := os.WriteFile(browser, []byte("#!/bin/sh\ntouch '"+browserMarker+"'\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	s.set("LAYMAN_SERVER", l.URL, "LAYMAN_BROWSER", browser, "CI", "true")
	return s, browserMarker
}

func wantNoBrowser(t *testing.T, marker string) {
	t.Helper()
	if _, err := os.Stat(marker); err == nil {
		t.Error("a browser was opened")
	}
}

// TestCICredentials runs commands with each kind of credential a pipeline
// has, and with none.
func TestCICredentials(t *testing.T) {
	t.Parallel()
	d := sharedPortal.get(t)
	l := newLayman(t, d)
	// Alice has logged in to this Layman before: her username is reserved,
	// which a pipeline's credentials do not do.
	l.AddUser(dottest.Alice.Username, laymantest.WithSub(profileUserID(t, d, passwordGrant(t, d, dottest.Alice).AccessToken)))
	addPrivateLayer(l, dottest.Alice.Username)

	t.Run("access token from the environment", func(t *testing.T) {
		s, marker := ciSandbox(t, l)
		tok := passwordGrant(t, d, dottest.Alice)
		s.set("LAYMAN_ACCESS_TOKEN", tok.AccessToken)
		wantLayerListed(t, s.ok("", "layers", "list", "-o", "json"))
		wantNoBrowser(t, marker)
		if files := s.filesContaining(tok.AccessToken); len(files) > 0 {
			t.Errorf("LAYMAN_ACCESS_TOKEN was stored: %v", files)
		}
	})

	t.Run("password grant from the environment", func(t *testing.T) {
		s, marker := ciSandbox(t, l)
		c := dottest.PasswordClient
		s.set("LAYMAN_USERNAME", dottest.Alice.Username, "LAYMAN_PASSWORD", dottest.Alice.Password,
			"LAYMAN_CLIENT_ID", c.ID, "LAYMAN_CLIENT_SECRET", c.Secret, "LAYMAN_AUTH_URL", d.BaseURL+"/o/")
		r := s.ok("", "layers", "list", "-o", "json")
		wantLayerListed(t, r)
		wantNoSecrets(t, map[string]string{"password": dottest.Alice.Password, "client secret": c.Secret}, r)
		wantNoBrowser(t, marker)
		if files := s.filesContaining("refresh_token", "access_token", dottest.Alice.Password, c.Secret); len(files) > 0 {
			t.Errorf("the password grant left credentials on disk: %v", files)
		}
	})

	t.Run("login with a refresh token on stdin", func(t *testing.T) {
		// The refresh token comes from a person's login elsewhere.
		elsewhere := newSandbox(t)
		elsewhere.useRobot(dottest.Alice)
		elsewhere.ok("", loginArgs(l, d)...)
		given := elsewhere.storedTokens().RefreshToken

		s, marker := ciSandbox(t, l)
		login := s.ok(given+"\n", "auth", "login", "--with-token", "--auth-url", d.BaseURL+"/o/")
		if username := wantLoggedIn(t, login, l); username != dottest.Alice.Username {
			t.Errorf("logged in as %s, want alice's reserved username", username)
		}
		wantLayerListed(t, s.ok("", "layers", "list", "-o", "json"))
		wantNoBrowser(t, marker)
		stored := s.storedTokens()
		if stored.RefreshToken == given {
			t.Error("the stored refresh token is the spent one from stdin")
		}
		wantDeadRefreshToken(t, d, dottest.PublicClient, given, "the refresh token given on stdin")
		wantNoSecrets(t, map[string]string{"given refresh token": given, "new refresh token": stored.RefreshToken, "access token": stored.AccessToken}, login)
	})

	t.Run("no credentials", func(t *testing.T) {
		s, marker := ciSandbox(t, l)
		s.set("LAYMAN_AUTH_URL", d.BaseURL+"/o/")
		r := s.run("", "layers", "list", "-o", "json")
		if r.code != 4 {
			t.Errorf("%s\nwant exit 4", r)
		}
		if !strings.Contains(r.stderr, "laymanctl auth login") {
			t.Errorf("no login hint:\n%s", r.stderr)
		}
		if r.stdout != "" {
			t.Errorf("stdout is not empty: %q", r.stdout)
		}
		wantNoBrowser(t, marker)
	})
}
