package authcmd

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/laymanctl/laymanctl/auth"
	"github.com/laymanctl/laymanctl/cmd/cli"
	"github.com/laymanctl/laymanctl/cmd/config"
)

// authServer is the authorization server and client a login uses.
type authServer struct {
	// base is --auth-url or the profile's auth_url; empty when the
	// profile's endpoints came without one.
	base      string
	endpoints auth.Endpoints
	clientID  string
	scopes    []string
}

// resolveAuthServer takes the endpoints from --auth-url (discovered), else
// from the profile, else discovers them under the profile's auth_url or
// LAYMAN_AUTH_URL. The error says how to name a server when none is known;
// the client id and scopes are filled in any case.
func resolveAuthServer(ctx context.Context, o *LoginOptions, profile, server string, p config.Profile, hc *http.Client) (authServer, error) {
	f := o.Factory
	s := authServer{
		clientID: firstOf(o.ClientID, p.ClientID, f.Env(auth.EnvClientID), cli.DefaultClientID),
		scopes:   o.Scopes,
	}
	if len(s.scopes) == 0 {
		s.scopes = strings.Fields(p.Scopes)
	}
	if len(s.scopes) == 0 {
		s.scopes = cli.DefaultScopes
	}
	// The device endpoint is not kept in the profile: --device discovers.
	if o.AuthURL == "" && p.AuthorizeURL != "" && p.TokenURL != "" && (!o.Device || p.AuthURL == "") {
		s.base = p.AuthURL
		s.endpoints = auth.Endpoints{AuthURL: p.AuthorizeURL, TokenURL: p.TokenURL, RevokeURL: p.RevokeURL, IntrospectURL: p.IntrospectURL}
		return s, f.CheckPlainHTTP(s.endpoints.TokenURL)
	}
	s.base = cli.WithScheme(firstOf(o.AuthURL, p.AuthURL, f.Env("LAYMAN_AUTH_URL")))
	if s.base == "" {
		var found bool
		if s.base, found, s.endpoints = o.findAuthServer(ctx, server, hc); found {
			return s, nil
		}
	}
	if s.base == "" {
		return s, &cli.ExitError{Code: cli.ExitUsage,
			Err:  fmt.Errorf("no authorization server is known for profile %q", profile),
			Hint: "Pass --auth-url with the base URL of the authorization server the Layman server trusts, e.g. https://example.com/o/."}
	}
	// Before any request: the base is where codes and tokens will go.
	if err := f.CheckPlainHTTP(s.base); err != nil {
		return s, err
	}
	var err error
	if s.endpoints, err = auth.DiscoverEndpoints(ctx, hc, s.base); err != nil {
		if errors.Is(err, context.Canceled) {
			return s, err
		}
		return s, fmt.Errorf("finding the endpoints of the authorization server %s: %w", s.base, err)
	}
	return s, nil
}

// saveInto records the server in a profile, so later commands need no flag.
func (s authServer) saveInto(p *config.Profile) {
	if s.endpoints.TokenURL == "" {
		return
	}
	if s.base != "" {
		p.AuthURL = s.base
	}
	p.AuthorizeURL, p.TokenURL = s.endpoints.AuthURL, s.endpoints.TokenURL
	p.RevokeURL, p.IntrospectURL = s.endpoints.RevokeURL, s.endpoints.IntrospectURL
	p.ClientID, p.Scopes = s.clientID, strings.Join(s.scopes, " ")
}

func firstOf(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// findAuthServer looks for the authorization server at the Layman
// server's own /o/, as Layman's portal deployments mount Django OAuth
// Toolkit; failing that it asks a person at a terminal. found means the
// endpoints are known already.
func (o *LoginOptions) findAuthServer(ctx context.Context, server string, hc *http.Client) (base string, found bool, e auth.Endpoints) {
	f := o.Factory
	if u, err := url.Parse(server); err == nil && u.Host != "" {
		candidate := u.Scheme + "://" + u.Host + "/o/"
		if e, ok := auth.FindAuthServer(ctx, hc, candidate); ok {
			fmt.Fprintf(f.IO.ErrOut, "Authorization server: %s (found at the Layman server)\n", candidate)
			return candidate, true, e
		}
	}
	if !f.IO.Interactive() || o.WithToken || o.ClientSecretStdin {
		return "", false, e
	}
	answer, err := cli.Prompt(ctx, f.IO, "Authorization server the Layman server trusts (e.g. https://example.com/o/): ")
	if err != nil {
		return "", false, e
	}
	return cli.WithScheme(answer), false, e
}
