package authcmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"

	"golang.org/x/oauth2"

	"github.com/laymanctl/laymanctl/auth"
	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/cmd/cli"
	"github.com/laymanctl/laymanctl/cmd/config"
	"github.com/laymanctl/laymanctl/keyring"
)

// loginRun obtains tokens, has Layman accept them and reserve a username,
// then saves the token set and the profile. Nothing is saved when a step
// fails.
func loginRun(ctx context.Context, o *LoginOptions) error {
	f := o.Factory
	name, err := f.ProfileName()
	if err != nil {
		return err
	}
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	var prof config.Profile
	if p := cfg.Profile(name); p != nil {
		prof = *p
	}
	server, err := o.server(ctx)
	if err != nil {
		return err
	}
	storeName := o.TokenStore
	if storeName == "" {
		storeName = f.TokenStoreName()
		if err := validateStoreName(storeName); err != nil {
			return err
		}
	}
	store, err := f.OpenTokenStore(storeName)
	if err != nil {
		return err
	}
	// Before the person logs in (or a refresh token is spent): the store
	// must be able to keep the result.
	if _, err := store.Get(name); err != nil && !errors.Is(err, keyring.ErrNotFound) {
		return fmt.Errorf("the %s token store cannot be used: %w", storeName, err)
	}
	hc, err := f.HTTPClient()
	if err != nil {
		return err
	}
	as, asErr := resolveAuthServer(ctx, o, name, server, prof, hc)
	secret, err := o.clientSecret()
	if err != nil {
		return err
	}
	ts, err := o.obtainTokens(ctx, as, asErr, secret, hc)
	if err != nil {
		return err
	}
	ts.ClientSecret = secret

	username, err := whoAmI(ctx, f, server, ts.AccessToken, o.Username)
	if err != nil {
		// Nobody will use these tokens; a dead revocation endpoint changes nothing.
		_ = revokeTokenSet(ctx, hc, as.endpoints.RevokeURL, as.clientID, ts)
		return err
	}
	ts.Username = username
	ts.Server, ts.TokenURL, ts.CAFile = server, as.endpoints.TokenURL, f.CAFile()
	lockDir, err := f.LockDir()
	if err != nil {
		return err
	}
	replaced, err := auth.PutTokenSet(ctx, store, lockDir, name, ts)
	if err != nil {
		// Not stored: nobody could use or revoke these tokens later.
		_ = revokeTokenSet(ctx, hc, as.endpoints.RevokeURL, as.clientID, ts)
		return err
	}
	oldProfile := prof
	as.saveInto(&prof)
	prof.Server, prof.TokenStore = server, storeName
	if f.Flags.InsecureHTTP {
		prof.InsecureHTTP = true
	}
	if ca := f.Flags.CAFile; ca != "" {
		// Every later command needs it to trust the server; absolute, so
		// that it works from any directory.
		if abs, err := filepath.Abs(ca); err == nil {
			ca = abs
		}
		prof.CAFile = ca
	}
	*cfg.EnsureProfile(name) = prof
	if cfg.CurrentProfile == "" {
		cfg.CurrentProfile = name
	}
	if err := cfg.Save(); err != nil {
		return fmt.Errorf("the tokens are stored, but saving profile %q failed: %w", name, err)
	}
	if !f.Flags.Quiet {
		fmt.Fprintf(f.IO.SafeErrOut(), "Logged in to %s as %s\n", server, username)
	}
	if replaced != nil && replaced.RefreshToken != ts.RefreshToken {
		revokeReplaced(ctx, f, hc, oldProfile, replaced)
	}
	if f.Env(auth.EnvAccessToken) != "" {
		fmt.Fprintf(f.IO.ErrOut, "warning: %s is set and takes precedence over this login; unset it to use the stored tokens\n", auth.EnvAccessToken)
	}
	return nil
}

// obtainTokens reads them from stdin (--with-token) or runs the browser
// login.
func (o *LoginOptions) obtainTokens(ctx context.Context, as authServer, asErr error, secret string, hc *http.Client) (*auth.TokenSet, error) {
	if o.WithToken {
		ts, err := auth.ParseTokenInput(o.Factory.IO.In)
		if err != nil {
			return nil, &cli.UsageError{Err: fmt.Errorf("--with-token: %w", err)}
		}
		if ts.AccessToken != "" {
			if asErr != nil && ts.RefreshToken != "" {
				fmt.Fprintln(o.Factory.IO.ErrOut, "warning: no authorization server is known (--auth-url), so the token cannot be refreshed")
			}
			return ts, nil
		}
		if asErr != nil {
			return nil, asErr
		}
		ts, err = auth.ExchangeRefreshToken(ctx, auth.OAuth2Config(as.endpoints, as.clientID, secret, as.scopes), hc, nil, ts.RefreshToken)
		if err != nil {
			return nil, &cli.ExitError{Code: cli.ExitAuth, Err: fmt.Errorf("exchanging the refresh token from stdin: %w", err)}
		}
		return ts, nil
	}
	if asErr != nil {
		return nil, asErr
	}
	if o.Device {
		return o.deviceLogin(ctx, as, secret, hc)
	}
	// Before a browser is sent there, or the address printed for one.
	if err := auth.CheckAuthorizeEndpoint(ctx, hc, as.endpoints.AuthURL); err != nil {
		var missing *auth.AuthorizeEndpointMissingError
		if errors.As(err, &missing) {
			return nil, &cli.ExitError{Code: cli.ExitFailure, Err: err,
				Hint: "Check --auth-url (or the profile's auth_url, or LAYMAN_AUTH_URL): it is the base URL of the authorization server, " +
					"the one whose authorize/ and token/ the login uses; for Django OAuth Toolkit as Layman's portal mounts it, https://layman.example.com/o/."}
		}
		return nil, fmt.Errorf("checking the authorization server: %w", err)
	}
	if o.Browser == nil && o.BrowserNote != "" {
		fmt.Fprintf(o.Factory.IO.ErrOut, "Not opening a browser: %s.\n", o.BrowserNote)
	}
	var paste io.Reader
	if o.Browser == nil && o.Factory.IO.InTTY && !o.ClientSecretStdin {
		// A browser elsewhere (SSH) cannot reach our listener: take the
		// address it fails to load, typed or pasted here.
		paste = o.Factory.IO.In
	}
	ts, err := auth.Login(ctx, auth.LoginOptions{
		Paste:        paste,
		Endpoints:    as.endpoints,
		ClientID:     as.clientID,
		ClientSecret: secret,
		Scopes:       as.scopes,
		ListenAddr:   o.Listen,
		Browser:      o.Browser,
		Stderr:       o.Factory.IO.SafeErrOut(),
		Timeout:      o.Timeout,
		HTTPClient:   hc,
	})
	var denied *auth.AuthorizationError
	var refused *oauth2.RetrieveError
	switch {
	case err == nil, ctx.Err() != nil:
		return ts, err
	case errors.Is(err, auth.ErrLoginTimeout):
		return nil, &cli.ExitError{Code: cli.ExitAuth, Err: err,
			Hint: "Run `laymanctl auth login` again and finish in the browser in time, or raise --timeout."}
	case errors.As(err, &denied), errors.As(err, &refused):
		return nil, &cli.ExitError{Code: cli.ExitAuth, Err: fmt.Errorf("login failed: %w", err)}
	}
	return nil, err
}

// revokeReplaced revokes the session a new login replaced, at the
// authorization server that issued it, so that its refresh token does not
// stay valid unused.
func revokeReplaced(ctx context.Context, f *cli.Factory, hc *http.Client, old config.Profile, ts *auth.TokenSet) {
	e := auth.Endpoints{RevokeURL: old.RevokeURL}
	if e.RevokeURL == "" && old.AuthURL != "" {
		e, _ = auth.ConventionalEndpoints(old.AuthURL)
	}
	if e.RevokeURL == "" || (ts.TokenURL != "" && client.OriginOf(e.RevokeURL) != client.OriginOf(ts.TokenURL)) {
		fmt.Fprintln(f.IO.ErrOut, "note: the previous session of this profile could not be revoked (no revocation endpoint of the server that issued it is known); it ends when its tokens expire")
		return
	}
	clientID := old.ClientID
	if clientID == "" {
		clientID = cli.DefaultClientID
	}
	ctx, cancel := context.WithTimeout(ctx, remoteStepTimeout)
	defer cancel()
	if err := revokeTokenSet(ctx, hc, e.RevokeURL, clientID, ts); err != nil {
		fmt.Fprintf(f.IO.SafeErrOut(), "warning: revoking the previous session failed: %s\n", cli.ErrorText(err))
		return
	}
	if !f.Flags.Quiet {
		fmt.Fprintln(f.IO.ErrOut, "Revoked the session this login replaces.")
	}
}

// revokeTokenSet revokes the refresh token, then the access token (RFC
// 7009), and returns what failed.
func revokeTokenSet(ctx context.Context, hc *http.Client, revokeURL, clientID string, ts *auth.TokenSet) error {
	if revokeURL == "" {
		return errors.New("no revocation endpoint is known for this profile")
	}
	var errs []error
	if ts.RefreshToken != "" {
		errs = append(errs, auth.Revoke(ctx, hc, revokeURL, clientID, ts.ClientSecret, ts.RefreshToken, auth.HintRefreshToken))
	}
	errs = append(errs, auth.Revoke(ctx, hc, revokeURL, clientID, ts.ClientSecret, ts.AccessToken, auth.HintAccessToken))
	return errors.Join(errs...)
}

// deviceLogin runs the RFC 8628 device flow within --timeout.
func (o *LoginOptions) deviceLogin(ctx context.Context, as authServer, secret string, hc *http.Client) (*auth.TokenSet, error) {
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	ts, err := auth.DeviceLogin(ctx, auth.DeviceLoginOptions{
		Endpoints: as.endpoints, ClientID: as.clientID, ClientSecret: secret, Scopes: as.scopes,
		Stderr: o.Factory.IO.SafeErrOut(), HTTPClient: hc,
	})
	var refused *oauth2.RetrieveError
	switch {
	case errors.Is(err, auth.ErrNoDeviceFlow):
		return nil, &cli.ExitError{Code: cli.ExitUsage, Err: err,
			Hint: "Log in without --device: on a terminal without a browser, paste the address the browser ends at; or forward the listener with ssh -L (see README)."}
	case errors.As(err, &refused), errors.Is(err, context.DeadlineExceeded):
		return nil, &cli.ExitError{Code: cli.ExitAuth, Err: fmt.Errorf("login failed: %w", err)}
	}
	return ts, err
}

// server is the configured Layman server; with none, a person at a
// terminal is asked for it.
func (o *LoginOptions) server(ctx context.Context) (string, error) {
	f := o.Factory
	server, err := f.Server()
	if !errors.Is(err, cli.ErrNoServer) {
		return server, err
	}
	if !f.IO.Interactive() || o.WithToken || o.ClientSecretStdin {
		// Not the usual advice, which is to run this very command.
		return "", &cli.ExitError{Code: cli.ExitUsage, Err: cli.ErrNoServer, Hint: "Pass --server URL, or set LAYMAN_SERVER."}
	}
	answer, perr := cli.Prompt(ctx, f.IO, "Layman server (e.g. layman.example.com): ")
	if perr != nil || answer == "" {
		return "", err
	}
	f.Flags.Server = answer
	return f.Server()
}
