// Package dottest runs a real Django OAuth Toolkit (Debian's
// python3-django-oauth-toolkit) in a small portal that mirrors Layman's, for
// end-to-end tests of laymanctl's login: DOT at /o/, a login page, a consent
// page and a Liferay-style /profile/. It also provides the users who log in:
// a robot that speaks HTTP like a person's browser and a headless Chromium.
package dottest

import (
	"net/http"
	"time"
)

// RedirectURI is the callback registered for the authorization-code clients.
// DOT 1.7 accepts any port on it at request time (RFC 8252 section 7.3).
const RedirectURI = "http://127.0.0.1/callback"

// Client is an OAuth2 application registered at DOT. Secret is empty for the
// public client.
type Client struct {
	ID     string
	Secret string
}

// User is a portal account and the profile /profile/ returns for it.
type User struct {
	Username  string
	Password  string
	Email     string
	FirstName string
	LastName  string
}

// The fixtures created by the portal's `manage.py laymanctl_setup`.
var (
	// PublicClient uses the authorization-code grant with PKCE and no secret.
	PublicClient = Client{ID: "laymanctl"}
	// ConfidentialClient uses the authorization-code grant with PKCE and a secret.
	ConfidentialClient = Client{ID: "laymanctl-confidential", Secret: "laymanctl-confidential-secret"}
	// PasswordClient uses the resource-owner password grant (CI service accounts).
	PasswordClient = Client{ID: "laymanctl-ci", Secret: "laymanctl-ci-secret"}
	// Introspector is Layman as a resource server: its client credentials
	// authorize calls to the introspection endpoint.
	Introspector = Client{ID: "layman", Secret: "layman-secret"}

	Alice = User{Username: "alice", Password: "alice-password", Email: "alice@example.com", FirstName: "Alice", LastName: "Liddell"}
	Bob   = User{Username: "bob", Password: "bob-password", Email: "bob@example.com", FirstName: "Bob", LastName: "Builder"}
)

// Options configure a portal.
type Options struct {
	// TokenLifetime of access tokens, in whole seconds; zero means one hour.
	TokenLifetime time.Duration
	// RefreshGrace is DOT's REFRESH_TOKEN_GRACE_PERIOD_SECONDS, in whole
	// seconds: how long a rotated refresh token still works. Zero, DOT's
	// default, refuses it at once.
	RefreshGrace time.Duration
}

// Endpoints has the fields of auth.Endpoints, so auth.Endpoints(d.Endpoints())
// converts it; dottest does not import auth so that auth's own tests can use it.
type Endpoints struct {
	AuthURL       string
	TokenURL      string
	RevokeURL     string
	IntrospectURL string
}

// DOT is a running portal.
type DOT struct {
	// BaseURL is http://127.0.0.1:PORT without a trailing slash.
	BaseURL string
	// ProfileURL is the portal's /profile/, as Layman's OAUTH2_USER_PROFILE_URL.
	ProfileURL string

	server *server
	http   *http.Client
}

// Endpoints of the authorization server, DOT's URLs under /o/.
func (d *DOT) Endpoints() Endpoints {
	return Endpoints{
		AuthURL:       d.BaseURL + "/o/authorize/",
		TokenURL:      d.BaseURL + "/o/token/",
		RevokeURL:     d.BaseURL + "/o/revoke_token/",
		IntrospectURL: d.BaseURL + "/o/introspect/",
	}
}
