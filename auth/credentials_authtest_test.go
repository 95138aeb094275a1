package auth_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/laymanctl/laymanctl/auth"
	"github.com/laymanctl/laymanctl/auth/authtest"
	"github.com/laymanctl/laymanctl/keyring"
)

// These tests run the token source, transport, password grant and
// revocation against authtest, the in-process fake of Django OAuth Toolkit.

const (
	confidentialID     = "portal-cli"
	confidentialSecret = "portal-secret"
	serviceClientID    = "ci"
)

func newDOT(t *testing.T) *authtest.Server {
	return authtest.New(t, authtest.Options{
		Clients: []authtest.Client{
			{ID: authtest.DefaultClientID, RedirectURIs: []string{authtest.DefaultRedirectURI}},
			{ID: confidentialID, Secret: confidentialSecret, RedirectURIs: []string{authtest.DefaultRedirectURI}},
			{ID: serviceClientID, Grants: []string{authtest.GrantPassword, authtest.GrantRefreshToken}},
		},
		TokenLifetime: time.Hour,
		Clock:         authtest.NewClock(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)),
	})
}

type storedProfile struct {
	dot   *authtest.Server
	store keyring.Store
	src   *auth.StoredSource
	set   *auth.TokenSet
}

func newStoredProfile(t *testing.T, clientID, secret string) *storedProfile {
	t.Helper()
	dot := newDOT(t)
	set, err := dot.IssueToken(clientID, authtest.DefaultUsername, "read write")
	if err != nil {
		t.Fatal(err)
	}
	set.Username = authtest.DefaultUsername
	store := keyring.NewMemory()
	if err := auth.SaveTokenSet(store, "default", set); err != nil {
		t.Fatal(err)
	}
	src := auth.NewStoredSource(auth.SourceOptions{
		Profile: "default", Store: store, LockDir: filepath.Join(t.TempDir(), "locks"),
		Config: auth.OAuth2Config(dot.Endpoints(), clientID, secret, []string{"read", "write"}),
		Clock:  dot.Clock(),
	})
	return &storedProfile{dot: dot, store: store, src: src, set: set}
}

func TestStoredSourceRotatesAtDOT(t *testing.T) {
	for name, client := range map[string][2]string{
		"public client":       {authtest.DefaultClientID, ""},
		"confidential client": {confidentialID, confidentialSecret},
	} {
		t.Run(name, func(t *testing.T) {
			p := newStoredProfile(t, client[0], client[1])
			p.dot.Clock().Advance(time.Hour - 5*time.Second)
			tok, err := p.src.Token(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if tok.AccessToken == p.set.AccessToken || !p.dot.Active(tok.AccessToken) || p.dot.Refreshes() != 1 {
				t.Fatalf("refresh near expiry: new token %v, active %v, refreshes %d", tok.AccessToken != p.set.AccessToken, p.dot.Active(tok.AccessToken), p.dot.Refreshes())
			}
			stored, err := auth.LoadTokenSet(p.store, "default")
			if err != nil {
				t.Fatal(err)
			}
			if stored.RefreshToken == p.set.RefreshToken || stored.Username != authtest.DefaultUsername {
				t.Errorf("stored set not rotated or username lost")
			}
			// The previous refresh token is spent.
			_, err = auth.ExchangeRefreshToken(context.Background(), auth.OAuth2Config(p.dot.Endpoints(), client[0], client[1], nil), nil, p.dot.Clock(), p.set.RefreshToken)
			if err == nil {
				t.Error("the rotated-out refresh token still works")
			}
		})
	}
}

func TestStoredSourceRevokedAtDOTNeedsLogin(t *testing.T) {
	p := newStoredProfile(t, authtest.DefaultClientID, "")
	p.dot.RevokeAll()
	p.dot.Clock().Advance(2 * time.Hour)
	_, err := p.src.Token(context.Background())
	var lerr *auth.LoginRequiredError
	if !errors.As(err, &lerr) {
		t.Fatalf("error %v, want *auth.LoginRequiredError", err)
	}
	if _, err := p.store.Get("default"); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("revoked set still stored: %v", err)
	}
}

// laymanBehindDOT answers like Layman: 403/32 unless DOT says the bearer
// token is active.
func laymanBehindDOT(t *testing.T, dot *authtest.Server) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		if !dot.Active(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")) {
			w.WriteHeader(http.StatusForbidden)
			_, _ = io.WriteString(w, `{"code": 32, "message": "Unsuccessful OAuth2 authentication.", "sub_code": 9}`)
			return
		}
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestTransportRecoversFromTokenRevokedAtDOT(t *testing.T) {
	p := newStoredProfile(t, authtest.DefaultClientID, "")
	layman := laymanBehindDOT(t, p.dot)
	p.dot.Revoke(p.set.AccessToken)
	hc := &http.Client{Transport: auth.Transport(layman.URL, p.src, nil)}
	resp, err := hc.Post(layman.URL+"/rest/workspaces/alice/layers", "application/json", strings.NewReader(`{"name":"roads"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || string(body) != `{"name":"roads"}` {
		t.Errorf("HTTP %d %s, want the replayed body accepted", resp.StatusCode, body)
	}
	if p.dot.Refreshes() != 1 {
		t.Errorf("%d refreshes, want 1", p.dot.Refreshes())
	}
}

func TestPasswordGrantAtDOT(t *testing.T) {
	dot := newDOT(t)
	env := map[string]string{auth.EnvUsername: authtest.DefaultUsername, auth.EnvPassword: authtest.DefaultPassword, auth.EnvClientID: serviceClientID}
	src, kind, err := auth.ResolveCredentials(context.Background(), auth.CredentialOptions{
		Env:       func(k string) string { return env[k] },
		Endpoints: dot.Endpoints(), ClientID: authtest.DefaultClientID, Clock: dot.Clock(),
		Store: func() (keyring.Store, error) { return nil, errors.New("the store must not be opened") },
	})
	if err != nil || kind != auth.KindPasswordGrant {
		t.Fatalf("kind %v, err %v", kind, err)
	}
	tok, err := src.Token(context.Background())
	if err != nil || !dot.Active(tok.AccessToken) {
		t.Fatalf("token active %v, err %v", err == nil && dot.Active(tok.AccessToken), err)
	}
	dot.Clock().Advance(time.Hour)
	renewed, err := src.Token(context.Background())
	if err != nil || renewed.AccessToken == tok.AccessToken || dot.Refreshes() != 1 {
		t.Errorf("after expiry: renewed %v, refreshes %d, err %v", err == nil && renewed.AccessToken != tok.AccessToken, dot.Refreshes(), err)
	}
}

func TestRevokeAtDOT(t *testing.T) {
	p := newStoredProfile(t, confidentialID, confidentialSecret)
	revokeURL := p.dot.Endpoints().RevokeURL
	if err := auth.Revoke(context.Background(), nil, revokeURL, confidentialID, confidentialSecret, p.set.AccessToken, auth.HintAccessToken); err != nil {
		t.Fatal(err)
	}
	if p.dot.Active(p.set.AccessToken) {
		t.Error("access token still active after revocation")
	}
	if err := auth.Revoke(context.Background(), nil, revokeURL, confidentialID, confidentialSecret, p.set.RefreshToken, auth.HintRefreshToken); err != nil {
		t.Fatal(err)
	}
	cfg := auth.OAuth2Config(p.dot.Endpoints(), confidentialID, confidentialSecret, nil)
	if _, err := auth.ExchangeRefreshToken(context.Background(), cfg, nil, p.dot.Clock(), p.set.RefreshToken); err == nil {
		t.Error("refresh token still works after revocation")
	}
	if err := auth.Revoke(context.Background(), nil, revokeURL, confidentialID, "wrong", p.set.RefreshToken, auth.HintRefreshToken); err == nil || !strings.Contains(err.Error(), "invalid_client") {
		t.Errorf("wrong client secret: %v, want invalid_client", err)
	}
}
