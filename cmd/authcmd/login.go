package authcmd

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/laymanctl/laymanctl/auth"
	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/cmd/cli"
	"github.com/laymanctl/laymanctl/cmd/config"
	"github.com/laymanctl/laymanctl/keyring"
)

// LoginOptions is what `auth login` was asked to do.
type LoginOptions struct {
	Factory *cli.Factory

	AuthURL           string
	ClientID          string
	ClientSecretStdin bool
	Scopes            []string
	NoBrowser         bool
	Device            bool
	Listen            string
	Timeout           time.Duration
	WithToken         bool
	Username          string
	TokenStore        string

	// Browser opens the authorization URL. RunE fills it from the
	// environment (auth.SelectBrowser) unless --no-browser; nil means the
	// person opens the printed URL.
	Browser auth.Browser
	// BrowserNote says why no browser opens (no display, SSH); it is
	// printed once the login needs the browser, after the server and
	// the token store have been checked.
	BrowserNote string
}

// NewCmdLogin builds `auth login`; runF replaces the login in tests.
func NewCmdLogin(f *cli.Factory, runF func(*LoginOptions) error) *cobra.Command {
	opts := &LoginOptions{Factory: f}
	var scopes string
	c := &cobra.Command{
		Use:   "login",
		Short: "Log in with the browser (Authorization Code + PKCE)",
		Long: `Log in at the authorization server the Layman server trusts (Django OAuth
Toolkit in Layman's deployments): the browser opens its login page, a listener
on 127.0.0.1 receives the answer, and the tokens go to the OS keychain (or the
file store with --token-store file). Then Layman is asked who you are, and a
username is reserved if you have none yet.

The first login of a profile needs --server and --auth-url; both are saved in
the profile (created if needed, and made current if none is).

Without a browser here (SSH, no display, --no-browser) and with stdin on a
terminal, paste the address the browser on another device ends at
(http://127.0.0.1:PORT/callback?...), or forward the listener with ssh -L and
--listen. --device uses RFC 8628 when the server advertises it.

With --with-token, stdin gives a refresh token or token JSON (access_token,
refresh_token, expires_in) instead of a browser login.`,
		Example: `  laymanctl auth login --server https://layman.example.com \
    --auth-url https://example.com/o/
  # https://, authorization server at /o/:
  laymanctl auth login --server layman.example.com
  # then paste the address the browser ends at:
  laymanctl auth login --no-browser
  # a code to enter on any device (RFC 8628):
  laymanctl auth login --device
  # with: ssh -L 8765:127.0.0.1:8765 HOST
  laymanctl auth login --listen 127.0.0.1:8765
  laymanctl auth login --client-id portal-cli --client-secret-stdin < secret.txt
  laymanctl auth login --with-token < refresh-token.txt`,
		Args: cli.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := opts.parse(scopes, c.Flags().Changed("scopes")); err != nil {
				return err
			}
			if !opts.NoBrowser && !opts.WithToken && !opts.Device && opts.Browser == nil {
				opts.Browser, opts.BrowserNote = chooseBrowser(f)
			}
			if runF != nil {
				return runF(opts)
			}
			return loginRun(c.Context(), opts)
		},
	}
	fl := c.Flags()
	fl.StringVar(&opts.AuthURL, "auth-url", "", "base URL of the authorization server, e.g. https://host/o/ (saved in the profile)")
	fl.StringVar(&opts.ClientID, "client-id", "", "OAuth2 client id (default: the profile's, LAYMAN_CLIENT_ID or "+cli.DefaultClientID+")")
	fl.BoolVar(&opts.ClientSecretStdin, "client-secret-stdin", false, "read a confidential client's secret from stdin")
	fl.StringVar(&scopes, "scopes", "", `space-separated scopes (default: the profile's or "read write")`)
	fl.BoolVar(&opts.NoBrowser, "no-browser", false, "print the URL to open instead of opening a browser")
	fl.BoolVar(&opts.Device, "device", false, "log in with a code entered on any device (RFC 8628), if the server offers it")
	fl.StringVar(&opts.Listen, "listen", "127.0.0.1:0", "loopback address of the callback listener")
	fl.DurationVar(&opts.Timeout, "timeout", auth.DefaultLoginTimeout, "how long to wait for the browser")
	fl.BoolVar(&opts.WithToken, "with-token", false, "read a refresh token or token JSON from stdin instead of opening a browser")
	fl.StringVar(&opts.Username, "username", "", "Layman username to reserve if you have none (default: Layman chooses)")
	fl.StringVar(&opts.TokenStore, "token-store", "", "where to keep the tokens: keyring or file (env LAYMAN_TOKEN_STORE)")
	return c
}

// parse checks the flags before anything is contacted.
func (o *LoginOptions) parse(scopes string, scopesSet bool) error {
	if scopesSet {
		o.Scopes = strings.Fields(scopes)
		if len(o.Scopes) == 0 {
			return cli.Usagef("--scopes is empty")
		}
	}
	if o.Device && o.WithToken {
		return cli.Usagef("--device and --with-token exclude each other")
	}
	if o.WithToken && o.ClientSecretStdin {
		return cli.Usagef("--with-token and --client-secret-stdin both read stdin; give the secret in %s instead", auth.EnvClientSecret)
	}
	if o.Timeout <= 0 {
		return cli.Usagef("--timeout must be positive")
	}
	if o.AuthURL != "" {
		// The same check as `config set auth_url`, where this URL is saved.
		if _, ok := config.ParseBase(cli.WithScheme(o.AuthURL)); !ok {
			from := fmt.Sprintf("--auth-url %q", o.AuthURL)
			if strings.ContainsAny(o.AuthURL, "@?#") { // perhaps a password, or a secret in the query
				from = "--auth-url"
			}
			return cli.BadAuthURL(from)
		}
	}
	host, port, err := net.SplitHostPort(o.Listen)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return cli.Usagef("--listen %q: want a loopback IP and port, e.g. 127.0.0.1:0", o.Listen)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return cli.Usagef("--listen %q: the port must be a number from 0 to 65535 (0 picks a free one)", o.Listen)
	}
	if o.Username != "" {
		if err := client.ValidateWorkspace(o.Username); err != nil {
			return &cli.UsageError{Err: err}
		}
	}
	return validateStoreName(o.TokenStore)
}

// validateStoreName refuses what cannot keep a login: an unknown store, or
// the memory store, which forgets it when the command ends.
func validateStoreName(name string) error {
	if name == "" {
		return nil
	}
	if name == "memory" {
		return cli.Usagef("the memory token store forgets the login when laymanctl exits; use keyring or file")
	}
	if !slices.Contains(keyring.StoreNames(), name) {
		return cli.Usagef("unknown token store %q: use keyring or file", name)
	}
	return nil
}

// chooseBrowser is the Factory's browser (tests) or the environment's, or
// none and why.
func chooseBrowser(f *cli.Factory) (auth.Browser, string) {
	if f.Browser != nil {
		return f.Browser()
	}
	return auth.SelectBrowser(f.Env, f.IO.ErrOut)
}
