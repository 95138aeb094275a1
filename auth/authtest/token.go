package authtest

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
)

// oauthError is an RFC 6749 section 5.2 error answer.
type oauthError struct {
	status      int
	Code        string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeOAuthError(w http.ResponseWriter, e *oauthError) {
	if e.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="authtest"`)
	}
	writeJSON(w, e.status, e)
}

var errInvalidClient = &oauthError{status: http.StatusUnauthorized, Code: "invalid_client"}

// authenticateClientLocked identifies the client by HTTP Basic or by
// client_id/client_secret in the body; a public client needs only its id.
func (s *Server) authenticateClientLocked(r *http.Request) (*Client, *oauthError) {
	id, secret, basic := r.BasicAuth()
	if !basic {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	c := s.clients[id]
	if c == nil {
		return nil, errInvalidClient
	}
	if c.confidential() && subtle.ConstantTimeCompare([]byte(secret), []byte(c.Secret)) != 1 {
		return nil, errInvalidClient
	}
	return c, nil
}

// clientEndpoint serves an endpoint where the client authenticates
// (RFC 6749 section 2.3): serve runs with the form parsed, s.mu held and the
// client identified; a bad form or client gets the OAuth error instead.
func (s *Server) clientEndpoint(serve func(http.ResponseWriter, *http.Request, *Client)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			writeOAuthError(w, &oauthError{status: http.StatusBadRequest, Code: "invalid_request"})
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		client, oerr := s.authenticateClientLocked(r)
		if oerr != nil {
			writeOAuthError(w, oerr)
			return
		}
		serve(w, r, client)
	}
}

// handleToken counts every request, failed ones included, so it
// authenticates the client itself after counting.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, &oauthError{status: http.StatusBadRequest, Code: "invalid_request"})
		return
	}
	grant := r.PostForm.Get("grant_type")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenRequests[grant]++
	client, oerr := s.authenticateClientLocked(r)
	if oerr != nil {
		writeOAuthError(w, oerr)
		return
	}
	if !client.allows(grant) {
		code := "unauthorized_client"
		if grant != GrantAuthorizationCode && grant != GrantRefreshToken && grant != GrantPassword && grant != GrantDeviceCode {
			code = "unsupported_grant_type"
		}
		writeOAuthError(w, &oauthError{status: http.StatusBadRequest, Code: code})
		return
	}
	var resp tokenResponse
	switch grant {
	case GrantAuthorizationCode:
		resp, oerr = s.exchangeCodeLocked(client, r)
	case GrantRefreshToken:
		resp, oerr = s.refreshLocked(client, r)
	case GrantPassword:
		resp, oerr = s.passwordLocked(client, r)
	case GrantDeviceCode:
		resp, oerr = s.deviceTokenLocked(client, r)
	}
	if oerr != nil {
		writeOAuthError(w, oerr)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func invalidGrant(description string) *oauthError {
	return &oauthError{status: http.StatusBadRequest, Code: "invalid_grant", Description: description}
}

func (s *Server) exchangeCodeLocked(client *Client, r *http.Request) (tokenResponse, *oauthError) {
	code := s.codes[r.PostForm.Get("code")]
	switch {
	case code == nil || code.used || code.clientID != client.ID || !s.clock.Now().Before(code.expires):
		return tokenResponse{}, invalidGrant("")
	case code.redirectURI != r.PostForm.Get("redirect_uri"):
		return tokenResponse{}, invalidGrant("Mismatching redirect URI.")
	case !verifierMatches(r.PostForm.Get("code_verifier"), code.challenge):
		return tokenResponse{}, invalidGrant("Code verifier does not match challenge.")
	}
	code.used = true
	return s.issueLocked(client.ID, code.username, code.scope), nil
}

// verifierMatches checks RFC 7636 S256: BASE64URL(SHA256(verifier)) == challenge.
func verifierMatches(verifier, challenge string) bool {
	if len(verifier) < 43 || len(verifier) > 128 {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	got := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(got), []byte(challenge)) == 1
}

// refreshLocked rotates the refresh token: the old one and its access token
// are revoked, so a second use gets invalid_grant (DOT's default, grace 0).
func (s *Server) refreshLocked(client *Client, r *http.Request) (tokenResponse, *oauthError) {
	rt := s.refresh[r.PostForm.Get("refresh_token")]
	if rt == nil || rt.revoked || rt.clientID != client.ID {
		return tokenResponse{}, invalidGrant("")
	}
	scope := rt.scope
	if asked := r.PostForm.Get("scope"); asked != "" {
		granted := strings.Fields(rt.scope)
		for _, sc := range strings.Fields(asked) {
			if !slices.Contains(granted, sc) {
				return tokenResponse{}, &oauthError{status: http.StatusBadRequest, Code: "invalid_scope"}
			}
		}
		scope = strings.Join(strings.Fields(asked), " ")
	}
	rt.revoked = true
	delete(s.access, rt.access)
	s.refreshes++
	return s.issueLocked(client.ID, rt.username, scope), nil
}

func (s *Server) passwordLocked(client *Client, r *http.Request) (tokenResponse, *oauthError) {
	u := s.users[r.PostForm.Get("username")]
	if u == nil || subtle.ConstantTimeCompare([]byte(r.PostForm.Get("password")), []byte(u.Password)) != 1 {
		return tokenResponse{}, invalidGrant("Invalid credentials given.")
	}
	scope := strings.Join(strings.Fields(r.PostForm.Get("scope")), " ")
	if scope == "" {
		scope = defaultScope
	}
	return s.issueLocked(client.ID, u.Username, scope), nil
}
