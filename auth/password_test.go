package auth

import (
	"context"
	"testing"
	"time"
)

func TestPasswordSourceRenewsInMemory(t *testing.T) {
	srv := newTokenServer(t)
	clock := newFakeClock()
	src, err := PasswordSource(context.Background(), srv.config(), "robot", "s3cret", srv.Client(), clock)
	if err != nil {
		t.Fatal(err)
	}
	token := func() string {
		t.Helper()
		tok, err := src.Token(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return tok.AccessToken
	}
	if got := token(); got != "access-1" {
		t.Fatalf("token %q, want the password grant's", got)
	}
	clock.Advance(time.Hour - 10*time.Second)
	if got := token(); got != "access-2" {
		t.Errorf("token %q near expiry, want one refreshed", got)
	}
	if refreshes, grants, _ := srv.stats(); refreshes != 1 || grants != 1 {
		t.Errorf("refreshes %d, password grants %d; want 1 and 1", refreshes, grants)
	}

	// The refresh token died: the password grant runs again.
	srv.mu.Lock()
	srv.refreshToken = ""
	srv.mu.Unlock()
	tok, err := src.ForceRefresh(context.Background(), "access-2")
	if err != nil || tok.AccessToken != "access-3" {
		t.Fatalf("ForceRefresh: %v, %v; want access-3", tok, err)
	}
	if _, grants, _ := srv.stats(); grants != 2 {
		t.Errorf("%d password grants, want 2", grants)
	}
}
