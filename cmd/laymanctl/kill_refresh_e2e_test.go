package main

import (
	"context"
	"encoding/json"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/laymanctl/laymanctl/auth"
	"github.com/laymanctl/laymanctl/auth/dottest"
)

// killedRefresh is what a `laymanctl auth refresh` killed with SIGKILL
// after DOT rotated the refresh token, before the answer reached it, left.
type killedRefresh struct {
	// marked is the stored set while the refresh was in flight.
	marked *auth.TokenSet
	// lost is DOT's answer, which never reached the store.
	lost tokenAnswer
}

// killDuringRefresh runs `auth refresh` and kills it with SIGKILL once DOT
// has answered (and rotated) but before the answer is passed on.
func killDuringRefresh(t *testing.T, s *sandbox, slow *slowTokenEndpoint) killedRefresh {
	t.Helper()
	before := s.storedTokens()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	h := runUntilRefreshHeld(t, ctx, s, slow, "auth", "refresh")
	// Read while the command is held: the mark must be durable before the
	// request goes out.
	k := killedRefresh{marked: s.storedTokens()}
	if err := h.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-h.exited
	close(slow.release)
	if err := json.Unmarshal(h.answer, &k.lost); err != nil || k.lost.RefreshToken == "" {
		t.Fatalf("DOT's answer to the refresh holds no refresh token (%v); error %q", err, k.lost.Error)
	}
	if k.marked.RefreshToken != before.RefreshToken || k.marked.RefreshSent.IsZero() {
		t.Fatalf("while the refresh was in flight the store held another refresh token (%v) or no mark of the refresh (sent %v)",
			k.marked.RefreshToken != before.RefreshToken, k.marked.RefreshSent)
	}
	if s.storedTokens().RefreshToken == k.lost.RefreshToken {
		t.Fatal("the killed command saved the new tokens: the test did not kill it in the window")
	}
	return k
}

// A run killed (kill -9, power loss, OOM) between DOT's rotation of the
// refresh token and the save of the new set: with a grace period at DOT
// the next run refreshes at once with the old refresh token, gets the very
// set that was lost, and the session survives. The access token stored
// with the old refresh token, which DOT deleted as it rotated, is never
// handed out.
func TestKillDuringRefreshWithinDOTGraceKeepsTheSession(t *testing.T) {
	t.Parallel()
	// Its own DOT: the shared one has DOT's default grace, 0. Ten minutes
	// leaves room for a slow machine; nothing here waits for it to pass.
	s, _, slow := slowLogin(t, dottest.Start(t, dottest.Options{RefreshGrace: 10 * time.Minute}))

	k := killDuringRefresh(t, s, slow)
	r := s.ok("", "auth", "token")
	if got := strings.TrimSpace(r.stdout); got == k.marked.AccessToken || got != k.lost.AccessToken {
		t.Errorf("auth token after the killed refresh printed the access token DOT deleted at rotation (%v), or not the one DOT issued in the lost answer",
			got == k.marked.AccessToken)
	}
	if got := s.storedTokens(); got.RefreshToken != k.lost.RefreshToken || !got.RefreshSent.IsZero() {
		t.Errorf("the store holds another refresh token than the lost answer's (%v), or still the mark (sent %v)",
			got.RefreshToken != k.lost.RefreshToken, got.RefreshSent)
	}
	wantLayerListed(t, s.ok("", "layers", "list", "-o", "json"))
}

// The same kill with DOT's default grace period, 0: the session cannot be
// saved (the old refresh token is dead, the new one was never received),
// and the next command says so precisely instead of a bare "expired or
// revoked".
func TestKillDuringRefreshWithoutGraceSaysWhatHappened(t *testing.T) {
	t.Parallel()
	s, l, slow := slowLogin(t, sharedPortal.get(t))

	k := killDuringRefresh(t, s, slow)
	l.ResetRequests()
	r := s.run("", "layers", "list", "-o", "json")
	sent := k.marked.RefreshSent.UTC().Format("2006-01-02 15:04:05 MST")
	if r.code != 4 {
		t.Errorf("exit %d, want 4 (log in again)\n%s", r.code, r)
	}
	for _, want := range []string{"the refresh sent at " + sent, "laymanctl was killed", "run `laymanctl auth login`"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	for _, req := range l.Requests() {
		if req.HasBearer {
			t.Errorf("%s %s reached Layman with the access token DOT deleted", req.Method, req.Path)
		}
	}
	wantNoSecrets(t, map[string]string{"old access token": k.marked.AccessToken, "old refresh token": k.marked.RefreshToken, "lost refresh token": k.lost.RefreshToken}, r)
}
