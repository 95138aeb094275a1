package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
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
	// Leeway defaults to DefaultLeeway; a token is refreshed when less
	// than the least of Leeway and a tenth of its lifetime is left.
	Leeway time.Duration
	// Warnings receives the notice of a failed refresh the command
	// survives; nil discards it.
	Warnings io.Writer
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
	// retryAt is when a failed refresh is tried again while the access
	// token lasts.
	retryAt time.Time
	// unsaved is a refreshed set the store refused (a locked keychain, a
	// full disk): it holds the only live refresh token, the stored one
	// (spent) being used up. It is saved at the next renewal.
	unsaved *TokenSet
	spent   string
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
	return s.renew(ctx, "")
}

// ForceRefresh is Token after Layman rejected stale (HTTP 403, code 32): it
// refreshes unless the store already holds a different access token.
func (s *StoredSource) ForceRefresh(ctx context.Context, stale string) (*oauth2.Token, error) {
	return s.renew(ctx, stale)
}

// Expired reports whether tok is past its expiry by the source's clock. An
// expiry counted from the token request is never later than the
// authorization server's, so a token Layman rejected and that is past it
// has expired, not been revoked.
func (s *StoredSource) Expired(tok *oauth2.Token) bool {
	return !tok.Expiry.IsZero() && !s.o.Clock.Now().Before(tok.Expiry)
}

// Replaced reports whether the profile holds another access token than
// tok: a refresh replaced it, here or in another process. The store is
// read without the lock, as stores replace a set atomically.
func (s *StoredSource) Replaced(tok *oauth2.Token) bool {
	if ts := s.cached.Load(); ts != nil && ts.AccessToken != tok.AccessToken {
		return true
	}
	ts, err := LoadTokenSet(s.o.Store, s.o.Profile)
	return err == nil && ts.AccessToken != tok.AccessToken
}

// refreshGrace bounds how long a refresh that has started is carried on
// after the command was interrupted: the authorization server rotates the
// refresh token as it answers, so a refresh abandoned half-way would lose
// the session. Until then only the client's request limit applies
// (MaxTokenRequest). A variable for tests.
var refreshGrace = 15 * time.Second

// renew returns a usable set: the cached one, the stored one, or a
// refreshed one, in that order. Usable means fresh and, after Layman
// rejected stale, another token than that.
func (s *StoredSource) renew(ctx context.Context, stale string) (*oauth2.Token, error) {
	usable := func(ts *TokenSet) bool { return ts.AccessToken != stale && s.fresh(ts) }
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
	cur := s.cached.Load()
	if cur != nil && usable(cur) {
		return cur.OAuth2(), nil
	}
	if stale == "" && cur != nil && s.o.Clock.Now().Before(s.retryAt) && s.valid(cur) {
		// The last refresh failed; the token still works, try later.
		return cur.OAuth2(), nil
	}

	unlock, err := lockProfile(ctx, s.o.LockDir, s.o.Profile)
	if err != nil {
		return nil, err
	}
	defer unlock()
	// Another process may have refreshed while we waited for the lock.
	ts, err := s.load()
	if err != nil {
		s.unsaved = nil // logged out or in again meanwhile
		return nil, err
	}
	ts, _ = s.adoptUnsaved(ts) // a failure to save it again leaves it unsaved
	if usable(ts) {
		s.cached.Store(ts)
		return ts.OAuth2(), nil
	}
	next, err := s.refresh(ctx, ts, usable)
	if err == nil {
		s.cached.Store(next)
		return next.OAuth2(), nil
	}
	if stale == "" && s.valid(ts) && !lostInRefresh(ts, err) {
		// The access token works for a while yet: an upload goes on, and
		// the refresh is tried again halfway to its expiry.
		left := ts.Expiry.Sub(s.o.Clock.Now())
		s.retryAt = s.o.Clock.Now().Add(left / 2)
		s.cached.Store(ts)
		s.warn("warning: %s; carrying on with the current access token, valid for %s more\n", err, left.Round(100*time.Millisecond))
		return ts.OAuth2(), nil
	}
	return nil, err
}

// lostInRefresh reports a session found dead after an interrupted refresh:
// the server revoked its access token too when it rotated the refresh token.
func lostInRefresh(ts *TokenSet, err error) bool {
	var lerr *LoginRequiredError
	return !ts.RefreshSent.IsZero() && errors.As(err, &lerr)
}

// adoptUnsaved, with the lock held and ts just read from the store, returns
// the set the store refused earlier in place of ts when the store still
// holds the set it replaced, and saves it; on failure it stays unsaved.
func (s *StoredSource) adoptUnsaved(ts *TokenSet) (*TokenSet, error) {
	u := s.unsaved
	if u == nil {
		return ts, nil
	}
	s.unsaved = nil
	if ts.RefreshToken != s.spent {
		return ts, nil // logged in again meanwhile
	}
	if err := SaveTokenSet(s.o.Store, s.o.Profile, u); err != nil {
		s.unsaved = u
		return u, err
	}
	return u, nil
}

// SaveUnsaved saves a refreshed set the store refused earlier, if any: a
// command that ends reports a session it could not keep.
func (s *StoredSource) SaveUnsaved(ctx context.Context) error {
	select {
	case s.slow <- struct{}{}:
		defer func() { <-s.slow }()
	case <-ctx.Done():
		return ctx.Err()
	}
	if s.unsaved == nil {
		return nil
	}
	unlock, err := lockProfile(ctx, s.o.LockDir, s.o.Profile)
	if err != nil {
		return err
	}
	defer unlock()
	ts, err := s.load()
	if err != nil {
		s.unsaved = nil
		return err
	}
	_, err = s.adoptUnsaved(ts)
	return err
}

// refresh renews ts and saves the result, with the profile's lock held.
// On invalid_grant it retries once with a newer refresh token if one was
// saved meanwhile (by a process that did not wait for the lock), and only
// then forgets the session.
func (s *StoredSource) refresh(ctx context.Context, ts *TokenSet, usable func(*TokenSet) bool) (*TokenSet, error) {
	if ts.RefreshToken == "" {
		return nil, s.forget(&LoginRequiredError{Profile: s.o.Profile, Reason: "the stored access token has expired and there is no refresh token"})
	}
	next, err := s.refreshAndSave(ctx, ts)
	if isInvalidGrant(err) {
		if now, lerr := s.load(); lerr == nil && now.RefreshToken != ts.RefreshToken {
			if usable(now) {
				return now, nil
			}
			next, err = s.refreshAndSave(ctx, now)
		}
	}
	switch {
	case err == nil:
		return next, nil
	case isInvalidGrant(err) && !ts.RefreshSent.IsZero():
		// The server rotated the refresh token and the run that asked
		// died before saving the answer; its grace period, if any, is over.
		return nil, s.forget(&LoginRequiredError{Profile: s.o.Profile, Err: err, Reason: fmt.Sprintf(
			"the session was lost: the refresh sent at %s never had its answer saved (laymanctl was killed, the machine stopped, the connection broke or the token store refused the new tokens), and the authorization server no longer accepts the refresh token it replaced",
			ts.RefreshSent.UTC().Format(refreshSentLayout))})
	case isInvalidGrant(err):
		return nil, s.forget(&LoginRequiredError{Profile: s.o.Profile, Reason: "the stored session has expired or was revoked", Err: err})
	}
	return nil, err
}

// refreshSentLayout shows when an interrupted refresh was sent.
const refreshSentLayout = "2006-01-02 15:04:05 MST"

// refreshAndSave runs the refresh grant and saves the new set. Once begun
// it is not cut short by ctx (Ctrl-C, SIGTERM) but refreshGrace after it:
// the old refresh token is spent the moment the server answers.
func (s *StoredSource) refreshAndSave(ctx context.Context, ts *TokenSet) (*TokenSet, error) {
	// Marked in the store before the request goes out: a refresh token is
	// never spent on a set the store cannot keep, and a run killed between
	// the server's rotation and the save below is known to the next one,
	// which refreshes at once (within the server's grace period, if it has
	// one, the old refresh token still works) or says what happened.
	marked := *ts
	marked.RefreshSent = s.o.Clock.Now()
	if err := SaveTokenSet(s.o.Store, s.o.Profile, &marked); err != nil {
		return nil, fmt.Errorf("%w; so the refresh token was not sent and the stored login is intact: run the command again once the store works", err)
	}
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	grace := refreshGrace
	defer context.AfterFunc(ctx, func() { time.AfterFunc(grace, cancel) })()
	next, err := refreshTokenSet(rctx, s.o.Config, s.o.HTTPClient, s.o.Clock, ts)
	if err != nil {
		if isInvalidGrant(err) {
			return nil, err
		}
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.ErrorCode != "" {
			// The authorization server itself refused: nothing was rotated,
			// the mark comes off. (A proxy's 502 or a lost connection tells
			// nothing of what the server did; the mark stays.)
			_ = SaveTokenSet(s.o.Store, s.o.Profile, ts)
		}
		return nil, fmt.Errorf("refreshing the access token: %w", err)
	}
	// Saved before the lock is released: the old refresh token is dead now.
	if err := SaveTokenSet(s.o.Store, s.o.Profile, next); err != nil {
		// next holds the only live refresh token: dropping it would end
		// the session. This run goes on with it and saves it later.
		if s.unsaved == nil {
			s.spent = ts.RefreshToken // what the store holds
		}
		s.unsaved = next
		s.warn("warning: the refreshed tokens could not be saved: %v\nThis command goes on with them and tries again at its next refresh and as it ends.\n", err)
		return next, nil
	}
	s.unsaved = nil
	return next, nil
}

func (s *StoredSource) warn(format string, args ...any) {
	if s.o.Warnings != nil {
		fmt.Fprintf(s.o.Warnings, format, args...)
	}
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

// fresh reports a token not due for refresh. A set whose refresh is under
// way or was cut short is due: the server revokes its access token as it
// rotates the refresh token.
func (s *StoredSource) fresh(ts *TokenSet) bool {
	return ts.RefreshSent.IsZero() && validFor(ts, s.o.Clock, ts.leeway(s.o.Leeway))
}

// valid reports a token that has not expired yet.
func (s *StoredSource) valid(ts *TokenSet) bool {
	return validFor(ts, s.o.Clock, 0)
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
