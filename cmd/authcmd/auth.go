// Package authcmd implements `laymanctl auth`: log in with Authorization
// Code + PKCE, show the session, print or refresh the access token, log out.
package authcmd

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/oauth2"

	"github.com/laymanctl/laymanctl/auth"
	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/cmd/cli"
)

// NewCmd builds `auth` and its subcommands.
func NewCmd(f *cli.Factory) *cobra.Command {
	c := &cobra.Command{
		Use:   "auth",
		Short: "Log in to a Layman server and manage the session",
		Long: `Log in with OAuth2 (Authorization Code + PKCE) at the authorization server the
Layman server trusts, and keep the tokens in the OS keychain (or, on request,
in a file). Scripts may instead set LAYMAN_ACCESS_TOKEN, or LAYMAN_USERNAME and
LAYMAN_PASSWORD for a password-grant application.`,
	}
	f.AddLater(c, func() []*cobra.Command {
		return []*cobra.Command{
			NewCmdLogin(f, nil),
			NewCmdStatus(f, nil),
			NewCmdToken(f, nil),
			NewCmdRefresh(f, nil),
			NewCmdLogout(f, nil),
		}
	})
	return c
}

// errTokenRefused is Layman's HTTP 403 / code 32 to a token that must not
// be refreshed behind the user's back (a brand-new one, or one being
// logged out).
var errTokenRefused = errors.New("the Layman server refused the access token")

// fixedToken serves one access token as is.
type fixedToken string

func (t fixedToken) Token(context.Context) (*oauth2.Token, error) {
	return &oauth2.Token{AccessToken: string(t), TokenType: "Bearer"}, nil
}

func (t fixedToken) ForceRefresh(context.Context, string) (*oauth2.Token, error) {
	return nil, errTokenRefused
}

// laymanClient is a client of server sending token, a token just issued for
// server or taken from a set bound to it.
func laymanClient(f *cli.Factory, server, token string) (*client.Client, error) {
	base, err := f.Transport()
	if err != nil {
		return nil, err
	}
	return f.NewClient(server, &http.Client{Transport: auth.Transport(server, fixedToken(token), base)})
}

// describeExpiry is an access token's expiry for people, e.g.
// "2026-01-02 15:04:05 CET (in 59m30s)".
func describeExpiry(expiry, now time.Time) string {
	if expiry.IsZero() {
		return "unknown (the authorization server gave no lifetime)"
	}
	left := expiry.Sub(now).Round(time.Second)
	when := expiry.Local().Format("2006-01-02 15:04:05 MST")
	if left <= 0 {
		return when + " (expired)"
	}
	return fmt.Sprintf("%s (in %s)", when, left)
}
