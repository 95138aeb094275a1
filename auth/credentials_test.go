package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/laymanctl/laymanctl/keyring"
)

func envOf(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestResolveCredentialsPrecedence(t *testing.T) {
	f := newSourceFixture(t)
	f.stored(t, time.Hour)
	opened := 0
	options := func(env map[string]string) CredentialOptions {
		return CredentialOptions{
			Env:     envOf(env),
			Profile: "default",
			Store: func() (keyring.Store, error) {
				opened++
				return f.store, nil
			},
			LockDir:    f.lockDir,
			Endpoints:  Endpoints{TokenURL: f.srv.URL + "/o/token/"},
			ClientID:   testClientID,
			HTTPClient: f.srv.Client(),
			Clock:      f.clock,
		}
	}
	cases := []struct {
		name      string
		env       map[string]string
		kind      Kind
		token     string
		storeUsed bool
	}{
		{"environment token first", map[string]string{EnvAccessToken: "env-token", EnvUsername: "robot", EnvPassword: "s3cret"}, KindEnvironmentToken, "env-token", false},
		{"password grant second", map[string]string{EnvUsername: "robot", EnvPassword: "s3cret"}, KindPasswordGrant, "access-1", false},
		{"stored set last", nil, KindStored, "access-0", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opened = 0
			src, kind, err := ResolveCredentials(context.Background(), options(c.env))
			if err != nil {
				t.Fatal(err)
			}
			tok, err := src.Token(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if kind != c.kind || tok.AccessToken != c.token {
				t.Errorf("kind %v token %q, want %v %q", kind, tok.AccessToken, c.kind, c.token)
			}
			if (opened > 0) != c.storeUsed {
				t.Errorf("store opened %d times", opened)
			}
		})
	}
	if gets, _, _ := f.store.counts(); gets != 1 {
		t.Errorf("%d store reads for one command, want 1", gets)
	}
}

func TestResolveCredentialsPasswordClientOverride(t *testing.T) {
	srv := newTokenServer(t)
	srv.clientID = "ci-client"
	env := map[string]string{EnvUsername: "robot", EnvPassword: "s3cret", EnvClientID: "ci-client"}
	_, kind, err := ResolveCredentials(context.Background(), CredentialOptions{
		Env: envOf(env), ClientID: "profile-client", Endpoints: Endpoints{TokenURL: srv.URL},
		HTTPClient: srv.Client(), Store: func() (keyring.Store, error) { t.Fatal("store opened"); return nil, nil },
	})
	if err != nil || kind != KindPasswordGrant {
		t.Fatalf("kind %v, err %v; want a password grant with %s", kind, err, EnvClientID)
	}
}

func TestResolveCredentialsFailures(t *testing.T) {
	f := newSourceFixture(t)
	base := CredentialOptions{
		Profile: "default", LockDir: f.lockDir, Endpoints: Endpoints{TokenURL: f.srv.URL}, ClientID: testClientID,
		HTTPClient: f.srv.Client(), Clock: f.clock,
		Store: func() (keyring.Store, error) { return f.store, nil },
	}
	t.Run("half of username and password", func(t *testing.T) {
		o := base
		o.Env = envOf(map[string]string{EnvUsername: "robot"})
		if _, _, err := ResolveCredentials(context.Background(), o); !errors.Is(err, ErrIncompleteCredentials) || !strings.Contains(err.Error(), EnvPassword) {
			t.Errorf("error %v, want one naming %s", err, EnvPassword)
		}
	})
	t.Run("password grant without an authorization server", func(t *testing.T) {
		o := base
		o.Endpoints = Endpoints{}
		o.Env = envOf(map[string]string{EnvUsername: "robot", EnvPassword: "s3cret"})
		_, _, err := ResolveCredentials(context.Background(), o)
		if !errors.Is(err, ErrIncompleteCredentials) || !strings.Contains(err.Error(), "LAYMAN_AUTH_URL") || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("error %v, want one naming LAYMAN_AUTH_URL", err)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		o := base
		o.Env = envOf(map[string]string{EnvUsername: "robot", EnvPassword: "wrong"})
		_, _, err := ResolveCredentials(context.Background(), o)
		var lerr *LoginRequiredError
		if !errors.As(err, &lerr) || strings.Contains(err.Error(), "wrong") {
			t.Errorf("error %v, want *LoginRequiredError without the password", err)
		}
	})
	t.Run("nothing stored", func(t *testing.T) {
		o := base
		o.Env = envOf(nil)
		_, _, err := ResolveCredentials(context.Background(), o)
		var lerr *LoginRequiredError
		if !errors.As(err, &lerr) {
			t.Errorf("error %v, want *LoginRequiredError", err)
		}
	})
	t.Run("store unavailable", func(t *testing.T) {
		o := base
		o.Env = envOf(nil)
		unavailable := errors.New("no keychain")
		o.Store = func() (keyring.Store, error) { return nil, unavailable }
		if _, _, err := ResolveCredentials(context.Background(), o); !errors.Is(err, unavailable) {
			t.Errorf("error %v, want the store's", err)
		}
	})
}

func TestParseTokenInput(t *testing.T) {
	expiry := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	cases := []struct {
		name, in string
		want     *TokenSet
		err      string
	}{
		{"bare refresh token", "  rt-123\n", &TokenSet{RefreshToken: "rt-123"}, ""},
		{"token JSON with expiry", `{"access_token":"at","refresh_token":"rt","token_type":"Bearer","scope":"read","expiry":"2031-05-06T07:08:09Z"}`,
			&TokenSet{AccessToken: "at", RefreshToken: "rt", TokenType: "Bearer", Scope: "read", Expiry: expiry}, ""},
		{"refresh token only JSON", "{\"refresh_token\": \"rt\"}\n", &TokenSet{RefreshToken: "rt"}, ""},
		{"empty", " \n", nil, "no token"},
		{"two words", "rt-1 rt-2", nil, "neither"},
		{"JSON without tokens", `{"token_type":"Bearer"}`, nil, "neither access_token nor refresh_token"},
		{"malformed JSON", `{"access_token":`, nil, "malformed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseTokenInput(strings.NewReader(c.in))
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Errorf("error %v, want one saying %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if *got != *c.want {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestParseTokenInputExpiresIn(t *testing.T) {
	before := time.Now()
	got, err := ParseTokenInput(strings.NewReader(`{"access_token":"at","expires_in":300}`))
	after := time.Now()
	if err != nil {
		t.Fatal(err)
	}
	if got.Expiry.Before(before.Add(300*time.Second)) || got.Expiry.After(after.Add(300*time.Second)) {
		t.Errorf("expiry %v, want 300 s after reading", got.Expiry)
	}
}
