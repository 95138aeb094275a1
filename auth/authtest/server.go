// Package authtest is an in-process fake of the authorization server Layman
// deployments use (Django OAuth Toolkit mounted at /o/, plus the portal's
// /profile/ endpoint), for tests, benchmarks and a sandbox program.
package authtest

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/laymanctl/laymanctl/auth"
)

// Prefix is where Django OAuth Toolkit's views are mounted.
const Prefix = "/o/"

// Discovery chooses which metadata document the fake publishes. Django OAuth
// Toolkit publishes none unless OIDC is on.
type Discovery int

const (
	// NoDiscovery serves no metadata: clients fall back to DOT's URL layout.
	NoDiscovery Discovery = iota
	// OpenIDDiscovery serves /o/.well-known/openid-configuration.
	OpenIDDiscovery
	// OAuthDiscovery serves RFC 8414 metadata at
	// /.well-known/oauth-authorization-server/o.
	OAuthDiscovery
)

// Options configure a fake server. Zero values give a usable server with one
// public client (DefaultClientID) and one user (DefaultUsername).
type Options struct {
	// Addr to listen on, loopback only; default 127.0.0.1:0.
	Addr    string
	Clients []Client
	Users   []User
	// ConsentUser approves authorization requests; default the first user.
	ConsentUser string
	// AuthorizeError, when set, is answered by the authorization endpoint
	// instead of a code (e.g. "access_denied").
	AuthorizeError string
	// TokenLifetime of access tokens; default 10h as in DOT.
	TokenLifetime time.Duration
	// Clock defaults to WallClock().
	Clock     *Clock
	Discovery Discovery
	// DeviceFlow serves RFC 8628 device authorization at Prefix+DevicePath
	// and names it in the metadata (DOT 3.x has it; a client must also
	// allow GrantDeviceCode).
	DeviceFlow bool
}

// Server is a running fake authorization server.
type Server struct {
	// URL is the server's root, e.g. http://127.0.0.1:PORT.
	URL string

	hs        *httptest.Server
	clock     *Clock
	discovery Discovery

	mu             sync.Mutex
	clients        map[string]*Client
	users          map[string]*User
	lastUserID     int
	consentUser    string
	authorizeError string
	lifetime       time.Duration
	codes          map[string]*authorizationCode
	devices        map[string]*deviceGrant
	deviceFlow     bool
	access         map[string]*accessToken
	refresh        map[string]*refreshToken
	tokenRequests  map[string]int
	refreshes      int
}

// New starts a fake server closed when the test ends.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := Start(opts)
	if err != nil {
		t.Fatalf("authtest: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// Start starts a fake server; the caller must Close it.
func Start(opts Options) (*Server, error) {
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("address %q: the fake server listens on a loopback IP only", addr)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", addr, err)
	}
	s := &Server{
		clock:          opts.Clock,
		discovery:      opts.Discovery,
		clients:        map[string]*Client{},
		users:          map[string]*User{},
		consentUser:    opts.ConsentUser,
		authorizeError: opts.AuthorizeError,
		lifetime:       opts.TokenLifetime,
		codes:          map[string]*authorizationCode{},
		devices:        map[string]*deviceGrant{},
		deviceFlow:     opts.DeviceFlow,
		access:         map[string]*accessToken{},
		refresh:        map[string]*refreshToken{},
		tokenRequests:  map[string]int{},
	}
	if s.clock == nil {
		s.clock = WallClock()
	}
	if s.lifetime <= 0 {
		s.lifetime = 10 * time.Hour
	}
	if len(opts.Clients) == 0 {
		opts.Clients = []Client{{ID: DefaultClientID, RedirectURIs: []string{DefaultRedirectURI}}}
	}
	if len(opts.Users) == 0 {
		opts.Users = []User{{Username: DefaultUsername, Password: DefaultPassword}}
	}
	for _, c := range opts.Clients {
		s.AddClient(c)
	}
	for _, u := range opts.Users {
		s.AddUser(u)
	}
	if s.consentUser == "" {
		s.consentUser = opts.Users[0].Username
	}
	s.hs = httptest.NewUnstartedServer(s.routes())
	s.hs.Listener.Close()
	s.hs.Listener = l
	s.hs.Start()
	s.URL = s.hs.URL
	return s, nil
}

// Close stops the server and waits for its requests to end.
func (s *Server) Close() { s.hs.Close() }

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+Prefix+"authorize/", s.handleAuthorize)
	mux.HandleFunc("POST "+Prefix+"token/", s.handleToken)
	mux.HandleFunc("POST "+Prefix+"revoke_token/", s.clientEndpoint(s.handleRevoke))
	mux.HandleFunc(Prefix+"introspect/", s.handleIntrospect)
	mux.HandleFunc("GET /profile/", s.handleProfile)
	mux.HandleFunc("GET /profile", s.handleProfile)
	if s.deviceFlow {
		mux.HandleFunc("POST "+Prefix+DevicePath, s.clientEndpoint(s.handleDeviceAuthorization))
	}
	switch s.discovery {
	case OpenIDDiscovery:
		mux.HandleFunc("GET "+Prefix+".well-known/openid-configuration", s.handleMetadata)
	case OAuthDiscovery:
		mux.HandleFunc("GET /.well-known/oauth-authorization-server"+Prefix[:len(Prefix)-1], s.handleMetadata)
	}
	return mux
}

// BaseURL is DOT's mount point, what `auth login --auth-url` takes.
func (s *Server) BaseURL() string { return s.URL + Prefix }

// ProfileURL is the portal's user profile endpoint Layman calls.
func (s *Server) ProfileURL() string { return s.URL + "/profile/" }

// Endpoints of the fake server.
func (s *Server) Endpoints() auth.Endpoints {
	e := auth.Endpoints{
		AuthURL:       s.BaseURL() + "authorize/",
		TokenURL:      s.BaseURL() + "token/",
		RevokeURL:     s.BaseURL() + "revoke_token/",
		IntrospectURL: s.BaseURL() + "introspect/",
	}
	if s.deviceFlow {
		e.DeviceAuthURL = s.BaseURL() + DevicePath
	}
	return e
}

// Clock is the server's clock; Advance it to expire tokens.
func (s *Server) Clock() *Clock { return s.clock }

// TokenRequests counts requests to the token endpoint with this grant_type,
// failed ones included.
func (s *Server) TokenRequests(grant string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenRequests[grant]
}

// Refreshes counts successful refresh_token grants.
func (s *Server) Refreshes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refreshes
}

var errUnknownUser = errors.New("unknown user")
