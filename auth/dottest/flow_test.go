package dottest_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/laymanctl/laymanctl/auth"
	"github.com/laymanctl/laymanctl/auth/dottest"
	"golang.org/x/oauth2"
)

func TestRobotLoginGivesTokenForProfile(t *testing.T) {
	d := portal(t)
	tok := login(t, d, dottest.PublicClient, d.Robot(dottest.Alice.Username, dottest.Alice.Password))
	if tok.RefreshToken == "" {
		t.Fatal("no refresh token")
	}
	wantProfile(t, d, tok.AccessToken, dottest.Alice)
	if !d.Introspect(t, tok.AccessToken) {
		t.Fatal("fresh access token is inactive")
	}
}

// auth login asks DOT's authorize endpoint before it opens a browser
// there: DOT answers (a redirect to its login page, which is not followed,
// and no session or grant is made) and a wrong base answers 404.
func TestAuthorizeEndpointCheck(t *testing.T) {
	d := portal(t)
	before := d.Stats(t)
	if err := auth.CheckAuthorizeEndpoint(context.Background(), nil, d.Endpoints().AuthURL); err != nil {
		t.Errorf("DOT's authorize endpoint: %v", err)
	}
	var missing *auth.AuthorizeEndpointMissingError
	for _, wrong := range []string{d.BaseURL + "/authorize/", d.BaseURL + "/oauth/authorize/"} {
		if err := auth.CheckAuthorizeEndpoint(context.Background(), nil, wrong); !errors.As(err, &missing) || missing.URL != wrong {
			t.Errorf("%s: %v, want it named as missing", wrong, err)
		}
	}
	if after := d.Stats(t); !reflect.DeepEqual(after, before) {
		t.Errorf("the check changed DOT's state: %+v, then %+v", before, after)
	}
}

func TestProfileRejectsUnknownToken(t *testing.T) {
	d := portal(t)
	if _, status := d.Profile(t, "not-a-token"); status != http.StatusUnauthorized {
		t.Fatalf("profile with an unknown token: HTTP %d, want 401", status)
	}
}

func TestConfidentialClientNeedsItsSecret(t *testing.T) {
	d := portal(t)
	tok := login(t, d, dottest.ConfidentialClient, d.Robot(dottest.Bob.Username, dottest.Bob.Password))
	wantProfile(t, d, tok.AccessToken, dottest.Bob)

	l := newListener(t)
	conf := oauthConfig(d, dottest.Client{ID: dottest.ConfidentialClient.ID, Secret: "wrong"}, l.redirectURI())
	verifier := oauth2.GenerateVerifier()
	if err := d.Robot(dottest.Bob.Username, dottest.Bob.Password)(conf.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier))); err != nil {
		t.Fatal(err)
	}
	_, err := conf.Exchange(context.Background(), l.wait(t).Get("code"), oauth2.VerifierOption(verifier))
	wantOAuthError(t, err, "invalid_client")
}

func TestRefreshRotatesRefreshToken(t *testing.T) {
	d := portal(t)
	tok := login(t, d, dottest.PublicClient, d.Robot(dottest.Alice.Username, dottest.Alice.Password))
	conf := oauthConfig(d, dottest.PublicClient, "")
	before := d.Stats(t).Granted("refresh_token")

	expired := &oauth2.Token{RefreshToken: tok.RefreshToken, Expiry: time.Now().Add(-time.Hour)}
	fresh, err := conf.TokenSource(context.Background(), expired).Token()
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if fresh.RefreshToken == "" || fresh.RefreshToken == tok.RefreshToken {
		t.Fatal("refresh did not rotate the refresh token")
	}
	wantProfile(t, d, fresh.AccessToken, dottest.Alice)
	if d.Introspect(t, tok.AccessToken) {
		t.Error("the access token of the rotated refresh token is still active")
	}
	if got := d.Stats(t).Granted("refresh_token"); got != before+1 {
		t.Errorf("refresh grants = %d, want %d", got, before+1)
	}

	expired = &oauth2.Token{RefreshToken: tok.RefreshToken, Expiry: time.Now().Add(-time.Hour)}
	_, err = conf.TokenSource(context.Background(), expired).Token()
	wantOAuthError(t, err, "invalid_grant")
}

func TestRevokeMakesTokenInactive(t *testing.T) {
	d := portal(t)
	tok := login(t, d, dottest.PublicClient, d.Robot(dottest.Alice.Username, dottest.Alice.Password))
	form := url.Values{"token": {tok.AccessToken}, "client_id": {dottest.PublicClient.ID}}
	resp, err := http.PostForm(d.Endpoints().RevokeURL, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("revoke: HTTP %d", resp.StatusCode)
	}
	if d.Introspect(t, tok.AccessToken) {
		t.Fatal("revoked access token is active")
	}
	if _, status := d.Profile(t, tok.AccessToken); status != http.StatusUnauthorized {
		t.Fatalf("profile with a revoked token: HTTP %d, want 401", status)
	}
}

func TestPasswordGrant(t *testing.T) {
	d := portal(t)
	conf := oauthConfig(d, dottest.PasswordClient, "")
	tok, err := conf.PasswordCredentialsToken(context.Background(), dottest.Bob.Username, dottest.Bob.Password)
	if err != nil {
		t.Fatalf("password grant: %v", err)
	}
	wantProfile(t, d, tok.AccessToken, dottest.Bob)
	if !d.Introspect(t, tok.AccessToken) {
		t.Fatal("password-grant token is inactive")
	}
	_, err = conf.PasswordCredentialsToken(context.Background(), dottest.Bob.Username, "wrong")
	wantOAuthError(t, err, "invalid_grant")
}

func TestAuthorizationWithoutPKCEIsRejected(t *testing.T) {
	d := portal(t)
	l := newListener(t)
	conf := oauthConfig(d, dottest.PublicClient, l.redirectURI())
	err := d.Robot(dottest.Alice.Username, dottest.Alice.Password)(conf.AuthCodeURL("s"))
	if err == nil {
		t.Fatal("robot reported success though the listener answered an error")
	}
	q := l.wait(t)
	if q.Get("error") != "invalid_request" || q.Get("code") != "" {
		t.Fatalf("callback error = %q, code present %v; want invalid_request and no code", q.Get("error"), q.Get("code") != "")
	}
}

func TestRobotRejectsWrongPassword(t *testing.T) {
	d := portal(t)
	l := newListener(t)
	conf := oauthConfig(d, dottest.PublicClient, l.redirectURI())
	err := d.Robot(dottest.Alice.Username, "wrong")(conf.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	if err == nil || !strings.Contains(err.Error(), "rejected the credentials") {
		t.Fatalf("robot error = %v, want rejected credentials", err)
	}
}

func TestTokenLifetimeOption(t *testing.T) {
	d := dottest.Start(t, dottest.Options{TokenLifetime: 7 * time.Second})
	tok, err := oauthConfig(d, dottest.PasswordClient, "").PasswordCredentialsToken(context.Background(), dottest.Alice.Username, dottest.Alice.Password)
	if err != nil {
		t.Fatal(err)
	}
	if got := tok.Extra("expires_in"); got != 7.0 {
		t.Fatalf("expires_in = %v, want 7", got)
	}
}

// The robot command runs detached, as the CLI starts LAYMAN_BROWSER.
func TestRobotCommandDetached(t *testing.T) {
	d := portal(t)
	bin := dottest.BuildRobot(t)
	logPath := filepath.Join(t.TempDir(), "robot.log")
	l := newListener(t)
	conf := oauthConfig(d, dottest.PublicClient, l.redirectURI())
	verifier := oauth2.GenerateVerifier()
	cmd := exec.Command(bin, conf.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier)))
	cmd.Env = append(os.Environ(), dottest.RobotEnv(dottest.Alice.Username, dottest.Alice.Password, logPath)...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Wait() })
	code := l.wait(t).Get("code")
	tok, err := conf.Exchange(context.Background(), code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	wantProfile(t, d, tok.AccessToken, dottest.Alice)
	if err := cmd.Wait(); err != nil {
		log, _ := os.ReadFile(logPath)
		t.Fatalf("robot: %v: %s", err, log)
	}
}

func wantOAuthError(t *testing.T, err error, code string) {
	t.Helper()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != code {
		t.Fatalf("error = %v, want OAuth2 error %s", err, code)
	}
}
