package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"

	"golang.org/x/oauth2"

	"github.com/laymanctl/laymanctl/keyring"
)

// Environment variables that supply credentials, strongest first.
const (
	EnvAccessToken  = "LAYMAN_ACCESS_TOKEN"
	EnvUsername     = "LAYMAN_USERNAME"
	EnvPassword     = "LAYMAN_PASSWORD"
	EnvClientID     = "LAYMAN_CLIENT_ID"
	EnvClientSecret = "LAYMAN_CLIENT_SECRET"
)

// ErrIncompleteCredentials marks credentials given only in part, e.g. a
// username without a password: a usage error, not a failed login.
var ErrIncompleteCredentials = errors.New("incomplete credentials")

// Kind says where the credentials in use come from.
type Kind int

const (
	// KindStored is the profile's token set written by `auth login`.
	KindStored Kind = iota + 1
	// KindEnvironmentToken is LAYMAN_ACCESS_TOKEN.
	KindEnvironmentToken
	// KindPasswordGrant is LAYMAN_USERNAME and LAYMAN_PASSWORD.
	KindPasswordGrant
)

func (k Kind) String() string {
	switch k {
	case KindStored:
		return "stored token set"
	case KindEnvironmentToken:
		return "environment token (" + EnvAccessToken + ")"
	case KindPasswordGrant:
		return "password grant (" + EnvUsername + ")"
	}
	return "unknown"
}

// CredentialOptions is what ResolveCredentials needs of the profile and the
// process.
type CredentialOptions struct {
	// Env looks up environment variables; nil means os.Getenv.
	Env     func(string) string
	Profile string
	// Store opens the profile's token store; it is not called when the
	// environment supplies credentials, so CI needs no keychain.
	Store        func() (keyring.Store, error)
	LockDir      string
	Endpoints    Endpoints
	ClientID     string
	ClientSecret string
	Scopes       []string
	HTTPClient   *http.Client
	Clock        Clock
	// Warnings receives notices the command survives, such as a failed
	// refresh while the access token still works.
	Warnings io.Writer
}

// ResolveCredentials picks the credentials in order of precedence:
// LAYMAN_ACCESS_TOKEN, then LAYMAN_USERNAME + LAYMAN_PASSWORD (password
// grant, run now so that bad credentials fail fast), then the profile's
// stored token set. It never starts an interactive login: without
// credentials it returns a *LoginRequiredError.
func ResolveCredentials(ctx context.Context, o CredentialOptions) (TokenSource, Kind, error) {
	if o.Env == nil {
		o.Env = os.Getenv
	}
	if tok := o.Env(EnvAccessToken); tok != "" {
		return StaticSource(tok), KindEnvironmentToken, nil
	}
	user, pass := o.Env(EnvUsername), o.Env(EnvPassword)
	if user != "" || pass != "" {
		if user == "" || pass == "" {
			return nil, KindPasswordGrant, fmt.Errorf("%w: %s and %s must be set together", ErrIncompleteCredentials, EnvUsername, EnvPassword)
		}
		if o.Endpoints.TokenURL == "" {
			return nil, KindPasswordGrant, fmt.Errorf("%w: the password grant of %s needs the authorization server: set LAYMAN_AUTH_URL (e.g. https://layman.example.com/o/) or the profile's auth_url", ErrIncompleteCredentials, EnvUsername)
		}
		id, secret := o.ClientID, o.ClientSecret
		if v := o.Env(EnvClientID); v != "" {
			id = v
		}
		if v := o.Env(EnvClientSecret); v != "" {
			secret = v
		}
		src, err := PasswordSource(ctx, OAuth2Config(o.Endpoints, id, secret, o.Scopes), user, pass, o.HTTPClient, o.Clock)
		return src, KindPasswordGrant, err
	}

	store, err := o.Store()
	if err != nil {
		return nil, KindStored, fmt.Errorf("opening the token store: %w", err)
	}
	src := NewStoredSource(SourceOptions{
		Profile:    o.Profile,
		Store:      store,
		LockDir:    o.LockDir,
		Config:     OAuth2Config(o.Endpoints, o.ClientID, o.ClientSecret, o.Scopes),
		HTTPClient: o.HTTPClient,
		Clock:      o.Clock,
		Warnings:   o.Warnings,
	})
	// The one store read of a command: its result seeds the source.
	ts, err := src.load()
	if err != nil {
		return nil, KindStored, err
	}
	src.seed(ts)
	return src, KindStored, nil
}

// OAuth2Config is the x/oauth2 view of a client at the authorization
// server. A public client (no secret, DOT's usual native application) sends
// its id in the form; a confidential one authenticates with HTTP Basic.
func OAuth2Config(e Endpoints, clientID, clientSecret string, scopes []string) *oauth2.Config {
	style := oauth2.AuthStyleInHeader
	if clientSecret == "" {
		style = oauth2.AuthStyleInParams
	}
	return &oauth2.Config{
		ClientID:     clientID,
		ClientSecret: clientSecret,
		Scopes:       scopes,
		Endpoint:     oauth2.Endpoint{AuthURL: e.AuthURL, TokenURL: e.TokenURL, AuthStyle: style},
	}
}

// StaticSource serves a token given from outside (LAYMAN_ACCESS_TOKEN): it
// is never refreshed nor stored.
func StaticSource(token string) TokenSource { return staticSource(token) }

type staticSource string

func (s staticSource) Token(context.Context) (*oauth2.Token, error) {
	return &oauth2.Token{AccessToken: string(s), TokenType: "Bearer"}, nil
}

func (s staticSource) ForceRefresh(context.Context, string) (*oauth2.Token, error) {
	return nil, &LoginRequiredError{
		Reason: "Layman rejected the token in " + EnvAccessToken,
		Hint:   "set a valid token, or unset " + EnvAccessToken + " and run `laymanctl auth login`",
	}
}
