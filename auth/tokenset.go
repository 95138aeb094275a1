// Package auth obtains, keeps and refreshes laymanctl's OAuth2 tokens:
// Authorization Code + PKCE login on a loopback listener, a rotation-safe
// refreshing token source shared by parallel processes, and the credential
// precedence for scripts and CI.
package auth

import (
	"time"

	"golang.org/x/oauth2"
)

// Endpoints of the authorization server (Django OAuth Toolkit in Layman's
// deployments).
type Endpoints struct {
	AuthURL       string `json:"auth_url" yaml:"auth_url"`
	TokenURL      string `json:"token_url" yaml:"token_url"`
	RevokeURL     string `json:"revoke_url,omitempty" yaml:"revoke_url,omitempty"`
	IntrospectURL string `json:"introspect_url,omitempty" yaml:"introspect_url,omitempty"`
	// DeviceAuthURL is the RFC 8628 device authorization endpoint, known
	// only from the server's metadata.
	DeviceAuthURL string `json:"device_auth_url,omitempty" yaml:"device_auth_url,omitempty"`
}

// TokenSet is what a token store keeps for one profile.
type TokenSet struct {
	AccessToken  string    `json:"access_token"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	TokenType    string    `json:"token_type,omitempty"`
	Expiry       time.Time `json:"expiry,omitempty"`
	// IssuedAt is when the access token was received, so that Expiry minus
	// IssuedAt is its lifetime, which sets how early it is refreshed.
	IssuedAt time.Time `json:"issued_at,omitzero"`
	Scope    string    `json:"scope,omitempty"`
	// Username is the Layman username learnt from /rest/current-user.
	Username string `json:"username,omitempty"`
	// ClientSecret of a confidential client, given once to `auth login`
	// and kept with the tokens it is needed to refresh and revoke.
	ClientSecret string `json:"client_secret,omitempty"`
	// Server is the Layman server the set was issued for and TokenURL the
	// token endpoint that issued it: the tokens go nowhere else. Sets
	// stored before they were recorded have neither.
	Server   string `json:"server,omitempty"`
	TokenURL string `json:"token_url,omitempty"`
	// CAFile is the CA file (absolute) the login trusted besides the
	// system's CAs; "" when it trusted those only. The tokens are sent
	// through no other.
	CAFile string `json:"ca_file,omitempty"`
	// RefreshSent is when a refresh of this set was sent whose answer has
	// not been saved yet. It is stored before the request goes out, so a
	// run killed between the server's rotation of the refresh token and
	// the save of the new set (kill -9, power loss) is known to the next
	// one. No secret: a time.
	RefreshSent time.Time `json:"refresh_sent,omitzero"`
}

// Binding is where a token set may be sent, and through which CAs.
type Binding struct{ Server, TokenURL, CAFile string }

// Binding of the set.
func (t *TokenSet) Binding() Binding {
	return Binding{Server: t.Server, TokenURL: t.TokenURL, CAFile: t.CAFile}
}

// MaxTokenRequest bounds a request to the authorization server, and so how
// long a refresh holds the cross-process lock (lockWait is longer).
const MaxTokenRequest = 30 * time.Second

// OAuth2 converts the set to the form x/oauth2 works with.
func (t *TokenSet) OAuth2() *oauth2.Token {
	return &oauth2.Token{AccessToken: t.AccessToken, RefreshToken: t.RefreshToken, TokenType: t.TokenType, Expiry: t.Expiry}
}

// lifetimeShare is the part of an access token's lifetime left when it is
// refreshed: the last tenth. Tokens living 10 s or less would otherwise be
// refreshed at every request, and with refresh-token rotation every refresh
// revokes the access token other workers and processes are using.
const lifetimeShare = 10

// leeway is how long before expiry ts's access token is refreshed: the
// least of max and a tenth of its lifetime when that is known. A token is
// thereby never refreshed in the first tenth of its life either.
func (t *TokenSet) leeway(max time.Duration) time.Duration {
	if t.IssuedAt.IsZero() || t.Expiry.IsZero() || !t.Expiry.After(t.IssuedAt) {
		return max
	}
	return min(max, t.Expiry.Sub(t.IssuedAt)/lifetimeShare)
}

// Clock is time.Now, replaceable in tests.
type Clock interface{ Now() time.Time }

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// SystemClock is the real clock.
var SystemClock Clock = systemClock{}
