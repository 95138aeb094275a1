package main

import (
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/laymanctl/laymanctl/auth/dottest"
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
	wantLoggedIn(t, s.ok("", loginArgs(l, d)...), l, dottest.Alice)

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
}

// TestParallelRefresh starts 16 commands at once with an expired stored
// token: they make one refresh between them and all succeed.
func TestParallelRefresh(t *testing.T) {
	t.Parallel()
	d := dottest.Start(t, dottest.Options{}) // its own: the test counts refreshes
	l := newLayman(t, d)
	s := newSandbox(t)
	s.useRobot(dottest.Alice)
	wantLoggedIn(t, s.ok("", loginArgs(l, d)...), l, dottest.Alice)
	expired := s.storedTokens()
	s.expireStoredTokens()
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
// knowing: a revoked access token is refreshed on Layman's 403/32 and the
// command succeeds; a revoked refresh token ends the session with exit 4,
// a login hint, and the dead token set forgotten.
func TestRevokedBehindTheCLIsBack(t *testing.T) {
	t.Parallel()
	d := sharedPortal.get(t)
	l := newLayman(t, d)
	s := newSandbox(t)
	s.useRobot(dottest.Alice)
	wantLoggedIn(t, s.ok("", loginArgs(l, d)...), l, dottest.Alice)

	revoked := s.storedTokens()
	revokeAtDOT(t, d, dottest.PublicClient, revoked.AccessToken, "access_token")
	l.ResetRequests()
	wantLayerListed(t, s.ok("", "layers", "list", "-o", "json"))
	rejected := 0
	for _, r := range l.Requests() {
		if r.Status == http.StatusForbidden {
			rejected++
		}
	}
	if rejected != 1 {
		t.Errorf("Layman rejected %d requests, want 1 (the revoked token, then the replay succeeds)", rejected)
	}
	renewed := s.storedTokens()
	if renewed.AccessToken == revoked.AccessToken || renewed.RefreshToken == revoked.RefreshToken {
		t.Fatal("the command did not store the refreshed tokens")
	}

	revokeAtDOT(t, d, dottest.PublicClient, renewed.RefreshToken, "refresh_token")
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
}
