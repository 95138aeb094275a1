package authtest

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// codeLifetime is DOT's AUTHORIZATION_CODE_EXPIRE_SECONDS default.
const codeLifetime = 60 * time.Second

// knownScopes are DOT's default scopes plus the one introspection needs.
var knownScopes = []string{"read", "write", "introspection"}

const defaultScope = "read write"

// handleAuthorize consents automatically on behalf of the consent user, as
// DOT does for an application with skip_authorization.
func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	client := s.clients[q.Get("client_id")]
	if client == nil {
		// Never redirect for an unknown client or redirect URI (RFC 6749 4.1.2.1).
		http.Error(w, "invalid client_id", http.StatusBadRequest)
		return
	}
	redirectURI := q.Get("redirect_uri")
	if !client.redirectAllowed(redirectURI) {
		http.Error(w, "mismatching redirect URI", http.StatusBadRequest)
		return
	}
	state := q.Get("state")
	fail := func(code, description string) {
		redirect(w, r, redirectURI, url.Values{"error": {code}, "error_description": {description}}, state)
	}
	switch {
	case q.Get("response_type") != "code":
		fail("unsupported_response_type", "response_type must be code")
		return
	case !client.allows(GrantAuthorizationCode):
		fail("unauthorized_client", "the application may not use the authorization code grant")
		return
	case q.Get("code_challenge") == "":
		fail("invalid_request", "Code challenge required.")
		return
	case q.Get("code_challenge_method") != "S256":
		fail("invalid_request", "Transform algorithm not supported.")
		return
	}
	scope := q.Get("scope")
	if scope == "" {
		scope = defaultScope
	}
	for _, sc := range strings.Fields(scope) {
		if !slices.Contains(knownScopes, sc) {
			fail("invalid_scope", "unknown scope "+sc)
			return
		}
	}
	if s.authorizeError != "" {
		redirect(w, r, redirectURI, url.Values{"error": {s.authorizeError}}, state)
		return
	}
	code := randomToken()
	s.codes[code] = &authorizationCode{
		clientID: client.ID, username: s.consentUser, redirectURI: redirectURI,
		challenge: q.Get("code_challenge"), scope: strings.Join(strings.Fields(scope), " "),
		expires: s.clock.Now().Add(codeLifetime),
	}
	redirect(w, r, redirectURI, url.Values{"code": {code}}, state)
}

// redirect answers with 302 to the client's redirect URI, keeping its query.
func redirect(w http.ResponseWriter, r *http.Request, redirectURI string, params url.Values, state string) {
	u, _ := url.Parse(redirectURI) // validated by redirectAllowed
	q := u.Query()
	for k, v := range params {
		q[k] = v
	}
	if state != "" {
		q.Set("state", state)
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}
