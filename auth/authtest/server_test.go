package authtest_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/laymanctl/laymanctl/auth/authtest"
)

var noRedirect = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

const verifier = "0123456789abcdef0123456789abcdef0123456789abcdef"

func challenge(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// authorize asks for a code and returns the redirect's query, or the status
// when the server refused to redirect.
func authorize(t *testing.T, s *authtest.Server, params url.Values) (url.Values, int) {
	t.Helper()
	q := url.Values{
		"client_id": {authtest.DefaultClientID}, "redirect_uri": {"http://127.0.0.1:4567/callback"},
		"response_type": {"code"}, "state": {"st"},
		"code_challenge": {challenge(verifier)}, "code_challenge_method": {"S256"},
	}
	for k, v := range params {
		q[k] = v
	}
	resp, err := noRedirect.Get(s.Endpoints().AuthURL + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return nil, resp.StatusCode
	}
	loc, err := resp.Location()
	if err != nil {
		t.Fatal(err)
	}
	return loc.Query(), resp.StatusCode
}

func post(t *testing.T, endpoint string, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(endpoint, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

func exchange(t *testing.T, s *authtest.Server, code, v string) (int, map[string]any) {
	return post(t, s.Endpoints().TokenURL, url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "code_verifier": {v},
		"redirect_uri": {"http://127.0.0.1:4567/callback"}, "client_id": {authtest.DefaultClientID},
	})
}

func TestAuthorizeRedirectURIMatching(t *testing.T) {
	s := authtest.New(t, authtest.Options{})
	for _, tc := range []struct {
		uri  string
		want int
	}{
		{"http://127.0.0.1:4567/callback", http.StatusFound}, // any port on a portless loopback registration
		{"http://127.0.0.1/callback", http.StatusFound},
		{"http://127.0.0.1:4567/other", http.StatusBadRequest},
		{"http://localhost:4567/callback", http.StatusBadRequest},
		{"https://127.0.0.1:4567/callback", http.StatusBadRequest},
		{"http://evil.example/callback", http.StatusBadRequest},
	} {
		if _, got := authorize(t, s, url.Values{"redirect_uri": {tc.uri}}); got != tc.want {
			t.Errorf("redirect_uri %s: status %d, want %d", tc.uri, got, tc.want)
		}
	}
	if _, got := authorize(t, s, url.Values{"client_id": {"nobody"}}); got != http.StatusBadRequest {
		t.Errorf("unknown client: status %d, want 400", got)
	}
}

func TestAuthorizeRequiresPKCEAndCode(t *testing.T) {
	s := authtest.New(t, authtest.Options{})
	for name, params := range map[string]url.Values{
		"no challenge":   {"code_challenge": {""}},
		"plain method":   {"code_challenge_method": {"plain"}},
		"token response": {"response_type": {"token"}},
		"unknown scope":  {"scope": {"read admin"}},
	} {
		q, status := authorize(t, s, params)
		if status != http.StatusFound || q.Get("error") == "" || q.Get("code") != "" || q.Get("state") != "st" {
			t.Errorf("%s: status %d, query %v: want an error redirect with the state and no code", name, status, q)
		}
	}
	s.SetAuthorizeError("access_denied")
	if q, _ := authorize(t, s, nil); q.Get("error") != "access_denied" || q.Get("code") != "" {
		t.Errorf("denied consent: query %v", q)
	}
}

func TestCodeExchangeChecksVerifierAndIsSingleUse(t *testing.T) {
	s := authtest.New(t, authtest.Options{})
	q, _ := authorize(t, s, nil)
	if status, body := exchange(t, s, q.Get("code"), verifier+"x"); status != http.StatusBadRequest || body["error"] != "invalid_grant" {
		t.Fatalf("wrong verifier: %d %v, want 400 invalid_grant", status, body["error"])
	}
	if status, body := exchange(t, s, q.Get("code"), verifier); status != http.StatusOK || body["access_token"] == "" || body["scope"] != "read write" {
		t.Fatalf("right verifier: %d %v", status, body["error"])
	}
	if status, _ := exchange(t, s, q.Get("code"), verifier); status != http.StatusBadRequest {
		t.Fatalf("code reused: status %d, want 400", status)
	}
	if got := s.TokenRequests(authtest.GrantAuthorizationCode); got != 3 {
		t.Errorf("TokenRequests = %d, want 3", got)
	}
}

func TestCodeExpires(t *testing.T) {
	s := authtest.New(t, authtest.Options{Clock: authtest.NewClock(time.Unix(1e9, 0))})
	q, _ := authorize(t, s, nil)
	s.Clock().Advance(2 * time.Minute)
	if status, _ := exchange(t, s, q.Get("code"), verifier); status != http.StatusBadRequest {
		t.Fatalf("expired code: status %d, want 400", status)
	}
}

func TestRefreshRotates(t *testing.T) {
	s := authtest.New(t, authtest.Options{})
	ts, err := s.IssueToken(authtest.DefaultClientID, authtest.DefaultUsername, "read write")
	if err != nil {
		t.Fatal(err)
	}
	refresh := func(rt string) (int, map[string]any) {
		return post(t, s.Endpoints().TokenURL, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {authtest.DefaultClientID}})
	}
	status, body := refresh(ts.RefreshToken)
	if status != http.StatusOK {
		t.Fatalf("refresh: %d %v", status, body)
	}
	if s.Active(ts.AccessToken) {
		t.Error("the old access token is still active after a refresh")
	}
	if status, body := refresh(ts.RefreshToken); status != http.StatusBadRequest || body["error"] != "invalid_grant" {
		t.Errorf("reused refresh token: %d %v, want 400 invalid_grant", status, body["error"])
	}
	if status, _ := refresh(body["refresh_token"].(string)); status != http.StatusOK {
		t.Errorf("rotated refresh token: status %d", status)
	}
	if s.Refreshes() != 2 || s.TokenRequests(authtest.GrantRefreshToken) != 3 {
		t.Errorf("Refreshes = %d, TokenRequests = %d; want 2, 3", s.Refreshes(), s.TokenRequests(authtest.GrantRefreshToken))
	}
}

func TestConfidentialClientAndPasswordGrant(t *testing.T) {
	s := authtest.New(t, authtest.Options{Clients: []authtest.Client{
		{ID: "robot", Secret: "s3cret", Grants: []string{authtest.GrantPassword, authtest.GrantRefreshToken}},
		{ID: "web", RedirectURIs: []string{authtest.DefaultRedirectURI}},
	}})
	form := url.Values{"grant_type": {"password"}, "username": {authtest.DefaultUsername}, "password": {authtest.DefaultPassword}, "client_id": {"robot"}}
	if status, _ := post(t, s.Endpoints().TokenURL, form); status != http.StatusUnauthorized {
		t.Errorf("confidential client without secret: status %d, want 401", status)
	}
	form.Set("client_secret", "s3cret")
	if status, body := post(t, s.Endpoints().TokenURL, form); status != http.StatusOK || body["refresh_token"] == "" {
		t.Errorf("password grant: %d %v", status, body)
	}
	form.Set("password", "wrong")
	if status, body := post(t, s.Endpoints().TokenURL, form); status != http.StatusBadRequest || body["error"] != "invalid_grant" {
		t.Errorf("wrong password: %d %v", status, body)
	}
	form = url.Values{"grant_type": {"password"}, "username": {authtest.DefaultUsername}, "password": {authtest.DefaultPassword}, "client_id": {"web"}}
	if status, body := post(t, s.Endpoints().TokenURL, form); status != http.StatusBadRequest || body["error"] != "unauthorized_client" {
		t.Errorf("password grant for a client without it: %d %v", status, body)
	}
}

func TestIntrospectProfileRevoke(t *testing.T) {
	clock := authtest.NewClock(time.Unix(1e9, 0))
	s := authtest.New(t, authtest.Options{Clock: clock, TokenLifetime: time.Minute,
		Users: []authtest.User{{Username: "bob", Password: "pw", Profile: authtest.Profile{FirstName: "Bob", LastName: "Builder"}}}})
	ts, err := s.IssueToken(authtest.DefaultClientID, "bob", "read write")
	if err != nil {
		t.Fatal(err)
	}
	introspect := func(token string) map[string]any {
		status, body := post(t, s.Endpoints().IntrospectURL, url.Values{"token": {token}, "client_id": {authtest.DefaultClientID}})
		if status != http.StatusOK {
			t.Fatalf("introspect: status %d", status)
		}
		return body
	}
	if got := introspect(ts.AccessToken); got["active"] != true || got["username"] != "bob" || got["scope"] != "read write" || got["exp"] != float64(1e9+60) {
		t.Errorf("introspection of a live token: %v", got)
	}

	req, _ := http.NewRequest(http.MethodGet, s.ProfileURL(), nil)
	req.Header.Set("Authorization", "Bearer "+ts.AccessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var p authtest.Profile
	_ = json.NewDecoder(resp.Body).Decode(&p)
	resp.Body.Close()
	if p.ScreenName != "bob" || p.FirstName != "Bob" || p.UserID == 0 || !strings.Contains(p.EmailAddress, "@") {
		t.Errorf("profile = %+v", p)
	}

	clock.Advance(time.Minute)
	if got := introspect(ts.AccessToken); got["active"] != false {
		t.Errorf("expired token introspected as %v", got)
	}

	ts2, _ := s.IssueToken(authtest.DefaultClientID, "bob", "read")
	if status, _ := post(t, s.Endpoints().RevokeURL, url.Values{"token": {ts2.RefreshToken}, "client_id": {authtest.DefaultClientID}}); status != http.StatusOK {
		t.Fatalf("revoke: status %d", status)
	}
	if s.Active(ts2.AccessToken) {
		t.Error("revoking the refresh token left its access token active")
	}
	ts3, _ := s.IssueToken(authtest.DefaultClientID, "bob", "read")
	s.RevokeAll()
	if s.Active(ts3.AccessToken) || s.Revoke(ts3.RefreshToken) {
		t.Error("RevokeAll left a token live")
	}
}

func TestStartRefusesNonLoopback(t *testing.T) {
	if s, err := authtest.Start(authtest.Options{Addr: "0.0.0.0:0"}); err == nil {
		s.Close()
		t.Fatal("Start listened on a wildcard address")
	}
}
