package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/laymanctl/laymanctl/auth/dottest"
)

// What the tests ask DOT directly, behind laymanctl's back.

// tokenAnswer is the token endpoint's JSON, success or error.
type tokenAnswer struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	Error        string `json:"error"`
}

// postToDOT sends a form to one of DOT's endpoints as client c: the secret
// in HTTP Basic for a confidential client, the id in the form for a public
// one.
func postToDOT(t *testing.T, endpoint string, c dottest.Client, form url.Values) (int, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if c.Secret == "" {
		form.Set("client_id", c.ID)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if c.Secret != "" {
		req.SetBasicAuth(c.ID, c.Secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

// refreshAtDOT spends refreshToken at the token endpoint.
func refreshAtDOT(t *testing.T, d *dottest.DOT, c dottest.Client, refreshToken string) tokenAnswer {
	t.Helper()
	_, body := postToDOT(t, d.Endpoints().TokenURL, c, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}})
	var a tokenAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		t.Fatalf("token endpoint answered no JSON: %v", err)
	}
	return a
}

// wantDeadRefreshToken checks that DOT refuses refreshToken as a used or
// revoked grant.
func wantDeadRefreshToken(t *testing.T, d *dottest.DOT, c dottest.Client, refreshToken, why string) {
	t.Helper()
	if a := refreshAtDOT(t, d, c, refreshToken); a.Error != "invalid_grant" {
		t.Errorf("%s: refreshing with it at DOT gave error %q (access token issued: %v), want invalid_grant", why, a.Error, a.AccessToken != "")
	}
}

// revokeAtDOT revokes a token (RFC 7009) as its client.
func revokeAtDOT(t *testing.T, d *dottest.DOT, c dottest.Client, token, hint string) {
	t.Helper()
	status, _ := postToDOT(t, d.Endpoints().RevokeURL, c, url.Values{"token": {token}, "token_type_hint": {hint}})
	if status != http.StatusOK {
		t.Fatalf("revoking a %s at DOT: HTTP %d", hint, status)
	}
}

// passwordGrant gets tokens for u through the CI client, as a pipeline's
// secret would hold them.
func passwordGrant(t *testing.T, d *dottest.DOT, u dottest.User) tokenAnswer {
	t.Helper()
	_, body := postToDOT(t, d.Endpoints().TokenURL, dottest.PasswordClient, url.Values{
		"grant_type": {"password"}, "username": {u.Username}, "password": {u.Password}, "scope": {"read write"},
	})
	var a tokenAnswer
	if err := json.Unmarshal(body, &a); err != nil || a.AccessToken == "" {
		t.Fatalf("password grant failed: error %q, %v", a.Error, err)
	}
	return a
}

// profileUserID is the portal's user id for an access token, the subject
// Layman keys its users by.
func profileUserID(t *testing.T, d *dottest.DOT, accessToken string) string {
	t.Helper()
	p, status := d.Profile(t, accessToken)
	if status != http.StatusOK || p.UserID == 0 {
		t.Fatalf("profile: HTTP %d, userId %d", status, p.UserID)
	}
	return strconv.Itoa(p.UserID)
}
