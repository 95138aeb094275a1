package dottest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Stats are counts that only this test portal reports, at /testing/stats/.
type Stats struct {
	// TokenRequests counts POSTs to the token endpoint by "GRANT:ok" and
	// "GRANT:error", e.g. "refresh_token:ok".
	TokenRequests        map[string]int `json:"token_requests"`
	AccessTokens         int            `json:"access_tokens"`
	RefreshTokens        int            `json:"refresh_tokens"`
	RevokedRefreshTokens int            `json:"revoked_refresh_tokens"`
}

// Granted is the number of successful token requests of a grant type
// ("authorization_code", "refresh_token", "password").
func (s Stats) Granted(grantType string) int { return s.TokenRequests[grantType+":ok"] }

// Rejected is the number of failed token requests of a grant type.
func (s Stats) Rejected(grantType string) int { return s.TokenRequests[grantType+":error"] }

// Stats reads the portal's counters.
func (d *DOT) Stats(t testing.TB) Stats {
	t.Helper()
	var s Stats
	if err := d.getJSON(context.Background(), d.BaseURL+"/testing/stats/", &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// Introspect asks DOT, as Layman does, whether an access token is active.
func (d *DOT) Introspect(t testing.TB, token string) bool {
	t.Helper()
	active, err := d.introspect(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	return active
}

func (d *DOT) introspect(ctx context.Context, token string) (bool, error) {
	// POST, not GET: a token in the query would land in the server's access log.
	body := url.Values{"token": {token}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.Endpoints().IntrospectURL, strings.NewReader(body))
	if err != nil {
		return false, fmt.Errorf("dottest: introspect: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(Introspector.ID, Introspector.Secret)
	var r struct {
		Active bool `json:"active"`
	}
	if err := d.doJSON(req, &r); err != nil {
		return false, fmt.Errorf("dottest: introspect: %w", err)
	}
	return r.Active, nil
}

// Profile is the portal's user profile, the fields Layman's liferay
// provider reads.
type Profile struct {
	UserID       int    `json:"userId"`
	ScreenName   string `json:"screenName"`
	EmailAddress string `json:"emailAddress"`
	FirstName    string `json:"firstName"`
	LastName     string `json:"lastName"`
}

// Profile asks the portal, as Layman does, whose profile an access token
// opens; status is the HTTP status, and the profile is empty unless 200.
func (d *DOT) Profile(t testing.TB, accessToken string) (Profile, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.ProfileURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	resp, err := d.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var p Profile
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
			t.Fatal(err)
		}
	}
	return p, resp.StatusCode
}

func (d *DOT) getJSON(ctx context.Context, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("dottest: %w", err)
	}
	if err := d.doJSON(req, v); err != nil {
		return fmt.Errorf("dottest: GET %s: %w", u, err)
	}
	return nil
}

func (d *DOT) doJSON(req *http.Request, v any) error {
	resp, err := d.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}
