package auth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

func TestTokenEndpointErrorsAreOneLine(t *testing.T) {
	cases := []struct {
		status      int
		contentType string
		body        string
		want        string
		invalid     bool
	}{
		{500, "text/html", "<!doctype html><html><body><h1>Server Error (500)</h1>" + strings.Repeat("<p>trace</p>", 200) + "</body></html>",
			"the authorization server answered HTTP 500 Internal Server Error", false},
		{400, "application/json", `{"error":"invalid_grant","error_description":"Invalid refresh token"}`,
			"the authorization server refused: invalid_grant (Invalid refresh token)", true},
		{401, "application/json", `{"error":"invalid_client"}`,
			"the authorization server refused: invalid_client; check the client id (--client-id at login, or the profile's client_id) and, for a confidential client, its secret", false},
		{400, "application/json", `{"error":"invalid_grant","error_description":"Mismatching redirect URI."}`,
			"the authorization server refused: invalid_grant (Mismatching redirect URI.); " + RedirectURIAdvice, true},
	}
	for _, c := range cases {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", c.contentType)
			w.WriteHeader(c.status)
			w.Write([]byte(c.body))
		}))
		cfg := &oauth2.Config{ClientID: "laymanctl", Endpoint: oauth2.Endpoint{TokenURL: srv.URL, AuthStyle: oauth2.AuthStyleInParams}}
		_, err := refreshTokenSet(context.Background(), cfg, srv.Client(), SystemClock, &TokenSet{RefreshToken: "rt"})
		srv.Close()
		if err == nil || err.Error() != c.want {
			t.Errorf("HTTP %d: got %v\nwant %s", c.status, err, c.want)
		}
		var te *TokenEndpointError
		if !errors.As(err, &te) || te.Status != c.status {
			t.Errorf("HTTP %d: not a TokenEndpointError: %#v", c.status, err)
		}
		if isInvalidGrant(err) != c.invalid {
			t.Errorf("HTTP %d: isInvalidGrant = %v", c.status, !c.invalid)
		}
	}
}
