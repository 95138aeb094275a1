package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"

	"github.com/laymanctl/laymanctl/keyring"
)

// TokenSource gives the access token for the next request and renews it
// when Layman has rejected it.
type TokenSource interface {
	// Token returns an access token valid for at least the leeway.
	Token(ctx context.Context) (*oauth2.Token, error)
	// ForceRefresh returns an access token other than stale, refreshing
	// unless someone else already has.
	ForceRefresh(ctx context.Context, stale string) (*oauth2.Token, error)
}

// DefaultLeeway is how long before expiry an access token is refreshed (the
// reference client's rule).
const DefaultLeeway = 10 * time.Second

// SourceOptions configure a StoredSource.
type SourceOptions struct {
	Profile string
	Store   keyring.Store
	// LockDir holds one lock file per profile, <LockDir>/<profile>.lock.
	LockDir string
	// Config carries the token URL and client credentials.
	Config     *oauth2.Config
	HTTPClient *http.Client
	Clock      Clock
	// Leeway defaults to DefaultLeeway.
	Leeway time.Duration
}

// StoredSource is the token source of a profile logged in with `auth login`.
// Refresh tokens rotate, so every refresh happens under the profile's
// cross-process lock after re-reading the store, and the new set is saved
// before the lock is released: N processes with an expired token make one
// refresh between them.
type StoredSource struct {
	o SourceOptions
	// cached is read without locking on the fast path.
	cached atomic.Pointer[TokenSet]
	// slow admits one goroutine at a time to loading and refreshing; a
	// channel rather than a mutex so that waiting honours ctx.
	slow chan struct{}
	// loaded records that the store has been read once.
	loaded bool
}

// NewStoredSource returns a source that reads the profile's token set from
// the store on first use.
func NewStoredSource(o SourceOptions) *StoredSource {
	if o.Clock == nil {
		o.Clock = SystemClock
	}
	if o.Leeway <= 0 {
		o.Leeway = DefaultLeeway
	}
	if o.HTTPClient == nil {
		o.HTTPClient = http.DefaultClient
	}
	return &StoredSource{o: o, slow: make(chan struct{}, 1)}
}

// seed sets the token set already read by the caller, so the first Token
// call needs no second store read.
func (s *StoredSource) seed(ts *TokenSet) {
	s.cached.Store(ts)
	s.loaded = true
}

// Token returns the cached access token while it is valid for more than the
// leeway (no lock, no store access), otherwise the one another process
// stored meanwhile, otherwise a refreshed one.
func (s *StoredSource) Token(ctx context.Context) (*oauth2.Token, error) {
	if ts := s.cached.Load(); ts != nil && s.fresh(ts) {
		return ts.OAuth2(), nil
	}
	return s.renew(ctx, func(ts *TokenSet) bool { return s.fresh(ts) })
}

// ForceRefresh is Token after Layman rejected stale (HTTP 403, code 32): it
// refreshes unless the store already holds a different access token.
func (s *StoredSource) ForceRefresh(ctx context.Context, stale string) (*oauth2.Token, error) {
	return s.renew(ctx, func(ts *TokenSet) bool { return ts.AccessToken != stale && s.fresh(ts) })
}

// renew returns a set satisfying usable: the cached one, the stored one, or
// a refreshed one, in that order.
func (s *StoredSource) renew(ctx context.Context, usable func(*TokenSet) bool) (*oauth2.Token, error) {
	select {
	case s.slow <- struct{}{}:
		defer func() { <-s.slow }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if !s.loaded {
		// The first read needs no lock: stores replace a set atomically.
		ts, err := s.load()
		if err != nil {
			return nil, err
		}
		s.loaded = true
		s.cached.Store(ts)
	}
	if ts := s.cached.Load(); ts != nil && usable(ts) {
		return ts.OAuth2(), nil
	}

	unlock, err := lockProfile(ctx, s.o.LockDir, s.o.Profile)
	if err != nil {
		return nil, err
	}
	defer unlock()
	// Another process may have refreshed while we waited for the lock.
	ts, err := s.load()
	if err != nil {
		return nil, err
	}
	if usable(ts) {
		s.cached.Store(ts)
		return ts.OAuth2(), nil
	}
	if ts.RefreshToken == "" {
		return nil, s.forget(&LoginRequiredError{Profile: s.o.Profile, Reason: "the stored access token has expired and there is no refresh token"})
	}
	next, err := refreshTokenSet(ctx, s.o.Config, s.o.HTTPClient, s.o.Clock, ts)
	if err != nil {
		if isInvalidGrant(err) {
			return nil, s.forget(&LoginRequiredError{Profile: s.o.Profile, Reason: "the stored session has expired or was revoked", Err: err})
		}
		return nil, fmt.Errorf("refreshing the access token: %w", err)
	}
	// Saved before the lock is released: the old refresh token is dead now.
	if err := SaveTokenSet(s.o.Store, s.o.Profile, next); err != nil {
		return nil, fmt.Errorf("saving the refreshed token set: %w", err)
	}
	s.cached.Store(next)
	return next.OAuth2(), nil
}

// load reads the profile's set; none stored means a login is needed.
func (s *StoredSource) load() (*TokenSet, error) {
	ts, err := LoadTokenSet(s.o.Store, s.o.Profile)
	if errors.Is(err, keyring.ErrNotFound) {
		s.cached.Store(nil)
		return nil, &LoginRequiredError{Profile: s.o.Profile, Reason: "not logged in"}
	}
	return ts, err
}

// forget deletes the dead stored set and returns lerr, noting a failed
// deletion in it.
func (s *StoredSource) forget(lerr *LoginRequiredError) error {
	s.cached.Store(nil)
	if err := s.o.Store.Delete(s.o.Profile); err != nil && !errors.Is(err, keyring.ErrNotFound) {
		lerr.Reason += fmt.Sprintf(" (removing it from the %s store failed: %v)", s.o.Store.Name(), err)
	}
	return lerr
}

func (s *StoredSource) fresh(ts *TokenSet) bool {
	return validFor(ts, s.o.Clock, s.o.Leeway)
}

// validFor reports whether ts's access token outlives now+leeway; a token
// without expiry is taken as valid, as x/oauth2 does.
func validFor(ts *TokenSet, clock Clock, leeway time.Duration) bool {
	if ts.AccessToken == "" {
		return false
	}
	return ts.Expiry.IsZero() || ts.Expiry.Sub(clock.Now()) > leeway
}

// LoginRequiredError says that no usable credentials exist and a person must
// log in; the command layer maps it to exit code 4.
type LoginRequiredError struct {
	Profile string
	// Reason says what is wrong, e.g. "not logged in".
	Reason string
	// Hint replaces the default "run `laymanctl auth login`" advice.
	Hint string
	Err  error
}

func (e *LoginRequiredError) Error() string {
	hint := e.Hint
	if hint == "" {
		hint = "run `laymanctl auth login`"
		if e.Profile != "" && e.Profile != "default" {
			hint = fmt.Sprintf("run `laymanctl auth login --profile %s`", e.Profile)
		}
	}
	return e.Reason + "; " + hint
}

func (e *LoginRequiredError) Unwrap() error { return e.Err }
