package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"golang.org/x/oauth2"
)

// PasswordSource logs in with the password grant (service accounts in CI)
// right away, so that wrong credentials fail before any work starts. Its
// tokens live in memory only: renewed with the refresh token when there is
// one, else by running the password grant again.
func PasswordSource(ctx context.Context, cfg *oauth2.Config, username, password string, hc *http.Client, clock Clock) (TokenSource, error) {
	if clock == nil {
		clock = SystemClock
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	s := &passwordSource{cfg: cfg, username: username, password: password, hc: hc, clock: clock, slow: make(chan struct{}, 1)}
	ts, err := s.grant(ctx)
	if err != nil {
		return nil, err
	}
	s.current = ts
	return s, nil
}

type passwordSource struct {
	cfg                *oauth2.Config
	username, password string
	hc                 *http.Client
	clock              Clock
	// slow guards current and admits one renewal at a time; waiting on it
	// honours ctx.
	slow    chan struct{}
	current *TokenSet
}

func (s *passwordSource) Token(ctx context.Context) (*oauth2.Token, error) {
	return s.renew(ctx, func(ts *TokenSet) bool { return validFor(ts, s.clock, ts.leeway(DefaultLeeway)) })
}

func (s *passwordSource) ForceRefresh(ctx context.Context, stale string) (*oauth2.Token, error) {
	return s.renew(ctx, func(ts *TokenSet) bool {
		return ts.AccessToken != stale && validFor(ts, s.clock, ts.leeway(DefaultLeeway))
	})
}

func (s *passwordSource) renew(ctx context.Context, usable func(*TokenSet) bool) (*oauth2.Token, error) {
	select {
	case s.slow <- struct{}{}:
		defer func() { <-s.slow }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if usable(s.current) {
		return s.current.OAuth2(), nil
	}
	if s.current.RefreshToken != "" {
		next, err := refreshTokenSet(ctx, s.cfg, s.hc, s.clock, s.current)
		if err == nil {
			s.current = next
			return next.OAuth2(), nil
		}
		if !isInvalidGrant(err) {
			return nil, fmt.Errorf("refreshing the access token: %w", err)
		}
		// The refresh token has expired: the password still works.
	}
	next, err := s.grant(ctx)
	if err != nil {
		return nil, err
	}
	s.current = next
	return next.OAuth2(), nil
}

// grant runs the password grant.
func (s *passwordSource) grant(ctx context.Context) (*TokenSet, error) {
	sent := s.clock.Now()
	tok, err := s.cfg.PasswordCredentialsToken(context.WithValue(ctx, oauth2.HTTPClient, s.hc), s.username, s.password)
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && (re.ErrorCode == "invalid_grant" || clientRefused(re.ErrorCode)) {
			return nil, &LoginRequiredError{
				Reason: fmt.Sprintf("the authorization server refused the password grant for %s (%s)", EnvUsername, re.ErrorCode),
				Hint:   "check " + EnvUsername + ", " + EnvPassword + " and the client id and secret",
				Err:    err,
			}
		}
		return nil, fmt.Errorf("password grant: %w", tokenEndpointError(err))
	}
	return mergeToken(&TokenSet{}, tok, sent), nil
}
