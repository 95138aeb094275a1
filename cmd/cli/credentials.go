package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/laymanctl/laymanctl/auth"
	"github.com/laymanctl/laymanctl/cmd/config"
	"github.com/laymanctl/laymanctl/keyring"
)

// DefaultClientID is the OAuth2 client laymanctl registers as when the
// profile names none.
const DefaultClientID = "laymanctl"

// DefaultScopes are what Layman needs: read for the portal's /profile/,
// write to publish.
var DefaultScopes = []string{"read", "write"}

// AuthSettings is the profile's view of its authorization server, with
// LAYMAN_AUTH_URL and LAYMAN_CLIENT_ID filling what the profile lacks so
// that CI needs no config file.
type AuthSettings struct {
	Endpoints auth.Endpoints
	ClientID  string
	Scopes    []string
}

// AuthSettings resolves the endpoints from the profile, falling back to
// Django OAuth Toolkit's conventions under auth_url / LAYMAN_AUTH_URL.
func (f *Factory) AuthSettings() (AuthSettings, error) {
	name, p, err := f.Profile()
	if err != nil {
		return AuthSettings{}, err
	}
	s := AuthSettings{
		Endpoints: auth.Endpoints{AuthURL: p.AuthorizeURL, TokenURL: p.TokenURL, RevokeURL: p.RevokeURL, IntrospectURL: p.IntrospectURL},
		ClientID:  p.ClientID,
		Scopes:    strings.Fields(p.Scopes),
	}
	base, from := p.AuthURL, fmt.Sprintf("the auth_url of profile %q", name)
	if base == "" {
		base, from = f.Env("LAYMAN_AUTH_URL"), "LAYMAN_AUTH_URL"
	}
	if s.Endpoints.TokenURL == "" && base != "" {
		// As `config set auth_url` and `auth login --auth-url` refuse them;
		// the URL is not shown, for it may hold a password.
		if _, ok := config.ParseBase(base); !ok {
			return AuthSettings{}, BadAuthURL(from)
		}
		if s.Endpoints, err = auth.ConventionalEndpoints(base); err != nil {
			return AuthSettings{}, &UsageError{Err: err}
		}
	}
	if s.ClientID == "" {
		s.ClientID = DefaultClientID
	}
	if len(s.Scopes) == 0 {
		s.Scopes = DefaultScopes
	}
	return s, nil
}

// BadAuthURL refuses an authorization server URL, from where it came, that
// is not a base address (config.ParseBase).
func BadAuthURL(from string) error {
	return Usagef("%s: want the authorization server's http(s):// URL without credentials, query or fragment, "+
		"e.g. https://layman.example.com/o/", from)
}

// LockDir holds the per-profile refresh locks.
func (f *Factory) LockDir() (string, error) {
	dir, err := f.StateDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "locks"), nil
}

// Credentials resolves the token source in the spec's precedence; it never
// starts an interactive login.
func (f *Factory) Credentials(ctx context.Context) (auth.TokenSource, auth.Kind, error) {
	name, err := f.ProfileName()
	if err != nil {
		return nil, 0, err
	}
	settings, err := f.AuthSettings()
	if err != nil {
		return nil, 0, err
	}
	lockDir, err := f.LockDir()
	if err != nil {
		return nil, 0, err
	}
	hc, err := f.HTTPClient()
	if err != nil {
		return nil, 0, err
	}
	src, kind, err := auth.ResolveCredentials(ctx, auth.CredentialOptions{
		Env:        f.Env,
		Profile:    name,
		Store:      func() (keyring.Store, error) { return f.TokenStore() },
		LockDir:    lockDir,
		Endpoints:  settings.Endpoints,
		ClientID:   settings.ClientID,
		Scopes:     settings.Scopes,
		HTTPClient: hc,
		Warnings:   f.IO.SafeErrOut(),
	})
	if stored, ok := src.(*auth.StoredSource); ok && err == nil {
		err = f.checkTokenURL(name, settings, stored.Binding())
		f.sessionsMu.Lock()
		f.sessions = append(f.sessions, stored)
		f.sessionsMu.Unlock()
	}
	return src, kind, err
}

// KeepSessions, as a command ends, saves a refreshed token set the store
// refused during it (a keychain locked for a moment), the last chance: the
// refresh token it replaced is spent. A person at a terminal may fix the
// store and have it tried again. If the store still refuses, the command's
// err stays and the loss is told besides; a command that succeeded exits 4,
// since the next one needs a login.
func (f *Factory) KeepSessions(ctx context.Context, err error) error {
	f.sessionsMu.Lock()
	sessions := f.sessions
	f.sessionsMu.Unlock()
	for _, s := range sessions {
		serr := s.SaveUnsaved(context.WithoutCancel(ctx)) // even after Ctrl-C
		for serr != nil && f.IO.Interactive() {
			answer, perr := Prompt(ctx, f.IO, fmt.Sprintf("The refreshed tokens of profile %q could not be saved (%v).\n"+
				"Unlock the keychain (or free the disk), then press Enter to try again, or type q to give the login up: ", s.Profile(), serr))
			if perr != nil || answer == "q" {
				break
			}
			serr = s.SaveUnsaved(context.WithoutCancel(ctx))
		}
		if serr == nil {
			continue
		}
		lost := fmt.Errorf("the refreshed tokens of profile %q could not be saved (%w); the authorization server has replaced the stored refresh token, so the next command recovers the login only within the server's grace period for replaced refresh tokens, if it has one", s.Profile(), serr)
		hint := "Fix the token store (unlock the keychain), then run `" + LoginCommand(s.Profile()) + "`."
		if err == nil {
			err = &ExitError{Code: ExitAuth, Err: fmt.Errorf("the command succeeded, but %w", lost), Hint: hint}
			continue
		}
		fmt.Fprintf(f.IO.SafeErrOut(), "warning: %s\n%s\n", lost, hint)
	}
	return err
}

// checkTokenURL refuses to refresh a stored set at a token endpoint other
// than the one that issued it, or through other CAs.
func (f *Factory) checkTokenURL(name string, settings AuthSettings, b auth.Binding) error {
	if now := settings.Endpoints.TokenURL; b.TokenURL != "" && now != "" && now != b.TokenURL {
		return &ExitError{Code: ExitAuth,
			Err:  fmt.Errorf("profile %q now names the token endpoint %s, but its tokens were issued by %s; the refresh token is not sent elsewhere", name, now, b.TokenURL),
			Hint: "Log in again: `" + LoginCommand(name) + "`."}
	}
	return f.CheckCA(name, b)
}

// LoginCommand is how to log in again with profile name.
func LoginCommand(name string) string {
	if name == config.DefaultProfile {
		return "laymanctl auth login"
	}
	return "laymanctl auth login --profile " + name
}
