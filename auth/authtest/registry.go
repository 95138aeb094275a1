package authtest

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// Grant types the fake token endpoint knows.
const (
	GrantAuthorizationCode = "authorization_code"
	GrantRefreshToken      = "refresh_token"
	GrantPassword          = "password"
)

// Defaults registered when Options lists no client or no user.
const (
	DefaultClientID    = "laymanctl"
	DefaultRedirectURI = "http://127.0.0.1/callback"
	DefaultUsername    = "alice"
	DefaultPassword    = "alice-password"
)

// Client is an application registered at the fake server. A client with a
// Secret is confidential and must authenticate at the token endpoint.
type Client struct {
	ID     string
	Secret string
	// RedirectURIs are matched exactly, except that a loopback URI registered
	// without a port matches any port (RFC 8252 section 7.3).
	RedirectURIs []string
	// Grants allowed; empty means authorization_code and refresh_token.
	Grants []string
}

// Profile is what the portal's /profile/ endpoint answers, with the field
// names Layman reads.
type Profile struct {
	UserID       int    `json:"userId"`
	ScreenName   string `json:"screenName"`
	EmailAddress string `json:"emailAddress"`
	FirstName    string `json:"firstName"`
	LastName     string `json:"lastName"`
}

// User is a resource owner of the fake server.
type User struct {
	Username string
	Password string
	// Profile defaults to a screen name and e-mail derived from Username.
	Profile Profile
}

func (c *Client) confidential() bool { return c.Secret != "" }

func (c *Client) allows(grant string) bool {
	if len(c.Grants) == 0 {
		return grant == GrantAuthorizationCode || grant == GrantRefreshToken
	}
	return slices.Contains(c.Grants, grant)
}

// redirectAllowed reports whether uri is one of the client's redirect URIs.
func (c *Client) redirectAllowed(uri string) bool {
	got, err := url.Parse(uri)
	if err != nil || got.Fragment != "" {
		return false
	}
	for _, registered := range c.RedirectURIs {
		if registered == uri {
			return true
		}
		want, err := url.Parse(registered)
		if err != nil || want.Port() != "" || !isLoopbackHost(want.Hostname()) {
			continue
		}
		if got.Scheme == "http" && want.Scheme == "http" && got.Hostname() == want.Hostname() &&
			got.Path == want.Path && got.RawQuery == want.RawQuery && got.User == nil {
			return true
		}
	}
	return false
}

func isLoopbackHost(host string) bool { return host == "127.0.0.1" || host == "::1" }

// AddClient registers (or replaces) an application.
func (s *Server) AddClient(c Client) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.RedirectURIs = slices.Clone(c.RedirectURIs)
	c.Grants = slices.Clone(c.Grants)
	s.clients[c.ID] = &c
}

// AddUser registers (or replaces) a user.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.Profile.UserID == 0 {
		s.lastUserID++
		u.Profile.UserID = s.lastUserID
	}
	if u.Profile.ScreenName == "" {
		u.Profile.ScreenName = u.Username
	}
	if u.Profile.EmailAddress == "" {
		u.Profile.EmailAddress = fmt.Sprintf("%s@example.com", strings.ToLower(u.Username))
	}
	s.users[u.Username] = &u
}

// SetConsentUser chooses the user who approves authorization requests.
func (s *Server) SetConsentUser(username string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.consentUser = username
}

// SetAuthorizeError makes the authorization endpoint redirect with
// error=code (e.g. "access_denied") instead of a code; "" restores consent.
func (s *Server) SetAuthorizeError(code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.authorizeError = code
}
