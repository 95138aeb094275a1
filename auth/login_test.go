package auth_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/laymanctl/laymanctl/auth"
	"github.com/laymanctl/laymanctl/auth/authtest"
)

// wait bounds every wait in these tests; nothing here measures time.
const wait = 30 * time.Second

// lockedBuffer is stderr shared by Login and the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// handBrowser hands the authorization URL to the test instead of visiting it.
type handBrowser chan string

func (h handBrowser) Open(u string) error { h <- u; return nil }

type loginResult struct {
	ts  *auth.TokenSet
	err error
}

func startLogin(ctx context.Context, o auth.LoginOptions) <-chan loginResult {
	done := make(chan loginResult, 1)
	go func() {
		ts, err := auth.Login(ctx, o)
		done <- loginResult{ts, err}
	}()
	return done
}

func options(s *authtest.Server, b auth.Browser, stderr io.Writer) auth.LoginOptions {
	return auth.LoginOptions{Endpoints: s.Endpoints(), ClientID: authtest.DefaultClientID, Browser: b, Stderr: stderr, Timeout: wait}
}

func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(wait):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// callbackURL is the redirect URI inside an authorization URL, with query.
func callbackURL(t *testing.T, authURL string, query url.Values) string {
	t.Helper()
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := url.Parse(u.Query().Get("redirect_uri"))
	if err != nil {
		t.Fatal(err)
	}
	cb.RawQuery = query.Encode()
	return cb.String()
}

func stateOf(t *testing.T, authURL string) string {
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("state")
}

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := (&http.Client{Timeout: wait}).Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func assertNotDone(t *testing.T, done <-chan loginResult, after string) {
	t.Helper()
	select {
	case r := <-done:
		t.Fatalf("login ended after %s: %v", after, r.err)
	default:
	}
}

func TestLoginWithFakeBrowser(t *testing.T) {
	s := authtest.New(t, authtest.Options{})
	b := s.Browser()
	var stderr lockedBuffer
	ts, err := auth.Login(t.Context(), options(s, b, &stderr))
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	if !s.Active(ts.AccessToken) || ts.RefreshToken == "" || ts.Scope != "read write" || ts.Username != "" {
		t.Errorf("token set: active=%v refresh=%t scope=%q username=%q", s.Active(ts.AccessToken), ts.RefreshToken != "", ts.Scope, ts.Username)
	}
	if !ts.Expiry.After(time.Now()) {
		t.Errorf("expiry %v is not in the future", ts.Expiry)
	}

	opened := b.Opened()
	if len(opened) != 1 {
		t.Fatalf("browser opened %d URLs, want 1", len(opened))
	}
	au, _ := url.Parse(opened[0])
	q := au.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || len(q.Get("state")) < 32 {
		t.Errorf("authorization URL lacks PKCE S256 or a strong state: %v", q)
	}
	redirect, _ := url.Parse(q.Get("redirect_uri"))
	if redirect.Scheme != "http" || redirect.Hostname() != "127.0.0.1" || redirect.Port() == "" || redirect.Path != "/callback" {
		t.Errorf("redirect URI %s, want http://127.0.0.1:PORT/callback", redirect)
	}
	if page, ok := b.LastPage(); !ok || page.Status != http.StatusOK || !strings.Contains(page.Body, "Logged in") {
		t.Errorf("success page: %+v", page)
	} else if strings.Contains(page.Body, ts.AccessToken) {
		t.Error("the success page shows the access token")
	}

	out := stderr.String()
	if !strings.Contains(out, opened[0]) {
		t.Error("the authorization URL was not printed on stderr")
	}
	for _, secret := range []string{ts.AccessToken, ts.RefreshToken} {
		if strings.Contains(out, secret) {
			t.Error("stderr shows a token")
		}
	}

	// The listener is gone: a second callback finds nobody.
	if _, err := http.Get(callbackURL(t, opened[0], url.Values{"code": {"x"}, "state": {q.Get("state")}})); err == nil {
		t.Error("the callback listener still answers after the login")
	}
}

func TestLoginFreshStateAndVerifierPerAttempt(t *testing.T) {
	s := authtest.New(t, authtest.Options{})
	b := s.Browser()
	for range 2 {
		if _, err := auth.Login(t.Context(), options(s, b, nil)); err != nil {
			t.Fatal(err)
		}
	}
	first, _ := url.Parse(b.Opened()[0])
	second, _ := url.Parse(b.Opened()[1])
	for _, k := range []string{"state", "code_challenge"} {
		if first.Query().Get(k) == second.Query().Get(k) {
			t.Errorf("%s repeated across attempts", k)
		}
	}
}

var printedURL = regexp.MustCompile(`http://127\.0\.0\.1:\d+/o/authorize/\?\S+`)

// urlWatcher signals once the authorization URL appears on stderr.
type urlWatcher struct {
	lockedBuffer
	found chan string
	once  sync.Once
}

func (w *urlWatcher) Write(p []byte) (int, error) {
	n, err := w.lockedBuffer.Write(p)
	if u := printedURL.FindString(w.String()); u != "" {
		w.once.Do(func() { w.found <- u })
	}
	return n, err
}

func TestLoginWithoutBrowserPrintsCompletableURL(t *testing.T) {
	s := authtest.New(t, authtest.Options{})
	stderr := &urlWatcher{found: make(chan string, 1)}
	done := startLogin(t.Context(), options(s, nil, stderr))
	u := receive(t, stderr.found, "the printed URL")
	if err := s.Browser().Open(u); err != nil {
		t.Fatal(err)
	}
	if r := receive(t, done, "login"); r.err != nil {
		t.Fatalf("Login: %v", r.err)
	}
}

func TestLoginWithoutDisplayPrintsURL(t *testing.T) {
	env := map[string]string{"SSH_CONNECTION": "10.0.0.1 5000 10.0.0.2 22"}
	b, reason := auth.SelectBrowser(func(k string) string { return env[k] }, io.Discard)
	if b != nil || reason == "" {
		t.Fatalf("SelectBrowser in SSH = %v, %q; want nil and a reason", b, reason)
	}
	s := authtest.New(t, authtest.Options{})
	stderr := &urlWatcher{found: make(chan string, 1)}
	o := options(s, b, stderr)
	done := startLogin(t.Context(), o)
	if err := s.Browser().Open(receive(t, stderr.found, "the printed URL")); err != nil {
		t.Fatal(err)
	}
	if r := receive(t, done, "login"); r.err != nil {
		t.Fatal(r.err)
	}
}

func TestCallbackListenerKeepsWaitingOnBadRequests(t *testing.T) {
	s := authtest.New(t, authtest.Options{})
	urls := make(handBrowser, 1)
	done := startLogin(t.Context(), options(s, urls, nil))
	authURL := receive(t, urls, "the authorization URL")
	state := stateOf(t, authURL)

	for _, tc := range []struct {
		name  string
		query url.Values
		path  string
		want  int
	}{
		{"wrong state", url.Values{"code": {"stolen"}, "state": {"not-" + state}}, "", http.StatusBadRequest},
		{"no state", url.Values{"code": {"stolen"}}, "", http.StatusBadRequest},
		{"error with wrong state", url.Values{"error": {"access_denied"}, "state": {"x"}}, "", http.StatusBadRequest},
		{"missing code", url.Values{"state": {state}}, "", http.StatusBadRequest},
		{"favicon", nil, "/favicon.ico", http.StatusNotFound},
		{"other path", url.Values{"code": {"c"}, "state": {state}}, "/callback/x", http.StatusNotFound},
	} {
		u := callbackURL(t, authURL, tc.query)
		if tc.path != "" {
			pu, _ := url.Parse(u)
			pu.Path = tc.path
			u = pu.String()
		}
		status, body := get(t, u)
		if status != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, status, tc.want)
		}
		if strings.Contains(body, state) {
			t.Errorf("%s: the page shows the state", tc.name)
		}
		assertNotDone(t, done, tc.name)
	}

	if err := s.Browser().Open(authURL); err != nil {
		t.Fatal(err)
	}
	if r := receive(t, done, "login"); r.err != nil {
		t.Fatalf("Login after bad callbacks: %v", r.err)
	}
}

func TestLoginAccessDenied(t *testing.T) {
	s := authtest.New(t, authtest.Options{AuthorizeError: "access_denied"})
	b := s.Browser()
	_, err := auth.Login(t.Context(), options(s, b, nil))
	var aerr *auth.AuthorizationError
	if !errors.As(err, &aerr) || aerr.Code != "access_denied" || !strings.Contains(err.Error(), "denied") {
		t.Fatalf("Login = %v, want an access_denied AuthorizationError", err)
	}
	if page, _ := b.LastPage(); page.Status != http.StatusForbidden || !strings.Contains(page.Body, "Login failed") {
		t.Errorf("failure page: %+v", page)
	}
	if s.TokenRequests(authtest.GrantAuthorizationCode) != 0 {
		t.Error("a denied login still went to the token endpoint")
	}
}

func TestSilentConnectionDoesNotBlockLogin(t *testing.T) {
	s := authtest.New(t, authtest.Options{})
	urls := make(handBrowser, 1)
	done := startLogin(t.Context(), options(s, urls, nil))
	authURL := receive(t, urls, "the authorization URL")
	cb, _ := url.Parse(callbackURL(t, authURL, nil))

	idle, err := net.DialTimeout("tcp", cb.Host, wait)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()

	if err := s.Browser().Open(authURL); err != nil {
		t.Fatal(err)
	}
	if r := receive(t, done, "login"); r.err != nil {
		t.Fatalf("Login: %v", r.err)
	}
	// Login closed the silent connection on its way out.
	_ = idle.SetReadDeadline(time.Now().Add(wait))
	if _, err := idle.Read(make([]byte, 1)); err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("silent connection still open after login: %v", err)
	}
}

func TestLoginRefusesNonLoopbackListen(t *testing.T) {
	s := authtest.New(t, authtest.Options{})
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "localhost:0", "192.0.2.1:0", "127.0.0.1"} {
		var stderr lockedBuffer
		o := options(s, authtest.MustNotOpen(t), &stderr)
		o.ListenAddr = addr
		if _, err := auth.Login(t.Context(), o); err == nil {
			t.Errorf("listen %q accepted", addr)
		}
		if stderr.String() != "" {
			t.Errorf("listen %q: printed %q before refusing", addr, stderr.String())
		}
	}
}

func TestLoginTimeout(t *testing.T) {
	s := authtest.New(t, authtest.Options{})
	o := options(s, nil, nil)
	o.Timeout = time.Millisecond
	_, err := auth.Login(t.Context(), o)
	if !errors.Is(err, auth.ErrLoginTimeout) || errors.Is(err, context.Canceled) {
		t.Fatalf("Login = %v, want ErrLoginTimeout", err)
	}
	// A wrong client id or an unregistered redirect URI shows only in the
	// browser: the message names both and what fixes them.
	for _, want := range []string{"invalid_client", "Mismatching redirect URI", "--client-id", "http://127.0.0.1/callback"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("timeout message %q does not mention %q", err, want)
		}
	}
}

func TestLoginCancel(t *testing.T) {
	s := authtest.New(t, authtest.Options{})
	ctx, cancel := context.WithCancel(t.Context())
	urls := make(handBrowser, 1)
	done := startLogin(ctx, options(s, urls, nil))
	authURL := receive(t, urls, "the authorization URL")
	cancel()
	r := receive(t, done, "login")
	if !errors.Is(r.err, context.Canceled) || errors.Is(r.err, auth.ErrLoginTimeout) {
		t.Fatalf("Login = %v, want context.Canceled", r.err)
	}
	if _, err := http.Get(callbackURL(t, authURL, nil)); err == nil {
		t.Error("the listener still answers after a cancelled login")
	}
}

func TestLoginConfidentialClient(t *testing.T) {
	s := authtest.New(t, authtest.Options{Clients: []authtest.Client{
		{ID: "conf", Secret: "hunter2", RedirectURIs: []string{authtest.DefaultRedirectURI}},
	}})
	o := options(s, s.Browser(), nil)
	o.ClientID = "conf"
	o.ClientSecret = "hunter2"
	if _, err := auth.Login(t.Context(), o); err != nil {
		t.Fatalf("Login with the secret: %v", err)
	}
	o.ClientSecret = "wrong"
	var stderr lockedBuffer
	o.Stderr = &stderr
	_, err := auth.Login(t.Context(), o)
	if err == nil {
		t.Fatal("Login with a wrong secret succeeded")
	}
	if strings.Contains(err.Error()+stderr.String(), "wrong") {
		t.Error("the client secret appears in the error or on stderr")
	}
	if got := s.TokenRequests(authtest.GrantAuthorizationCode); got != 2 {
		t.Errorf("token requests = %d, want 2", got)
	}
}

func TestLoginScopes(t *testing.T) {
	s := authtest.New(t, authtest.Options{})
	o := options(s, s.Browser(), nil)
	o.Scopes = []string{"read"}
	ts, err := auth.Login(t.Context(), o)
	if err != nil || ts.Scope != "read" {
		t.Fatalf("Login with scope read = %v, %v", ts, err)
	}
	o.Scopes = []string{"admin"}
	_, err = auth.Login(t.Context(), o)
	var aerr *auth.AuthorizationError
	if !errors.As(err, &aerr) || aerr.Code != "invalid_scope" {
		t.Fatalf("Login with an unknown scope = %v, want invalid_scope", err)
	}
}

type brokenBrowser struct{}

func (brokenBrowser) Open(string) error { return errors.New("no launcher") }

func TestLoginSurvivesBrowserFailure(t *testing.T) {
	s := authtest.New(t, authtest.Options{})
	stderr := &urlWatcher{found: make(chan string, 1)}
	done := startLogin(t.Context(), options(s, brokenBrowser{}, stderr))
	u := receive(t, stderr.found, "the printed URL")
	if err := s.Browser().Open(u); err != nil {
		t.Fatal(err)
	}
	if r := receive(t, done, "login"); r.err != nil {
		t.Fatalf("Login after the browser failed to open: %v", r.err)
	}
}

// The page says "Logged in" only after the code was exchanged for tokens
// (review I6): a token endpoint that refuses the code makes it say the
// login failed.
func TestLoginPageWaitsForTheCodeExchange(t *testing.T) {
	s := authtest.New(t, authtest.Options{})
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"error":"invalid_grant"}`)
	}))
	defer refusing.Close()
	b := s.Browser()
	o := options(s, b, &lockedBuffer{})
	o.Endpoints.TokenURL = refusing.URL + "/o/token/"
	if _, err := auth.Login(t.Context(), o); err == nil {
		t.Fatal("Login succeeded with a refused code")
	}
	page, ok := b.LastPage()
	if !ok || strings.Contains(page.Body, "Logged in") || strings.Contains(page.Body, "is logged in") || !strings.Contains(page.Body, "Login failed") {
		t.Errorf("page after a failed exchange: %+v", page)
	}
}
