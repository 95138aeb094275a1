package auth_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/laymanctl/laymanctl/auth"
	"github.com/laymanctl/laymanctl/auth/authtest"
	"github.com/laymanctl/laymanctl/keyring"
)

// A confidential client's profile names no secret: `auth login
// --client-secret-stdin` keeps it with the token set, and refreshing must
// use it from there.
func TestRefreshUsesClientSecretKeptWithTokenSet(t *testing.T) {
	for name, keep := range map[string]bool{"secret kept": true, "secret missing": false} {
		t.Run(name, func(t *testing.T) {
			dot := newDOT(t)
			set, err := dot.IssueToken(confidentialID, authtest.DefaultUsername, "read write")
			if err != nil {
				t.Fatal(err)
			}
			if keep {
				set.ClientSecret = confidentialSecret
			}
			store := keyring.NewMemory()
			if err := auth.SaveTokenSet(store, "default", set); err != nil {
				t.Fatal(err)
			}
			src, _, err := auth.ResolveCredentials(context.Background(), auth.CredentialOptions{
				Env:       func(string) string { return "" },
				Profile:   "default",
				Store:     func() (keyring.Store, error) { return store, nil },
				LockDir:   filepath.Join(t.TempDir(), "locks"),
				Endpoints: dot.Endpoints(),
				ClientID:  confidentialID,
				Scopes:    []string{"read", "write"},
				Clock:     dot.Clock(),
			})
			if err != nil {
				t.Fatal(err)
			}
			dot.Clock().Advance(2 * time.Hour)
			tok, err := src.Token(context.Background())
			if !keep {
				if err == nil || dot.Refreshes() != 0 {
					t.Fatalf("refresh without the secret: err %v, refreshes %d", err, dot.Refreshes())
				}
				return
			}
			if err != nil || !dot.Active(tok.AccessToken) || dot.Refreshes() != 1 {
				t.Fatalf("refresh with the kept secret: err %v, refreshes %d", err, dot.Refreshes())
			}
			stored, err := auth.LoadTokenSet(store, "default")
			if err != nil || stored.ClientSecret != confidentialSecret || stored.AccessToken != tok.AccessToken {
				t.Fatalf("stored after refresh: err %v, secret kept %v, newest %v", err, stored.ClientSecret == confidentialSecret, stored.AccessToken == tok.AccessToken)
			}
		})
	}
}
