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
		Example: `  laymanctl auth logout
  laymanctl auth logout --profile staging`,
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
	// Refused before anything is deleted or sent.
	if err := checkLogoutTarget(f, store, name); err != nil {
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
		if errors.Is(err, auth.ErrNothingDeleted) {
			return fmt.Errorf("not logged out: %w", err)
		}
		return fmt.Errorf("%w; it was deleted without contacting the servers", err)
	}
	var failed []string
	kept := errors.Is(err, auth.ErrNothingDeleted)
	if err != nil {
		failed = append(failed, err.Error())
	}
	if err := forgetAtLayman(ctx, f, boundServer(f, ts), ts.AccessToken); err != nil {
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
	if kept {
		fmt.Fprintf(f.IO.ErrOut, "The token set of profile %s is still stored; laymanctl could not:\n", name)
	} else {
		fmt.Fprintf(f.IO.ErrOut, "Logged out of profile %s (the token set was deleted), but could not:\n", name)
	}
	for _, msg := range failed {
		fmt.Fprintf(f.IO.SafeErrOut(), "  - %s\n", msg)
	}
	return cli.ErrSilent
}

// checkLogoutTarget refuses a logout that would send the stored set to a
// server other than its own (--server or LAYMAN_SERVER naming another), or
// through other CAs than its login trusted.
func checkLogoutTarget(f *cli.Factory, store keyring.Store, name string) error {
	ts, err := auth.LoadTokenSet(store, name)
	if err != nil {
		return nil // TakeTokenSet reports it
	}
	if f.Flags.Server == "" && f.Env("LAYMAN_SERVER") == "" {
		return f.CheckCA(name, ts.Binding())
	}
	server, err := f.Server()
	if err != nil {
		return err
	}
	return f.CheckBinding(server, ts.Binding())
}

// boundServer is the server ts belongs to: the one recorded in it, else
// (older sets) the profile's. "" when neither is known.
func boundServer(f *cli.Factory, ts *auth.TokenSet) string {
	if ts.Server != "" {
		return ts.Server
	}
	if _, p, err := f.Profile(); err == nil && p.Server != "" {
		if s, err := cli.NormalizeServer(p.Server); err == nil {
			return s
		}
	}
	return ""
}

// forgetAtLayman is DELETE /rest/current-user: Layman drops its cache of
// the token. A token Layman already refuses has nothing cached.
func forgetAtLayman(ctx context.Context, f *cli.Factory, server, accessToken string) error {
	if server == "" {
		return errors.New("the token set does not say which server it belongs to")
	}
	if err := f.CheckPlainHTTP(server); err != nil {
		return err
	}
	c, err := laymanClient(f, server, accessToken)
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
	revokeURL := settings.Endpoints.RevokeURL
	if ts.TokenURL != "" && revokeURL != "" && client.OriginOf(revokeURL) != client.OriginOf(ts.TokenURL) {
		return fmt.Errorf("the profile's revocation endpoint %s is not at the authorization server that issued the tokens (%s); they were not sent there", revokeURL, client.OriginOf(ts.TokenURL))
	}
	hc, err := f.HTTPClient()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, remoteStepTimeout)
	defer cancel()
	return revokeTokenSet(ctx, hc, revokeURL, settings.ClientID, ts)
}
