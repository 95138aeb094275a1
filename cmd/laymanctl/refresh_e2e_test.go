package main

import (
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/laymanctl/laymanctl/auth/dottest"
	"github.com/laymanctl/laymanctl/client/laymantest"
)

// shortLifetime makes access tokens expire between two commands.
const shortLifetime = 5 * time.Second

// TestRefreshAcrossExpiries runs commands after the access token has
// expired at DOT, again and again: each one refreshes once, DOT rotates the
// refresh token, and the store always holds the newest one.
func TestRefreshAcrossExpiries(t *testing.T) {
	t.Parallel()
	d := dottest.Start(t, dottest.Options{TokenLifetime: shortLifetime}) // its own: the test counts refreshes
	l := newLayman(t, d)
	s := newSandbox(t)
	s.useRobot(dottest.Alice)
	addPrivateLayer(l, wantLoggedIn(t, s.ok("", loginArgs(l, d)...), l))

	for i := range 3 {
		prev := s.storedTokens()
		// Past the expiry DOT set: Layman would answer 403/32 to this token.
		time.Sleep(time.Until(prev.Expiry) + time.Second)
		before := d.Stats(t)
		wantLayerListed(t, s.ok("", "layers", "list", "-o", "json"))
		after := d.Stats(t)
		if n := after.Granted("refresh_token") - before.Granted("refresh_token"); n != 1 {
			t.Errorf("command %d after expiry made %d refreshes, want 1", i+1, n)
		}
		if n := after.Rejected("refresh_token") - before.Rejected("refresh_token"); n != 0 {
			t.Errorf("command %d had %d refresh requests rejected", i+1, n)
		}
		next := s.storedTokens()
		if next.RefreshToken == prev.RefreshToken {
			t.Fatalf("command %d: the stored refresh token did not change", i+1)
		}
		wantDeadRefreshToken(t, d, dottest.PublicClient, prev.RefreshToken, "the refresh token before the last refresh")
	}

	// A token laymanctl believes valid (a wrong clock, a server that cut
	// the lifetime) but DOT has let expire: Layman answers 403/32, and the
	// command refreshes once and replays.
	believed := s.storedTokens()
	s.setStoredExpiry(time.Now().Add(time.Hour))
	time.Sleep(time.Until(believed.Expiry) + time.Second)
	before := d.Stats(t)
	l.ResetRequests()
	wantLayerListed(t, s.ok("", "layers", "list", "-o", "json"))
	if n := d.Stats(t).Granted("refresh_token") - before.Granted("refresh_token"); n != 1 {
		t.Errorf("after Layman rejected the token: %d refreshes, want 1", n)
	}
	if n := forbidden(l); n != 1 {
		t.Errorf("Layman rejected %d requests, want 1 (the expired token; the replay succeeds)", n)
	}
	if s.storedTokens().RefreshToken == believed.RefreshToken {
		t.Error("the refresh after Layman's 403/32 was not stored")
	}
}

// forbidden counts the requests the fake Layman answered with HTTP 403.
func forbidden(l *laymantest.Server) int {
	n := 0
	for _, r := range l.Requests() {
		if r.Status == http.StatusForbidden {
			n++
		}
	}
	return n
}

// TestParallelRefresh starts 16 commands at once with an expired stored
// token: they make one refresh between them and all succeed.
func TestParallelRefresh(t *testing.T) {
	t.Parallel()
	d := dottest.Start(t, dottest.Options{}) // its own: the test counts refreshes
	l := newLayman(t, d)
	s := newSandbox(t)
	s.useRobot(dottest.Alice)
	addPrivateLayer(l, wantLoggedIn(t, s.ok("", loginArgs(l, d)...), l))
	expired := s.storedTokens()
	s.setStoredExpiry(time.Now().Add(-time.Minute))
	before := d.Stats(t)

	const processes = 16
	results := make([]result, processes)
	errs := make([]error, processes)
	var wg sync.WaitGroup
	for i := range processes {
		wg.Go(func() { results[i], errs[i] = s.exec("", "layers", "list", "-o", "json") })
	}
	wg.Wait()

	for i, r := range results {
		if errs[i] != nil {
			t.Error(errs[i])
		} else if r.code != 0 {
			t.Errorf("%s", r)
		} else {
			wantLayerListed(t, r)
		}
	}
	after := d.Stats(t)
	if n := after.Granted("refresh_token") - before.Granted("refresh_token"); n != 1 {
		t.Errorf("%d parallel commands made %d refreshes, want 1", processes, n)
	}
	if n := after.Rejected("refresh_token") - before.Rejected("refresh_token"); n != 0 {
		t.Errorf("%d refresh requests were rejected (a spent refresh token was reused)", n)
	}
	newest := s.storedTokens()
	if newest.RefreshToken == expired.RefreshToken {
		t.Fatal("the stored refresh token did not change")
	}
	wantDeadRefreshToken(t, d, dottest.PublicClient, expired.RefreshToken, "the refresh token before the race")
	// The stored one is the live one: DOT takes it.
	if a := refreshAtDOT(t, d, dottest.PublicClient, newest.RefreshToken); a.AccessToken == "" {
		t.Errorf("the stored refresh token is not the newest: DOT refuses it with %q", a.Error)
	}
}

// TestRevokedBehindTheCLIsBack revokes tokens at DOT without laymanctl
// knowing.
func TestRevokedBehindTheCLIsBack(t *testing.T) {
	t.Parallel()
	d := sharedPortal.get(t)

	// DOT 1.7 deletes a revoked access token, and a refresh with the
	// refresh token issued with it then fails with HTTP 500 (its
	// get_original_scopes looks the deleted token up). The session cannot
	// be saved; laymanctl must fail cleanly, without dumping the server's
	// HTML page.
	t.Run("access token", func(t *testing.T) {
		l := newLayman(t, d)
		s := newSandbox(t)
		s.useRobot(dottest.Alice)
		addPrivateLayer(l, wantLoggedIn(t, s.ok("", loginArgs(l, d)...), l))
		revokeAtDOT(t, d, dottest.PublicClient, s.storedTokens().AccessToken, "access_token")
		r := s.run("", "layers", "list", "-o", "json")
		if r.code == 0 {
			t.Fatalf("layers list succeeded with a revoked access token:\n%s", r.stdout)
		}
		if strings.Contains(strings.ToLower(r.stderr), "<html") || strings.Contains(strings.ToLower(r.stderr), "<!doctype") {
			t.Errorf("the authorization server's HTML error page was dumped:\n%s", r.stderr)
		}
		if r.stdout != "" {
			t.Errorf("stdout is not empty: %q", r.stdout)
		}
		t.Logf("%s", r)
	})

	// A revoked refresh token (DOT revokes its access token with it) ends
	// the session: exit 4, a login hint, the dead token set forgotten.
	t.Run("refresh token", func(t *testing.T) {
		l := newLayman(t, d)
		s := newSandbox(t)
		s.useRobot(dottest.Alice)
		addPrivateLayer(l, wantLoggedIn(t, s.ok("", loginArgs(l, d)...), l))
		revokeAtDOT(t, d, dottest.PublicClient, s.storedTokens().RefreshToken, "refresh_token")
		r := s.run("", "layers", "list", "-o", "json")
		if r.code != 4 {
			t.Errorf("with a revoked refresh token: %s\nwant exit 4", r)
		}
		if !strings.Contains(r.stderr, "laymanctl auth login") {
			t.Errorf("no login hint on stderr:\n%s", r.stderr)
		}
		if r.stdout != "" {
			t.Errorf("stdout is not empty: %q", r.stdout)
		}
		if _, err := os.Stat(s.tokenFile()); !os.IsNotExist(err) {
			t.Errorf("the dead token set is still stored (stat: %v)", err)
		}
	})

	// A refresh token spent elsewhere (rotation) is dead too.
	t.Run("refresh token used elsewhere", func(t *testing.T) {
		l := newLayman(t, d)
		s := newSandbox(t)
		s.useRobot(dottest.Alice)
		addPrivateLayer(l, wantLoggedIn(t, s.ok("", loginArgs(l, d)...), l))
		if a := refreshAtDOT(t, d, dottest.PublicClient, s.storedTokens().RefreshToken); a.AccessToken == "" {
			t.Fatalf("refresh at DOT: %q", a.Error)
		}
		r := s.run("", "auth", "refresh")
		if r.code != 4 || !strings.Contains(r.stderr, "laymanctl auth login") {
			t.Errorf("auth refresh with a spent refresh token: %s\nwant exit 4 with a login hint", r)
		}
		if _, err := os.Stat(s.tokenFile()); !os.IsNotExist(err) {
			t.Errorf("the dead token set is still stored (stat: %v)", err)
		}
	})
}
