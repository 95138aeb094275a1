package authtest

import (
	"net/http"
	"slices"
	"strings"
)

// handleRevoke is RFC 7009 revocation: the client authenticates, and the
// answer is 200 whether or not the token was live.
func (s *Server) handleRevoke(w http.ResponseWriter, r *http.Request, client *Client) {
	token := r.PostForm.Get("token")
	if s.ownerLocked(token) == client.ID {
		s.revokeLocked(token)
	}
	w.WriteHeader(http.StatusOK)
}

// ownerLocked is the client id a token was issued to, or "".
func (s *Server) ownerLocked(token string) string {
	if at := s.access[token]; at != nil {
		return at.clientID
	}
	if rt := s.refresh[token]; rt != nil {
		return rt.clientID
	}
	return ""
}

// introspection is the RFC 7662 answer in DOT's shape.
type introspection struct {
	Active   bool   `json:"active"`
	Scope    string `json:"scope,omitempty"`
	Exp      int64  `json:"exp,omitempty"`
	ClientID string `json:"client_id,omitempty"`
	Username string `json:"username,omitempty"`
}

// handleIntrospect accepts, like DOT, either a bearer token with the
// introspection scope or client credentials (Layman sends the latter).
func (s *Server) handleIntrospect(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, &oauthError{status: http.StatusBadRequest, Code: "invalid_request"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if caller := s.activeAccessLocked(bearer(r)); caller != nil {
		if !slices.Contains(strings.Fields(caller.scope), "introspection") {
			writeJSON(w, http.StatusForbidden, map[string]string{"detail": "the token lacks the introspection scope"})
			return
		}
	} else if _, oerr := s.authenticateClientLocked(r); oerr != nil {
		writeOAuthError(w, oerr)
		return
	}
	at := s.activeAccessLocked(r.Form.Get("token"))
	if at == nil {
		writeJSON(w, http.StatusOK, introspection{})
		return
	}
	writeJSON(w, http.StatusOK, introspection{Active: true, Scope: at.scope, Exp: at.expires.Unix(), ClientID: at.clientID, Username: at.username})
}

func bearer(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return token
}

// handleProfile is the portal's user profile, for a token with scope read.
func (s *Server) handleProfile(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	at := s.activeAccessLocked(bearer(r))
	if at == nil {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"detail": "Authentication credentials were not provided or are invalid."})
		return
	}
	if !slices.Contains(strings.Fields(at.scope), "read") {
		writeJSON(w, http.StatusForbidden, map[string]string{"detail": "the token lacks the read scope"})
		return
	}
	u := s.users[at.username]
	if u == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"detail": "no such user"})
		return
	}
	writeJSON(w, http.StatusOK, u.Profile)
}
