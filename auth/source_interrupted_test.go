package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/laymanctl/laymanctl/keyring"
)

// A store that refuses to save is found out before the refresh token is
// sent: it is not spent on a set that could not be kept, and the stored
// login works once the store does.
func TestRefreshNotSentWhenTheStoreRefuses(t *testing.T) {
	f := newSourceFixture(t)
	f.stored(t, -time.Minute)
	store := &flakyStore{Store: f.store.Store, failSets: 1}
	src := NewStoredSource(SourceOptions{
		Profile: "default", Store: store, LockDir: f.lockDir,
		Config: f.srv.config(), HTTPClient: f.srv.Client(), Clock: f.clock,
	})
	_, err := src.Token(context.Background())
	if err == nil || !strings.Contains(err.Error(), "the keychain is locked") || !strings.Contains(err.Error(), "refresh token was not sent") {
		t.Fatalf("store refusing: %v, want its error and that the refresh token was not sent", err)
	}
	if n, _, _ := f.srv.stats(); n != 0 {
		t.Fatalf("%d refresh requests reached the server, want none", n)
	}
	if got := f.storedSet(t); got.RefreshToken != "refresh-0" || !got.RefreshSent.IsZero() {
		t.Fatalf("store holds %q (refresh sent %v), want refresh-0 unmarked", got.RefreshToken, got.RefreshSent)
	}
	// The store works again: the same refresh token still does.
	if tok, err := src.Token(context.Background()); err != nil || tok.AccessToken != "access-1" {
		t.Fatalf("store working again: %v, %v; want access-1", tok, err)
	}
	if got := f.storedSet(t); got.RefreshToken != "refresh-1" || !got.RefreshSent.IsZero() {
		t.Errorf("store holds %q (refresh sent %v), want refresh-1 unmarked", got.RefreshToken, got.RefreshSent)
	}
}

// storedInterrupted stores the set of a run killed after it sent a refresh
// of refresh-0: the access token looks valid for an hour more.
func (f *sourceFixture) storedInterrupted(t *testing.T, sent time.Time) {
	t.Helper()
	ts := &TokenSet{AccessToken: "access-0", RefreshToken: "refresh-0", TokenType: "Bearer",
		Expiry: f.clock.Now().Add(time.Hour), Username: "alice", RefreshSent: sent}
	if err := SaveTokenSet(f.store.Store, "default", ts); err != nil {
		t.Fatal(err)
	}
}

// The server revoked the access token of an interrupted refresh as it
// rotated (DOT does), or never saw the request: either way the next run
// refreshes at once instead of sending that access token.
func TestInterruptedRefreshIsRedoneAtOnce(t *testing.T) {
	f := newSourceFixture(t)
	f.storedInterrupted(t, f.clock.Now().Add(-time.Minute))
	tok, err := f.source().Token(context.Background())
	if err != nil || tok.AccessToken != "access-1" {
		t.Fatalf("after an interrupted refresh: %v, %v; want access-1 from a new refresh", tok, err)
	}
	if got := f.storedSet(t); got.RefreshToken != "refresh-1" || !got.RefreshSent.IsZero() {
		t.Errorf("store holds %q (refresh sent %v), want refresh-1 unmarked", got.RefreshToken, got.RefreshSent)
	}
}

// Past the server's grace period the refresh token an interrupted refresh
// replaced is refused: the user learns what happened and when, not only
// that the session expired.
func TestInterruptedRefreshPastTheGraceSaysSo(t *testing.T) {
	f := newSourceFixture(t)
	f.storedInterrupted(t, time.Date(2030, 1, 2, 2, 58, 7, 0, time.UTC))
	f.srv.mu.Lock()
	f.srv.refreshToken = "refresh-1" // rotated; the answer never saved
	f.srv.mu.Unlock()
	_, err := f.source().Token(context.Background())
	var lerr *LoginRequiredError
	if !errors.As(err, &lerr) {
		t.Fatalf("error %v, want *LoginRequiredError", err)
	}
	for _, want := range []string{"the refresh sent at 2030-01-02 02:58:07 UTC", "laymanctl was killed", "run `laymanctl auth login`"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
	if _, err := f.store.Store.Get("default"); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("dead token set still stored: %v", err)
	}
}

// A refusal from the authorization server itself rotated nothing: the mark
// of the refresh comes off, and the next run does not take the stored
// access token for revoked.
func TestRefusedRefreshLeavesNoMark(t *testing.T) {
	f := newSourceFixture(t)
	f.stored(t, -time.Minute)
	src := NewStoredSource(SourceOptions{
		Profile: "default", Store: f.store, LockDir: f.lockDir, Clock: f.clock,
		Config: OAuth2Config(Endpoints{TokenURL: f.srv.URL + "/o/token/"}, "unknown-client", "", nil), HTTPClient: f.srv.Client(),
	})
	if _, err := src.Token(context.Background()); err == nil || !strings.Contains(err.Error(), "invalid_client") {
		t.Fatalf("refresh as an unknown client: %v, want invalid_client", err)
	}
	if got := f.storedSet(t); got.RefreshToken != "refresh-0" || !got.RefreshSent.IsZero() {
		t.Errorf("store holds %q (refresh sent %v), want refresh-0 unmarked", got.RefreshToken, got.RefreshSent)
	}
}
