package authcmd

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/laymanctl/laymanctl/auth"
	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/cmd/cli"
	"github.com/laymanctl/laymanctl/keyring"
)

// remoteStepTimeout bounds each call to Layman or the authorization server
// during logout, so that an unreachable one cannot delay the local cleanup
// for long.
const remoteStepTimeout = 15 * time.Second

// LogoutOptions is what `auth logout` was asked to do.
type LogoutOptions struct {
	Factory *cli.Factory
}

// NewCmdLogout builds `auth logout`; runF replaces the run in tests.
func NewCmdLogout(f *cli.Factory, runF func(*LogoutOptions) error) *cobra.Command {
	opts := &LogoutOptions{Factory: f}
	return &cobra.Command{
		Use:   "logout",
		Short: "Log out: revoke and delete the stored tokens",
		Long: `Tell Layman to forget the token (DELETE /rest/current-user), revoke the refresh
and access tokens at the authorization server (RFC 7009), and delete them from
the token store. The local copy is deleted even when a server cannot be
reached; what could not be done is reported (exit code 1).`,
		Args: cli.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return logoutRun(c.Context(), opts)
		},
	}
}

func logoutRun(ctx context.Context, o *LogoutOptions) error {
	f := o.Factory
	name, err := f.ProfileName()
	if err != nil {
		return err
	}
	store, err := f.TokenStore()
	if err != nil {
		return err
	}
	lockDir, err := f.LockDir()
	if err != nil {
		return err
	}
	// The set leaves the store first, under the refresh lock, so that no
	// parallel refresh can store a new one behind the logout.
	ts, err := auth.TakeTokenSet(ctx, store, lockDir, name)
	if errors.Is(err, keyring.ErrNotFound) {
		fmt.Fprintf(f.IO.ErrOut, "Not logged in with profile %s; nothing to do.\n", name)
		return nil
	}
	if ts == nil {
		return fmt.Errorf("%w; it was deleted without contacting the servers", err)
	}
	var failed []string
	if err != nil {
		failed = append(failed, err.Error())
	}
	if err := forgetAtLayman(ctx, f, ts.AccessToken); err != nil {
		failed = append(failed, "tell Layman to forget the token: "+cli.ErrorText(err))
	}
	if err := revokeAtAuthServer(ctx, f, ts); err != nil {
		errs := []error{err}
		if joined, ok := err.(interface{ Unwrap() []error }); ok {
			errs = joined.Unwrap()
		}
		for _, err := range errs {
			failed = append(failed, "revoke the tokens: "+cli.ErrorText(err))
		}
	}
	if f.Env(auth.EnvAccessToken) != "" {
		fmt.Fprintf(f.IO.ErrOut, "note: %s is still set; it is not affected by logout\n", auth.EnvAccessToken)
	}
	if len(failed) == 0 {
		if !f.Flags.Quiet {
			fmt.Fprintf(f.IO.ErrOut, "Logged out of profile %s\n", name)
		}
		return nil
	}
	fmt.Fprintf(f.IO.ErrOut, "Logged out of profile %s, but could not:\n", name)
	for _, msg := range failed {
		fmt.Fprintf(f.IO.ErrOut, "  - %s\n", msg)
	}
	return cli.ErrSilent
}

// forgetAtLayman is DELETE /rest/current-user: Layman drops its cache of
// the token. A token Layman already refuses has nothing cached.
func forgetAtLayman(ctx context.Context, f *cli.Factory, accessToken string) error {
	server, err := f.Server()
	if err != nil {
		return err
	}
	c, err := laymanClient(f, server, fixedToken(accessToken))
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, remoteStepTimeout)
	defer cancel()
	if err := c.CurrentUser.Delete(ctx); err != nil && !errors.Is(err, errTokenRefused) && !client.IsAuthFailure(err) && !client.IsAuthUnverifiable(err) {
		return err
	}
	return nil
}

func revokeAtAuthServer(ctx context.Context, f *cli.Factory, ts *auth.TokenSet) error {
	settings, err := f.AuthSettings()
	if err != nil {
		return err
	}
	hc, err := f.HTTPClient()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, remoteStepTimeout)
	defer cancel()
	return revokeTokenSet(ctx, hc, settings.Endpoints.RevokeURL, settings.ClientID, ts)
}
