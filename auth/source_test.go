package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/laymanctl/laymanctl/keyring"
)

// fakeClock is a Clock moved by the test.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// countingStore counts the calls reaching a store.
type countingStore struct {
	keyring.Store
	mu               sync.Mutex
	gets, sets, dels int
}

func (s *countingStore) Get(key string) ([]byte, error) {
	s.mu.Lock()
	s.gets++
	s.mu.Unlock()
	return s.Store.Get(key)
}

func (s *countingStore) Set(key string, v []byte) error {
	s.mu.Lock()
	s.sets++
	s.mu.Unlock()
	return s.Store.Set(key, v)
}

func (s *countingStore) Delete(key string) error {
	s.mu.Lock()
	s.dels++
	s.mu.Unlock()
	return s.Store.Delete(key)
}

func (s *countingStore) counts() (gets, sets, dels int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gets, s.sets, s.dels
}

const testClientID = "laymanctl-test"

// tokenServer is a token endpoint that rotates refresh tokens as Django
// OAuth Toolkit does: each refresh token works once, reuse is invalid_grant.
type tokenServer struct {
	*httptest.Server
	clientID  string
	users     map[string]string
	expiresIn int

	mu             sync.Mutex
	generation     int
	refreshToken   string // the only refresh token accepted now
	refreshes      int
	passwordGrants int
}

func newTokenServer(t testing.TB) *tokenServer {
	s := &tokenServer{clientID: testClientID, users: map[string]string{"robot": "s3cret"}, expiresIn: 3600, refreshToken: "refresh-0"}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *tokenServer) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	if r.PostForm.Get("client_id") != s.clientID {
		oauthError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r.PostForm.Get("grant_type") {
	case "refresh_token":
		if s.refreshToken == "" || r.PostForm.Get("refresh_token") != s.refreshToken {
			oauthError(w, http.StatusBadRequest, "invalid_grant")
			return
		}
		s.refreshes++
	case "password":
		if pw, ok := s.users[r.PostForm.Get("username")]; !ok || pw != r.PostForm.Get("password") {
			oauthError(w, http.StatusBadRequest, "invalid_grant")
			return
		}
		s.passwordGrants++
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type")
		return
	}
	s.generation++
	s.refreshToken = fmt.Sprintf("refresh-%d", s.generation)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"access_token":  fmt.Sprintf("access-%d", s.generation),
		"refresh_token": s.refreshToken,
		"token_type":    "Bearer",
		"expires_in":    s.expiresIn,
		"scope":         "read write",
	})
}

func oauthError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, `{"error":%q}`, code)
}

func (s *tokenServer) stats() (refreshes, passwordGrants int, current string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refreshes, s.passwordGrants, s.refreshToken
}

func (s *tokenServer) config() *oauth2.Config {
	return OAuth2Config(Endpoints{TokenURL: s.URL + "/o/token/"}, s.clientID, "", []string{"read", "write"})
}

type sourceFixture struct {
	srv     *tokenServer
	store   *countingStore
	clock   *fakeClock
	lockDir string
}

func newSourceFixture(t testing.TB) *sourceFixture {
	return &sourceFixture{
		srv:     newTokenServer(t),
		store:   &countingStore{Store: keyring.NewMemory()},
		clock:   newFakeClock(),
		lockDir: filepath.Join(t.TempDir(), "locks"),
	}
}

// stored saves the set the server's current refresh token belongs to,
// expiring after validity.
func (f *sourceFixture) stored(t testing.TB, validity time.Duration) {
	t.Helper()
	ts := &TokenSet{AccessToken: "access-0", RefreshToken: "refresh-0", TokenType: "Bearer", Expiry: f.clock.Now().Add(validity), Username: "alice"}
	if err := SaveTokenSet(f.store.Store, "default", ts); err != nil {
		t.Fatal(err)
	}
}

func (f *sourceFixture) source() *StoredSource {
	return NewStoredSource(SourceOptions{
		Profile: "default", Store: f.store, LockDir: f.lockDir,
		Config: f.srv.config(), HTTPClient: f.srv.Client(), Clock: f.clock,
	})
}

func (f *sourceFixture) storedSet(t testing.TB) *TokenSet {
	t.Helper()
	ts, err := LoadTokenSet(f.store.Store, "default")
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func TestTokenFastPathReadsStoreOnce(t *testing.T) {
	f := newSourceFixture(t)
	f.stored(t, time.Hour)
	src := f.source()
	for i := 0; i < 50; i++ {
		tok, err := src.Token(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if tok.AccessToken != "access-0" {
			t.Fatalf("token %q, want the stored one", tok.AccessToken)
		}
		f.clock.Advance(time.Minute / 2)
	}
	if gets, sets, _ := f.store.counts(); gets != 1 || sets != 0 {
		t.Errorf("store gets=%d sets=%d, want one read and no write", gets, sets)
	}
	if _, err := os.Stat(f.lockDir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lock directory touched on the fast path: %v", err)
	}
	if refreshes, _, _ := f.srv.stats(); refreshes != 0 {
		t.Errorf("%d refreshes of a valid token", refreshes)
	}
}

func TestTokenRefreshesWithinLeeway(t *testing.T) {
	f := newSourceFixture(t)
	f.stored(t, time.Hour)
	src := f.source()

	f.clock.Advance(time.Hour - 11*time.Second)
	tok, err := src.Token(context.Background())
	if err != nil || tok.AccessToken != "access-0" {
		t.Fatalf("11 s before expiry: token %v, %v; want the current one", tok, err)
	}
	f.clock.Advance(time.Second) // 10 s left: the reference client refreshes now
	tok, err = src.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken != "access-1" {
		t.Fatalf("10 s before expiry: token %q, want a refreshed one", tok.AccessToken)
	}
	if want := f.clock.Now().Add(time.Hour); !tok.Expiry.Equal(want) {
		t.Errorf("expiry %v, want %v (expires_in from the clock)", tok.Expiry, want)
	}
	got := f.storedSet(t)
	if got.RefreshToken != "refresh-1" || got.AccessToken != "access-1" {
		t.Errorf("store holds %q/%q, want the newest set", got.AccessToken, got.RefreshToken)
	}
	if got.Username != "alice" || got.Scope != "read write" {
		t.Errorf("store lost fields: username %q scope %q", got.Username, got.Scope)
	}
	if refreshes, _, _ := f.srv.stats(); refreshes != 1 {
		t.Errorf("%d refreshes, want 1", refreshes)
	}
}

func TestTokenTakesSetRefreshedByAnotherProcess(t *testing.T) {
	f := newSourceFixture(t)
	f.stored(t, time.Minute)
	src := f.source()
	if _, err := src.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Another process refreshed and saved; this one's cache is stale.
	other := &TokenSet{AccessToken: "access-other", RefreshToken: "refresh-other", Expiry: f.clock.Now().Add(2 * time.Hour)}
	if err := SaveTokenSet(f.store.Store, "default", other); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Hour)
	tok, err := src.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken != "access-other" {
		t.Errorf("token %q, want the one stored by the other process", tok.AccessToken)
	}
	if refreshes, _, _ := f.srv.stats(); refreshes != 0 {
		t.Errorf("%d refreshes, want none", refreshes)
	}
}

// Two sources with separate caches (as two processes have) share the store
// and the lock: with rotation, a second refresh would fail.
func TestTokenSourcesSharingStoreRefreshOnce(t *testing.T) {
	f := newSourceFixture(t)
	f.stored(t, -time.Minute)
	sources := []*StoredSource{f.source(), f.source()}
	tokens := make([]string, len(sources))
	errs := make([]error, len(sources))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, src := range sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			tok, err := src.Token(context.Background())
			errs[i] = err
			if err == nil {
				tokens[i] = tok.AccessToken
			}
		}()
	}
	close(start)
	wg.Wait()
	for i := range sources {
		if errs[i] != nil || tokens[i] != "access-1" {
			t.Errorf("source %d: token %q, err %v; want access-1", i, tokens[i], errs[i])
		}
	}
	if refreshes, _, current := f.srv.stats(); refreshes != 1 || f.storedSet(t).RefreshToken != current {
		t.Errorf("%d refreshes, stored refresh token newest: %v", refreshes, f.storedSet(t).RefreshToken == current)
	}
}

func TestTokenInvalidGrantForgetsStoredSet(t *testing.T) {
	f := newSourceFixture(t)
	f.stored(t, -time.Minute)
	f.srv.mu.Lock()
	f.srv.refreshToken = "revoked-elsewhere"
	f.srv.mu.Unlock()

	_, err := f.source().Token(context.Background())
	var lerr *LoginRequiredError
	if !errors.As(err, &lerr) {
		t.Fatalf("error %v, want *LoginRequiredError", err)
	}
	if !strings.Contains(err.Error(), "expired or was revoked") || !strings.Contains(err.Error(), "laymanctl auth login") {
		t.Errorf("message %q lacks the reason or the login hint", err)
	}
	if _, err := f.store.Store.Get("default"); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("dead token set still stored: %v", err)
	}
}

func TestTokenWithoutStoredSetNeedsLogin(t *testing.T) {
	f := newSourceFixture(t)
	src := NewStoredSource(SourceOptions{Profile: "work", Store: f.store, LockDir: f.lockDir, Config: f.srv.config(), Clock: f.clock})
	_, err := src.Token(context.Background())
	var lerr *LoginRequiredError
	if !errors.As(err, &lerr) {
		t.Fatalf("error %v, want *LoginRequiredError", err)
	}
	if want := "laymanctl auth login --profile work"; !strings.Contains(err.Error(), want) {
		t.Errorf("message %q does not say %q", err, want)
	}
}

func TestForceRefreshRenewsRejectedTokenOnce(t *testing.T) {
	f := newSourceFixture(t)
	f.stored(t, time.Hour)
	a, b := f.source(), f.source()
	for _, src := range []*StoredSource{a, b} {
		if _, err := src.Token(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	tok, err := a.ForceRefresh(context.Background(), "access-0")
	if err != nil || tok.AccessToken != "access-1" {
		t.Fatalf("ForceRefresh: %v, %v; want access-1", tok, err)
	}
	// b was rejected with the same token: a already renewed it.
	tok, err = b.ForceRefresh(context.Background(), "access-0")
	if err != nil || tok.AccessToken != "access-1" {
		t.Fatalf("second ForceRefresh: %v, %v; want access-1", tok, err)
	}
	if refreshes, _, _ := f.srv.stats(); refreshes != 1 {
		t.Errorf("%d refreshes, want 1", refreshes)
	}
	// The renewed token rejected too: refresh again.
	if tok, err = a.ForceRefresh(context.Background(), "access-1"); err != nil || tok.AccessToken != "access-2" {
		t.Errorf("ForceRefresh of the renewed token: %v, %v; want access-2", tok, err)
	}
}

func TestTokenLockWaitHonoursContext(t *testing.T) {
	f := newSourceFixture(t)
	f.stored(t, -time.Minute)
	unlock, err := lockProfile(context.Background(), f.lockDir, "default")
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := f.source().Token(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v while another holder keeps the lock, want the context's", err)
	}
	if refreshes, _, _ := f.srv.stats(); refreshes != 0 {
		t.Errorf("refreshed without the lock")
	}
}

func TestExchangeRefreshToken(t *testing.T) {
	srv := newTokenServer(t)
	clock := newFakeClock()
	ts, err := ExchangeRefreshToken(context.Background(), srv.config(), srv.Client(), clock, "refresh-0")
	if err != nil {
		t.Fatal(err)
	}
	if ts.AccessToken != "access-1" || ts.RefreshToken != "refresh-1" || !ts.Expiry.Equal(clock.Now().Add(time.Hour)) {
		t.Errorf("got %+v", ts)
	}
	if _, err := ExchangeRefreshToken(context.Background(), srv.config(), srv.Client(), clock, "refresh-0"); !isInvalidGrant(err) {
		t.Errorf("reusing a rotated refresh token: %v, want invalid_grant", err)
	}
}

func BenchmarkTokenFastPath(b *testing.B) {
	f := newSourceFixture(b)
	f.stored(b, time.Hour)
	src := f.source()
	ctx := context.Background()
	for b.Loop() {
		if _, err := src.Token(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// storedIssued saves the server's current set as issued lifetime ago minus
// left, as a refresh records it.
func (f *sourceFixture) storedIssued(t testing.TB, lifetime, left time.Duration) {
	t.Helper()
	now := f.clock.Now()
	ts := &TokenSet{AccessToken: "access-0", RefreshToken: "refresh-0", TokenType: "Bearer",
		IssuedAt: now.Add(left - lifetime), Expiry: now.Add(left), Username: "alice"}
	if err := SaveTokenSet(f.store.Store, "default", ts); err != nil {
		t.Fatal(err)
	}
}

// With 5 s tokens a 10 s leeway would refresh at every request, and each
// refresh revokes the token other workers use: the leeway shrinks to a
// tenth of the lifetime the token was issued with.
func TestTokenLeewayFitsShortLifetime(t *testing.T) {
	f := newSourceFixture(t)
	f.srv.expiresIn = 5
	f.stored(t, -time.Second)
	src := f.source()
	tok, err := src.Token(context.Background())
	if err != nil || tok.AccessToken != "access-1" {
		t.Fatalf("expired token: %v, %v; want a refreshed one", tok, err)
	}
	if got := f.storedSet(t); !got.IssuedAt.Equal(f.clock.Now()) {
		t.Errorf("issued_at %v stored, want the time of the refresh %v", got.IssuedAt, f.clock.Now())
	}
	for i := range 9 {
		f.clock.Advance(499 * time.Millisecond) // down to 0.509 s left: more than a tenth of 5 s
		if tok, err = src.Token(context.Background()); err != nil || tok.AccessToken != "access-1" {
			t.Fatalf("%d ms after the refresh: %v, %v; want access-1 still", 499*(i+1), tok, err)
		}
	}
	f.clock.Advance(10 * time.Millisecond)
	if tok, err = src.Token(context.Background()); err != nil || tok.AccessToken != "access-2" {
		t.Fatalf("less than a tenth of the lifetime left: %v, %v; want access-2", tok, err)
	}
	// A fresh source (another process) reads the lifetime from the store.
	f.clock.Advance(4 * time.Second)
	if tok, err = f.source().Token(context.Background()); err != nil || tok.AccessToken != "access-2" {
		t.Errorf("another process, 1 s left of 5: %v, %v; want access-2", tok, err)
	}
	if refreshes, _, _ := f.srv.stats(); refreshes != 2 {
		t.Errorf("%d refreshes, want 2", refreshes)
	}
}

// A set stored before lifetimes were recorded keeps the 10 s rule.
func TestTokenLeewayWithoutRecordedLifetime(t *testing.T) {
	f := newSourceFixture(t)
	f.stored(t, 9*time.Second)
	if tok, err := f.source().Token(context.Background()); err != nil || tok.AccessToken != "access-1" {
		t.Errorf("9 s left, lifetime unknown: %v, %v; want a refresh", tok, err)
	}
}

// gatedTokenServer holds every token request until the test releases it.
func gatedTokenServer(t *testing.T, next http.Handler) (srv *httptest.Server, arrived <-chan struct{}, release chan<- struct{}) {
	in, out := make(chan struct{}, 8), make(chan struct{})
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in <- struct{}{}
		<-out
		next.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, in, out
}

// Ctrl-C while a refresh is in flight: the server has rotated the refresh
// token as it answers, so the answer is still read and saved.
func TestRefreshInFlightSurvivesCancel(t *testing.T) {
	f := newSourceFixture(t)
	f.stored(t, -time.Minute)
	gate, arrived, release := gatedTokenServer(t, http.HandlerFunc(f.srv.serve))
	src := NewStoredSource(SourceOptions{
		Profile: "default", Store: f.store, LockDir: f.lockDir, Clock: f.clock,
		Config: OAuth2Config(Endpoints{TokenURL: gate.URL + "/o/token/"}, testClientID, "", nil), HTTPClient: gate.Client(),
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := src.Token(ctx)
		done <- err
	}()
	<-arrived
	cancel()
	close(release)
	<-done
	if got := f.storedSet(t); got.RefreshToken != "refresh-1" || got.AccessToken != "access-1" {
		t.Errorf("store holds %q/%q after the interrupted refresh, want refresh-1/access-1", got.AccessToken, got.RefreshToken)
	}
}

// A process that did not wait for the lock (or an `auth login` elsewhere)
// saved a newer set while this one refreshed with the old refresh token:
// the invalid_grant answer is retried once with the newer one.
func TestInvalidGrantRetriesWithNewerStoredSet(t *testing.T) {
	f := newSourceFixture(t)
	f.stored(t, -time.Minute)
	var once sync.Once
	rogue := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() {
			// The other process refreshes (refresh-0 becomes refresh-1)
			// and saves an already expired set.
			f.srv.mu.Lock()
			f.srv.generation++
			f.srv.refreshToken = "refresh-1"
			f.srv.mu.Unlock()
			other := &TokenSet{AccessToken: "access-1", RefreshToken: "refresh-1", Expiry: f.clock.Now().Add(-time.Second)}
			if err := SaveTokenSet(f.store.Store, "default", other); err != nil {
				t.Error(err)
			}
		})
		f.srv.serve(w, r)
	})
	srv := httptest.NewServer(rogue)
	t.Cleanup(srv.Close)
	src := NewStoredSource(SourceOptions{
		Profile: "default", Store: f.store, LockDir: f.lockDir, Clock: f.clock,
		Config: OAuth2Config(Endpoints{TokenURL: srv.URL + "/o/token/"}, testClientID, "", nil), HTTPClient: srv.Client(),
	})
	tok, err := src.Token(context.Background())
	if err != nil || tok.AccessToken != "access-2" {
		t.Fatalf("token %v, %v; want access-2 from the newer refresh token", tok, err)
	}
	if got := f.storedSet(t); got.RefreshToken != "refresh-2" {
		t.Errorf("store holds %q, want refresh-2", got.RefreshToken)
	}
}

// A refresh that fails while the access token still works (the token
// endpoint is down for a moment) is a warning: the upload goes on.
func TestFailedRefreshWithValidTokenWarns(t *testing.T) {
	f := newSourceFixture(t)
	f.storedIssued(t, 5*time.Second, 300*time.Millisecond)
	var calls int
	var mu sync.Mutex
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		calls++
		mu.Unlock()
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	}))
	t.Cleanup(down.Close)
	var warnings strings.Builder
	src := NewStoredSource(SourceOptions{
		Profile: "default", Store: f.store, LockDir: f.lockDir, Clock: f.clock, Warnings: &warnings,
		Config: OAuth2Config(Endpoints{TokenURL: down.URL + "/o/token/"}, testClientID, "", nil), HTTPClient: down.Client(),
	})
	for range 3 {
		if tok, err := src.Token(context.Background()); err != nil || tok.AccessToken != "access-0" {
			t.Fatalf("token %v, %v; want the still valid access-0", tok, err)
		}
	}
	if !strings.Contains(warnings.String(), "warning: refreshing the access token") || !strings.Contains(warnings.String(), "503") {
		t.Errorf("warning %q does not say that the refresh failed and why", warnings.String())
	}
	mu.Lock()
	if calls != 1 {
		t.Errorf("%d refresh attempts within the pause after a failure, want 1", calls)
	}
	mu.Unlock()
	if got := f.storedSet(t); got.AccessToken != "access-0" || got.RefreshToken != "refresh-0" {
		t.Errorf("store changed to %q/%q", got.AccessToken, got.RefreshToken)
	}
	f.clock.Advance(time.Second) // expired now: a failure
	if _, err := src.Token(context.Background()); err == nil || !strings.Contains(err.Error(), "refreshing the access token") {
		t.Errorf("expired token and a failed refresh: %v, want the refresh error", err)
	}
}

// flakyStore lets okSets writes through, then refuses the next failSets,
// as a keychain that is locked or times out for a moment, or a full disk.
type flakyStore struct {
	keyring.Store
	mu       sync.Mutex
	okSets   int
	failSets int
}

func (s *flakyStore) Set(key string, v []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.okSets > 0 {
		s.okSets--
	} else if s.failSets > 0 {
		s.failSets--
		return errors.New("the keychain is locked")
	}
	return s.Store.Set(key, v)
}

// A refresh whose result the store refuses has spent the stored refresh
// token: the new set holds the only live one. The run goes on with it and
// saves it at its next refresh, so the session survives a store that
// failed for a moment.
func TestRefreshedSetKeptWhenSavingFails(t *testing.T) {
	f := newSourceFixture(t)
	f.srv.expiresIn = 60
	f.stored(t, time.Second) // due for a refresh, still valid
	// The store takes the mark of the refresh about to be sent, then fails.
	store := &flakyStore{Store: f.store.Store, okSets: 1, failSets: 2}
	var warnings strings.Builder
	src := NewStoredSource(SourceOptions{
		Profile: "default", Store: store, LockDir: f.lockDir, Warnings: &warnings,
		Config: f.srv.config(), HTTPClient: f.srv.Client(), Clock: f.clock,
	})
	tok, err := src.Token(context.Background())
	if err != nil || tok.AccessToken != "access-1" {
		t.Fatalf("token %v, %v; want the refreshed access-1 although saving it failed", tok, err)
	}
	if !strings.Contains(warnings.String(), "could not be saved") || !strings.Contains(warnings.String(), "the keychain is locked") {
		t.Errorf("warning %q does not say that saving failed and why", warnings.String())
	}
	if got := f.storedSet(t); got.RefreshToken != "refresh-0" {
		t.Fatalf("store holds %q, want the old refresh-0 (the store refused the new set)", got.RefreshToken)
	}
	// Due again; the store refuses once more, then works.
	for _, want := range []string{"access-2", "access-3"} {
		f.clock.Advance(55 * time.Second)
		if tok, err = src.Token(context.Background()); err != nil || tok.AccessToken != want {
			t.Fatalf("next refresh: %v, %v; want %s from the unsaved refresh token", tok, err, want)
		}
	}
	if got := f.storedSet(t); got.AccessToken != "access-3" || got.RefreshToken != "refresh-3" {
		t.Errorf("store holds %q/%q, want access-3/refresh-3 saved", got.AccessToken, got.RefreshToken)
	}
	// Another process reads the saved set.
	if tok, err = f.source().Token(context.Background()); err != nil || tok.AccessToken != "access-3" {
		t.Errorf("another process: %v, %v; want access-3", tok, err)
	}
}

// A command that ends (auth refresh) learns whether the refreshed set it
// holds reached the store: SaveUnsaved tries once more and reports.
func TestSaveUnsavedReportsASetTheStoreRefused(t *testing.T) {
	f := newSourceFixture(t)
	f.stored(t, time.Second)
	store := &flakyStore{Store: f.store.Store, okSets: 1, failSets: 2}
	src := NewStoredSource(SourceOptions{
		Profile: "default", Store: store, LockDir: f.lockDir,
		Config: f.srv.config(), HTTPClient: f.srv.Client(), Clock: f.clock,
	})
	if tok, err := src.ForceRefresh(context.Background(), "access-0"); err != nil || tok.AccessToken != "access-1" {
		t.Fatalf("forced refresh: %v, %v; want access-1", tok, err)
	}
	if err := src.SaveUnsaved(context.Background()); err == nil || !strings.Contains(err.Error(), "the keychain is locked") {
		t.Errorf("store refusing again: %v, want its error", err)
	}
	if err := src.SaveUnsaved(context.Background()); err != nil {
		t.Errorf("store working again: %v", err)
	}
	if got := f.storedSet(t); got.RefreshToken != "refresh-1" {
		t.Errorf("store holds %q, want refresh-1", got.RefreshToken)
	}
	if err := src.SaveUnsaved(context.Background()); err != nil {
		t.Errorf("nothing left to save: %v", err)
	}
}

// A slow token endpoint nobody interrupted is waited for as long as any
// request to the authorization server may take, not cut at the grace an
// interrupted refresh gets: it may have rotated the refresh token already.
func TestSlowRefreshIsNotCutAtTheGrace(t *testing.T) {
	old := refreshGrace
	refreshGrace = time.Millisecond
	t.Cleanup(func() { refreshGrace = old })
	f := newSourceFixture(t)
	f.stored(t, -time.Minute)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(100 * time.Millisecond) // far beyond the grace
		f.srv.serve(w, r)
	}))
	t.Cleanup(slow.Close)
	src := NewStoredSource(SourceOptions{
		Profile: "default", Store: f.store, LockDir: f.lockDir, Clock: f.clock,
		Config: OAuth2Config(Endpoints{TokenURL: slow.URL + "/o/token/"}, testClientID, "", nil), HTTPClient: slow.Client(),
	})
	if tok, err := src.Token(context.Background()); err != nil || tok.AccessToken != "access-1" {
		t.Fatalf("slow refresh: %v, %v; want access-1", tok, err)
	}
	if got := f.storedSet(t); got.RefreshToken != "refresh-1" {
		t.Errorf("store holds %q, want refresh-1", got.RefreshToken)
	}
}
