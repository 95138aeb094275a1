package main

// The contract suite: one set of scenarios, driven through the laymanctl
// binary, run against every Layman we have: the in-process fake
// (client/laymantest with auth/authtest) of both API generations, and real
// Layman master and 2.4 (client/laymantest/reallayman). A scenario that
// passes on the fake and fails on real Layman shows where the fake is wrong.

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/laymanctl/laymanctl/auth/authtest"
	"github.com/laymanctl/laymanctl/auth/dottest"
	"github.com/laymanctl/laymanctl/client/laymantest"
	"github.com/laymanctl/laymanctl/client/laymantest/reallayman"
)

// target is one Layman the scenarios run against.
type target struct {
	name string
	gen  int // 2: workspace URLs, 3: UUID URLs
	// url is a transparent proxy in front of Layman, so that a scenario
	// can hold requests (see hold); authURL is the OAuth2 base .../o/.
	url, authURL string
	publicClient string
	password     dottest.Client // a client allowed the password grant
	alice, bob   dottest.User

	// real is set for real Layman, fake and authz for the fake.
	real  *reallayman.Server
	fake  *laymantest.Server
	authz *authtest.Server

	proxy *holdProxy
}

// fakeTarget is laymantest of generation gen validating tokens at authtest,
// as Layman does at its portal.
func fakeTarget(t *testing.T, gen int) *target {
	t.Helper()
	alice := dottest.User{Username: "alice", Password: "alice-password"}
	bob := dottest.User{Username: "bob", Password: "bob-password"}
	password := dottest.Client{ID: "laymanctl-ci", Secret: "laymanctl-ci-secret"}
	introspector := dottest.Client{ID: "layman", Secret: "layman-secret"}
	a := authtest.New(t, authtest.Options{
		Clients: []authtest.Client{
			{ID: authtest.DefaultClientID, RedirectURIs: []string{authtest.DefaultRedirectURI}},
			{ID: password.ID, Secret: password.Secret, Grants: []string{authtest.GrantPassword, authtest.GrantRefreshToken}},
			{ID: introspector.ID, Secret: introspector.Secret},
		},
		Users: []authtest.User{
			{Username: alice.Username, Password: alice.Password, Profile: authtest.Profile{UserID: 1, ScreenName: "alice", EmailAddress: "alice@example.com"}},
			{Username: bob.Username, Password: bob.Password, Profile: authtest.Profile{UserID: 2, ScreenName: "bob", EmailAddress: "bob@example.com"}},
		},
	})
	e := a.Endpoints()
	l := laymantest.New(t, laymantest.Options{Generation: gen, Validator: &laymantest.IntrospectionValidator{
		IntrospectURL: e.IntrospectURL, ClientID: introspector.ID, ClientSecret: introspector.Secret,
		ProfileURL: a.ProfileURL(), CacheTTL: -1,
	}})
	tg := &target{name: "fake-gen" + string(rune('0'+gen)), gen: gen, authURL: a.BaseURL(),
		publicClient: authtest.DefaultClientID, password: password, alice: alice, bob: bob, fake: l, authz: a}
	tg.proxy = newHoldProxy(t, l.URL)
	tg.url = tg.proxy.URL
	return tg
}

// realTarget is real Layman of version v, shared by the test binary.
func realTarget(t *testing.T, v string) *target {
	t.Helper()
	return targetOf(t, reallayman.Get(t, reallayman.Options{Version: v}))
}

// targetOf is the target for the running real Layman s.
func targetOf(t *testing.T, s *reallayman.Server) *target {
	t.Helper()
	gen := 3
	if s.Version == reallayman.V24 {
		gen = 2
	}
	tg := &target{name: "real-" + s.Version, gen: gen, authURL: s.AuthURL, publicClient: s.PublicClient.ID,
		password: dottest.Client(s.PasswordClient),
		alice:    dottest.User{Username: s.Alice.Username, Password: s.Alice.Password},
		bob:      dottest.User{Username: s.Bob.Username, Password: s.Bob.Password},
		real:     s}
	tg.proxy = newHoldProxy(t, s.LaymanURL)
	tg.url = tg.proxy.URL
	return tg
}

// expire makes an access token invalid at the server behind laymanctl's
// back: on real Layman it expires at the authorization server and Layman's
// cache of it is flushed; the fake answers 403, code 32 for it.
func (tg *target) expire(t *testing.T, accessToken string) {
	t.Helper()
	if tg.real != nil {
		tg.real.ExpireToken(t, accessToken)
		return
	}
	tg.fake.SetTokenInvalid(accessToken)
}

// storedSHA256 is the SHA-256 of the layer's data file as the server stored
// it: the file under Layman's data directory, or the fake's record.
func (tg *target) storedSHA256(t *testing.T, uuid, ref, filename string) string {
	t.Helper()
	if tg.real != nil {
		return laymantest.SHA256File(t, tg.real.InputFile(t, uuid, filepath.Ext(filename)))
	}
	sum, ok := tg.fake.FileSHA256(ref, filename)
	if !ok {
		t.Fatalf("the fake stored no %s for %s", filename, ref)
	}
	return sum
}

// forEachTarget runs f against the fake of both generations and real
// Layman master and 2.4, in parallel.
func forEachTarget(t *testing.T, f func(t *testing.T, tg *target)) {
	targets := []struct {
		name string
		make func(t *testing.T) *target
	}{
		{"fake-gen3", func(t *testing.T) *target { return fakeTarget(t, 3) }},
		{"fake-gen2", func(t *testing.T) *target { return fakeTarget(t, 2) }},
		{"real-master", func(t *testing.T) *target { return realTarget(t, reallayman.Master) }},
		{"real-2.4", func(t *testing.T) *target { return realTarget(t, reallayman.V24) }},
	}
	for _, c := range targets {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f(t, c.make(t))
		})
	}
}

// holdProxy forwards every request to Layman; while a hold function is
// set, requests it picks wait until release and are then dropped, as a
// network that stalls does.
type holdProxy struct {
	*httptest.Server
	mu      sync.Mutex
	hold    func(r *http.Request) bool
	release chan struct{}
}

func newHoldProxy(t *testing.T, upstream string) *holdProxy {
	t.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	rp := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(u); r.Out.Host = u.Host }}
	p := &holdProxy{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		hold, release := p.hold, p.release
		p.mu.Unlock()
		if hold != nil && hold(r) {
			<-release
			panic(http.ErrAbortHandler) // the connection drops
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(func() { p.setHold(nil); p.Close() })
	return p
}

// setHold sets (or with nil, clears and releases) the hold function.
func (p *holdProxy) setHold(hold func(r *http.Request) bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.release != nil {
		close(p.release)
		p.release = nil
	}
	p.hold = hold
	if hold != nil {
		p.release = make(chan struct{})
	}
}

// contractSandbox is a user's machine set up for tg: the file token store,
// and the robot as the browser, logging in as u.
func contractSandbox(t *testing.T, tg *target, u dottest.User) *sandbox {
	t.Helper()
	s := newSandbox(t)
	s.useRobot(u)
	s.set("LAYMAN_CLIENT_ID", tg.publicClient)
	return s
}

// login logs s in to tg as u through the browser (the robot) and returns
// the Layman username laymanctl reports.
func (tg *target) login(t *testing.T, s *sandbox, u dottest.User) string {
	t.Helper()
	if tg.authz != nil {
		// authtest consents at once, as this user, without a login form.
		tg.authz.SetConsentUser(u.Username)
	}
	r := s.ok("", "auth", "login", "--server", tg.url, "--auth-url", tg.authURL, "--timeout", "90s")
	m := loggedInAs.FindStringSubmatch(r.stderr)
	if m == nil || !strings.HasPrefix(m[1], tg.url) {
		t.Fatalf("login stderr lacks \"Logged in to %s as USERNAME\":\n%s", tg.url, r.stderr)
	}
	return m[2]
}
