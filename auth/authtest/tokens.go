package authtest

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/laymanctl/laymanctl/auth"
)

type authorizationCode struct {
	clientID    string
	username    string
	redirectURI string
	challenge   string
	scope       string
	expires     time.Time
	used        bool
}

type accessToken struct {
	clientID string
	username string
	scope    string
	expires  time.Time
}

type refreshToken struct {
	clientID string
	username string
	scope    string
	access   string // the access token issued with it
	revoked  bool
}

func randomToken() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// tokenResponse is the token endpoint's answer.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	ExpiresIn    int64  `json:"expires_in"`
	TokenType    string `json:"token_type"`
	Scope        string `json:"scope"`
	RefreshToken string `json:"refresh_token"`
}

// issueLocked creates an access and refresh token pair; s.mu must be held.
func (s *Server) issueLocked(clientID, username, scope string) tokenResponse {
	at, rt := randomToken(), randomToken()
	s.access[at] = &accessToken{clientID: clientID, username: username, scope: scope, expires: s.clock.Now().Add(s.lifetime)}
	s.refresh[rt] = &refreshToken{clientID: clientID, username: username, scope: scope, access: at}
	return tokenResponse{AccessToken: at, ExpiresIn: int64(s.lifetime / time.Second), TokenType: "Bearer", Scope: scope, RefreshToken: rt}
}

// activeAccessLocked returns the access token if it is known, unexpired and
// not revoked; s.mu must be held.
func (s *Server) activeAccessLocked(token string) *accessToken {
	at := s.access[token]
	if at == nil || !s.clock.Now().Before(at.expires) {
		return nil
	}
	return at
}

// revokeLocked revokes an access or refresh token (a refresh token takes its
// access token with it, as in DOT); s.mu must be held.
func (s *Server) revokeLocked(token string) bool {
	if _, ok := s.access[token]; ok {
		delete(s.access, token)
		return true
	}
	if rt, ok := s.refresh[token]; ok && !rt.revoked {
		rt.revoked = true
		delete(s.access, rt.access)
		return true
	}
	return false
}

// IssueToken creates a token set directly, without a login, for tests that
// start from a stored token set.
func (s *Server) IssueToken(clientID, username, scope string) (*auth.TokenSet, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.clients[clientID] == nil {
		return nil, fmt.Errorf("unknown client %q", clientID)
	}
	if s.users[username] == nil {
		return nil, fmt.Errorf("%w %q", errUnknownUser, username)
	}
	r := s.issueLocked(clientID, username, scope)
	return &auth.TokenSet{AccessToken: r.AccessToken, RefreshToken: r.RefreshToken, TokenType: r.TokenType,
		Expiry: s.clock.Now().Add(s.lifetime), Scope: r.Scope}, nil
}

// Revoke revokes one access or refresh token behind the client's back and
// reports whether it was live.
func (s *Server) Revoke(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.revokeLocked(token)
}

// RevokeAll revokes every token issued so far.
func (s *Server) RevokeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.access)
	for _, rt := range s.refresh {
		rt.revoked = true
	}
}

// ActiveTokens counts the access tokens currently accepted: the sessions
// nobody has revoked yet.
func (s *Server) ActiveTokens() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for token := range s.access {
		if s.activeAccessLocked(token) != nil {
			n++
		}
	}
	return n
}

// Active reports whether an access token is currently accepted.
func (s *Server) Active(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.activeAccessLocked(token) != nil
}
