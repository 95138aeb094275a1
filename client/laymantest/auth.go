package laymantest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Identity is who a bearer token belongs to, as the authorization server
// and the portal's profile endpoint describe it.
type Identity struct {
	// Username is a Layman username already reserved for this identity;
	// empty until PATCH /rest/current-user reserves one.
	Username string
	// Sub is the user id at the authorization server (profile `userId`).
	Sub string
	// Claims are OpenID-style claims: email, name, given_name,
	// family_name, middle_name, preferred_username.
	Claims map[string]any
}

// TokenValidator checks a bearer token the way Layman's OAuth2 module does.
// It returns ErrInactiveToken for a token that is not active and
// ErrIntrospectionUnreachable when the authorization server cannot be asked.
type TokenValidator interface {
	Validate(ctx context.Context, token string) (Identity, error)
}

// tokenForgetter is implemented by validators with a cache that
// DELETE /rest/current-user flushes.
type tokenForgetter interface {
	Forget(token string)
}

var (
	// ErrInactiveToken makes the fake answer HTTP 403, code 32, sub_code 9.
	ErrInactiveToken = errors.New("laymantest: access token is not active")
	// ErrIntrospectionUnreachable makes the fake answer code 32, sub_code 8.
	ErrIntrospectionUnreachable = errors.New("laymantest: introspection endpoint not reachable")
)

// StaticTokens is a TokenValidator for unit tests: a fixed map from token
// to identity; any other token is inactive.
type StaticTokens map[string]Identity

// Validate implements TokenValidator.
func (s StaticTokens) Validate(_ context.Context, token string) (Identity, error) {
	id, ok := s[token]
	if !ok {
		return Identity{}, ErrInactiveToken
	}
	return id, nil
}

// actor is the authenticated caller of one request.
type actor struct {
	authenticated bool
	username      string // "" for anonymous or not yet reserved
	subKey        string
	token         string
}

const authzHeader = "Authorization"

// authenticate mirrors layman.authn.oauth2.authenticate: no header is
// anonymous; a malformed header is code 32 with sub_code 3, 4 or 5. Code 32
// keeps the table's message and carries the specific text in detail
// (src/layman/authn/oauth2/__init__.py, LaymanError.to_dict in src/layman/http.py).
func (s *Server) authenticate(r *http.Request) (*actor, *laymanError, error) {
	header, present := r.Header[authzHeader]
	if !present {
		return &actor{}, nil, nil
	}
	value := ""
	if len(header) > 0 {
		value = header[0]
	}
	parts := strings.Split(value, " ")
	if len(parts) != 2 {
		return nil, newSubError(32, 3, fmt.Sprintf("HTTP header Authorization must have 2 parts: \"Bearer <access_token>\", but has %d parts.", len(parts))), nil
	}
	if parts[0] != "Bearer" {
		return nil, newSubError(32, 4, "First part of HTTP header Authorization must be \"Bearer\", but it's "+parts[0]), nil
	}
	token := parts[1]
	// HTTP servers trim trailing spaces from header values, so "Bearer " usually
	// arrives as "Bearer" (sub_code 3); Layman's check is kept for completeness.
	if token == "" {
		return nil, newSubError(32, 5, "HTTP header Authorization contains empty access token. The structure must be \"Bearer <access_token>\""), nil
	}
	if s.tokenRevoked(token) {
		return nil, inactiveTokenError(), nil
	}
	id, err := s.validator.Validate(r.Context(), token)
	switch {
	case errors.Is(err, ErrIntrospectionUnreachable):
		return nil, newSubError(32, 8, "Introspection endpoint is not reachable or returned status code other than 200."), nil
	case errors.Is(err, ErrInactiveToken):
		return nil, inactiveTokenError(), nil
	case err != nil:
		return nil, nil, err
	}
	a := &actor{authenticated: true, token: token}
	a.subKey, a.username = s.users.resolve(id, token)
	return a, nil, nil
}

func inactiveTokenError() *laymanError {
	return newSubError(32, 9, "Introspection endpoint claims that access token is not active or it's not Bearer token.")
}

// tokenRevoked reports whether a test made token invalid with ExpireTokens
// or SetTokenInvalid; it also remembers the token for ExpireTokens.
func (s *Server) tokenRevoked(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, bad := s.invalidTokens[token]; bad {
		return true
	}
	s.seenTokens[token] = struct{}{}
	return false
}

// ExpireTokens makes every token the server has seen so far inactive
// (HTTP 403, code 32, sub_code 9); tokens it has not seen yet stay valid, so
// a client that refreshes recovers.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t := range s.seenTokens {
		s.invalidTokens[t] = struct{}{}
	}
	s.seenTokens = map[string]struct{}{}
}

// SetTokenInvalid makes one token inactive from now on.
func (s *Server) SetTokenInvalid(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.invalidTokens[token] = struct{}{}
}
