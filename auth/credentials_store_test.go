package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/laymanctl/laymanctl/keyring"
)

func TestTakeTokenSetWaitsForARunningRefresh(t *testing.T) {
	store, dir := keyring.NewMemory(), t.TempDir()
	if err := SaveTokenSet(store, "p", &TokenSet{AccessToken: "old", RefreshToken: "r1"}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// A parallel process in the middle of a refresh holds the lock...
	unlock, err := lockProfile(ctx, dir, "p")
	if err != nil {
		t.Fatal(err)
	}
	taken := make(chan *TokenSet)
	go func() {
		ts, err := TakeTokenSet(ctx, store, dir, "p")
		if err != nil {
			t.Error(err)
		}
		taken <- ts
	}()
	select {
	case <-taken:
		t.Fatal("logout took the set while a refresh held the lock")
	case <-time.After(50 * time.Millisecond):
	}
	// ...and saves the rotated set before releasing it.
	if err := SaveTokenSet(store, "p", &TokenSet{AccessToken: "new", RefreshToken: "r2"}); err != nil {
		t.Fatal(err)
	}
	unlock()
	if ts := <-taken; ts == nil || ts.RefreshToken != "r2" {
		t.Fatalf("took %+v, want the rotated set", ts)
	}
	if _, err := store.Get("p"); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("set still stored: %v", err)
	}
	if _, err := TakeTokenSet(ctx, store, dir, "p"); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("second take: %v", err)
	}
}

func TestTakeTokenSetDeletesADamagedSet(t *testing.T) {
	store := keyring.NewMemory()
	if err := store.Set("p", []byte("{not json")); err != nil {
		t.Fatal(err)
	}
	_, err := TakeTokenSet(context.Background(), store, t.TempDir(), "p")
	if err == nil {
		t.Fatal("damaged set reported as fine")
	}
	// The next step is a new login, which replaces it.
	var lerr *LoginRequiredError
	if !errors.As(err, &lerr) || !strings.Contains(err.Error(), "is damaged") || !strings.Contains(err.Error(), "laymanctl auth login --profile p") {
		t.Errorf("error %q does not say that the set is damaged and how to replace it", err)
	}
	if _, err := store.Get("p"); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("damaged set left behind: %v", err)
	}
}

func TestPutTokenSetWaitsForARunningRefresh(t *testing.T) {
	store, dir := keyring.NewMemory(), t.TempDir()
	ctx := context.Background()
	unlock, err := lockProfile(ctx, dir, "p")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	var replaced *TokenSet
	go func() {
		var err error
		replaced, err = PutTokenSet(ctx, store, dir, "p", &TokenSet{AccessToken: "login"})
		done <- err
	}()
	// The refresh of the old session saves last under the lock...
	if err := SaveTokenSet(store, "p", &TokenSet{AccessToken: "refreshed-old-session"}); err != nil {
		t.Fatal(err)
	}
	unlock()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// ...so the new login, stored after it, is what remains, and the set
	// it replaced, to be revoked, is the refreshed one.
	if replaced == nil || replaced.AccessToken != "refreshed-old-session" {
		t.Errorf("replaced %+v, want the refreshed old session", replaced)
	}
	if ts, err := LoadTokenSet(store, "p"); err != nil || ts.AccessToken != "login" {
		t.Fatalf("stored %+v, %v", ts, err)
	}
}
