package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/laymanctl/laymanctl/auth"
	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/cmd/config"
	"github.com/laymanctl/laymanctl/keyring"
	"github.com/laymanctl/laymanctl/keyring/privatedir"
)

// GlobalFlags are the flags every command accepts.
type GlobalFlags struct {
	Server   string
	Profile  string
	Output   string
	JQ       string
	Template string
	Debug    bool
	Quiet    bool
	NoColor  bool
	CAFile   string
	// Anonymous sends no credential (also LAYMAN_ANONYMOUS=1 or the
	// profile's anonymous: true).
	Anonymous bool
	// InsecureHTTP allows plain HTTP to hosts other than loopback.
	InsecureHTTP bool
}

// Factory builds what commands need, lazily: `laymanctl --help` and
// `version --client` must touch no config file, keychain or network.
type Factory struct {
	IO    *IOStreams
	Env   func(string) string
	Build BuildInfo
	Flags GlobalFlags

	// Overridable in tests.
	BaseTransport func() (http.RoundTripper, error)
	// Timeouts of every request; zero means client.DefaultTimeouts.
	Timeouts client.Timeouts
	// Browser chooses how `auth login` opens the authorization URL; nil
	// means auth.SelectBrowser from the environment.
	Browser func() (auth.Browser, string)

	// WrapStore, if set, wraps every token store opened (tests: a store
	// that fails for a moment).
	WrapStore func(keyring.Store) keyring.Store

	// sessions are the stored logins the command used (KeepSessions).
	sessionsMu sync.Mutex
	sessions   []*auth.StoredSource

	configOnce sync.Once
	config     *config.Config
	configErr  error

	later map[*cobra.Command]func() []*cobra.Command // see AddLater
}

// NewFactory returns a Factory for the real process.
func NewFactory(io *IOStreams, build BuildInfo) *Factory {
	return &Factory{IO: io, Env: os.Getenv, Build: build}
}

// Config loads the configuration file once.
func (f *Factory) Config() (*config.Config, error) {
	f.configOnce.Do(func() {
		path, err := config.Path(f.Env)
		if err != nil {
			f.configErr = err
			return
		}
		f.config, f.configErr = config.Load(path)
	})
	return f.config, f.configErr
}

// ProfileName is --profile, else LAYMAN_PROFILE, else the file's current
// profile, else "default".
func (f *Factory) ProfileName() (string, error) {
	name := f.Flags.Profile
	if name == "" {
		name = f.Env("LAYMAN_PROFILE")
	}
	if name != "" {
		if err := config.ValidateProfileName(name); err != nil {
			return "", &UsageError{Err: err}
		}
		return name, nil
	}
	cfg, err := f.Config()
	if err != nil {
		return "", err
	}
	if cfg.CurrentProfile != "" {
		return cfg.CurrentProfile, nil
	}
	return config.DefaultProfile, nil
}

// Profile returns the active profile. A profile named explicitly but absent
// from the file is a usage error; the default profile may be empty.
func (f *Factory) Profile() (string, *config.Profile, error) {
	name, err := f.ProfileName()
	if err != nil {
		return "", nil, err
	}
	cfg, err := f.Config()
	if err != nil {
		return "", nil, err
	}
	p := cfg.Profile(name)
	if p == nil {
		if name != config.DefaultProfile {
			return "", nil, &ExitError{Code: ExitUsage, Err: fmt.Errorf("unknown profile %q", name),
				Hint: "List profiles with `laymanctl config profiles`, or create one with `laymanctl auth login --profile " + name + " --server URL`."}
		}
		p = &config.Profile{}
	}
	return name, p, nil
}

// Server is --server, else LAYMAN_SERVER, else the profile's server.
func (f *Factory) Server() (string, error) {
	s, err := f.Setting("server")
	if err != nil {
		return "", err
	}
	if s.Value == "" {
		return "", &ExitError{Code: ExitUsage, Err: ErrNoServer,
			Hint: "Pass --server URL, set LAYMAN_SERVER, or run `laymanctl auth login --server URL`."}
	}
	server, err := NormalizeServer(s.Value)
	if err != nil {
		return "", err
	}
	if err := f.CheckPlainHTTP(server); err != nil {
		return "", err
	}
	return server, nil
}

// InsecureHTTP reports --insecure-http or the profile's insecure_http.
func (f *Factory) InsecureHTTP() bool {
	if f.Flags.InsecureHTTP {
		return true
	}
	_, p, err := f.Profile()
	return err == nil && p.InsecureHTTP
}

// CheckPlainHTTP refuses an http:// URL of a host other than loopback
// unless the user allowed it; nothing has been sent yet.
func (f *Factory) CheckPlainHTTP(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return Usagef("invalid URL %q", raw)
	}
	return client.CheckPlainHTTP(u, f.InsecureHTTP())
}

// ErrNoServer says no Layman server is configured anywhere.
var ErrNoServer = errors.New("no Layman server configured")

// NormalizeServer checks a server URL and drops a trailing slash; a bare
// host name means https. Credentials, a query or a fragment are refused:
// the client would drop or, for credentials, send them, and the
// stored-token check compares whole URLs.
func NormalizeServer(s string) (string, error) {
	u, ok := config.ParseBase(WithScheme(s))
	if !ok {
		switch {
		case u != nil && u.User != nil:
			s = u.Redacted()
		case strings.Contains(s, "@"): // perhaps a password url.Parse could not place
			return "", Usagef("invalid server URL: expected http(s)://host[:port][/path]")
		}
		return "", Usagef("invalid server URL %q: expected http(s)://host[:port][/path]", s)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// Transport is the base HTTP transport for Layman: proxies from the
// environment, the custom CA, timeouts, plain HTTP refused (or allowed with
// a warning), and --debug logging with secrets redacted. No credentials.
func (f *Factory) Transport() (http.RoundTripper, error) {
	return f.transport(f.timeouts())
}

// authTimeouts bound the authorization server's answers more tightly: a
// refresh holds the cross-process lock while it waits (auth.lockWait is
// longer).
func (f *Factory) authTimeouts() client.Timeouts {
	t := f.timeouts()
	t.Request = min(t.Request, auth.MaxTokenRequest)
	t.ResponseHeader = min(t.ResponseHeader, auth.MaxTokenRequest)
	return t
}

func (f *Factory) timeouts() client.Timeouts {
	if f.Timeouts == (client.Timeouts{}) {
		return client.DefaultTimeouts
	}
	return f.Timeouts
}

func (f *Factory) transport(timeouts client.Timeouts) (http.RoundTripper, error) {
	var rt http.RoundTripper
	if f.BaseTransport != nil {
		base, err := f.BaseTransport()
		if err != nil {
			return nil, err
		}
		rt = base
	} else {
		t := http.DefaultTransport.(*http.Transport).Clone()
		// Parallel chunk uploads (--parallel, up to 32) keep a connection
		// each; the default of 2 idle ones closed the others after every
		// request, and opened a new TCP and TLS connection for the next.
		t.MaxIdleConnsPerHost = 32
		timeouts.Apply(t)
		if caFile := f.CAFile(); caFile != "" {
			// A CA file others can write would let them vouch for any
			// server, and so read the credentials sent to it.
			if err := privatedir.CheckTrusted(caFile); err != nil {
				return nil, &UsageError{Err: fmt.Errorf("not trusting the CA file: %w", err)}
			}
			pem, err := os.ReadFile(caFile)
			if err != nil {
				return nil, &UsageError{Err: fmt.Errorf("reading the CA file: %w", err)}
			}
			pool, err := x509.SystemCertPool()
			if err != nil {
				pool = x509.NewCertPool()
			}
			if !pool.AppendCertsFromPEM(pem) {
				return nil, Usagef("--ca-file %s holds no PEM certificate", caFile)
			}
			t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
		}
		rt = t
		if f.Debug() {
			rt = client.DebugTransport(f.IO.ErrOut, rt)
		}
	}
	rt = client.TimeoutTransport(rt, timeouts)
	return client.PlainHTTPTransport(rt, f.InsecureHTTP(), f.warnPlainHTTP), nil
}

// CAFile is the CA file in effect, --ca-file or else the profile's
// ca_file, made absolute; "" when only the system's CAs are trusted.
func (f *Factory) CAFile() string {
	ca := f.Flags.CAFile
	if s, err := f.Setting("ca_file"); err == nil {
		ca = s.Value
	}
	if ca != "" {
		if abs, err := filepath.Abs(ca); err == nil {
			ca = abs
		}
	}
	return ca
}

// Debug reports --debug or LAYMAN_DEBUG.
func (f *Factory) Debug() bool {
	if f.Flags.Debug {
		return true
	}
	v := f.Env("LAYMAN_DEBUG")
	return v != "" && v != "0" && v != "false"
}

// HTTPClient is the client of the authorization server (token, revocation
// and discovery endpoints): no credentials of Layman's, no redirects
// followed, short timeouts.
func (f *Factory) HTTPClient() (*http.Client, error) {
	rt, err := f.transport(f.authTimeouts())
	if err != nil {
		return nil, err
	}
	return &http.Client{Transport: rt, CheckRedirect: client.AuthServerRedirects}, nil
}

// StateDir holds lock files, upload journals and the file token store
// (config.Dirs says where, per system).
func (f *Factory) StateDir() (string, error) {
	d, err := config.UserDirs(f.Env)
	return d.State, err
}

// TokenStoreName is LAYMAN_TOKEN_STORE, else the profile's, else "keyring".
func (f *Factory) TokenStoreName() string {
	if s, err := f.Setting("token_store"); err == nil {
		return s.Value
	}
	// An unusable profile is reported by whatever reads it next.
	if n := f.Env("LAYMAN_TOKEN_STORE"); n != "" {
		return n
	}
	return "keyring"
}

// TokenStore opens the profile's token store.
func (f *Factory) TokenStore() (keyring.Store, error) {
	return f.OpenTokenStore(f.TokenStoreName())
}

// OpenTokenStore opens a token store by name.
func (f *Factory) OpenTokenStore(name string) (keyring.Store, error) {
	dir, err := f.StateDir()
	if err != nil {
		return nil, err
	}
	st, err := keyring.Open(name, keyring.OpenOptions{FileDir: filepath.Join(dir, "tokens")})
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	if f.WrapStore != nil {
		st = f.WrapStore(st)
	}
	return st, nil
}

// Printer builds the output printer from -o/--jq or the profile's default.
func (f *Factory) Printer() (*Printer, error) {
	format := f.Flags.Output
	if s, err := f.Setting("output"); err == nil {
		format = s.Value
	}
	p, err := NewPrinter(f.IO, format, f.Flags.JQ)
	if err != nil {
		return nil, err
	}
	return p, p.SetTemplate(f.Flags.Template)
}

// Anonymous reports --anonymous, LAYMAN_ANONYMOUS or the profile's
// setting: requests carry no credential.
func (f *Factory) Anonymous() bool {
	s, err := f.Setting("anonymous")
	return err == nil && s.Value != "0" && s.Value != "false" && s.Value != ""
}

// Client is an authenticated Layman client for the active profile, or an
// anonymous one when Anonymous says so.
func (f *Factory) Client(ctx context.Context) (*client.Client, error) {
	server, err := f.Server()
	if err != nil {
		return nil, err
	}
	if f.Anonymous() {
		base, err := f.Transport()
		if err != nil {
			return nil, err
		}
		return f.NewClient(server, &http.Client{Transport: base})
	}
	src, kind, err := f.Credentials(ctx)
	if err != nil {
		return nil, err
	}
	return f.AuthenticatedClient(server, src, kind)
}

// AuthenticatedClient is a client of server sending src's tokens, and only
// to server's origin. A stored token set goes only to the server it was
// issued for, whatever --server, LAYMAN_SERVER or the config file say now.
func (f *Factory) AuthenticatedClient(server string, src auth.TokenSource, kind auth.Kind) (*client.Client, error) {
	if stored, ok := src.(*auth.StoredSource); ok && kind == auth.KindStored {
		if err := f.CheckBinding(server, stored.Binding()); err != nil {
			return nil, err
		}
	}
	base, err := f.Transport()
	if err != nil {
		return nil, err
	}
	return f.NewClient(server, &http.Client{Transport: auth.Transport(server, src, base)})
}

// CheckBinding refuses to use a stored token set with a server other than
// the one it was issued for. A set stored before
// laymanctl recorded them belongs to the profile's server.
func (f *Factory) CheckBinding(server string, b auth.Binding) error {
	name, p, err := f.Profile()
	if err != nil {
		return err
	}
	relogin := LoginCommand(name)
	own := b.Server
	if own == "" {
		own = p.Server
	}
	if own == "" {
		return &ExitError{Code: ExitAuth,
			Err:  fmt.Errorf("the stored token set of profile %q does not say which server it belongs to, so it is sent nowhere", name),
			Hint: fmt.Sprintf("Log in again: `%s --server %s`.", relogin, server)}
	}
	own, err = NormalizeServer(own)
	if err != nil {
		return err
	}
	if own != server {
		if f.Flags.Server == "" && f.Env("LAYMAN_SERVER") == "" {
			return &ExitError{Code: ExitAuth,
				Err:  fmt.Errorf("profile %q now names the server %s, but it is logged in to %s; its token is not sent elsewhere", name, server, own),
				Hint: fmt.Sprintf("Log in to the new server: `%s`.", relogin)}
		}
		return &ExitError{Code: ExitAuth,
			Err:  fmt.Errorf("profile %q is logged in to %s, not %s; its token is not sent elsewhere", name, own, server),
			Hint: fmt.Sprintf("Log in to %s with a profile of its own: `laymanctl auth login --profile NAME --server %s`.", server, server)}
	}
	return f.CheckCA(name, b)
}

// CheckCA refuses to send a stored token set through other CAs than its
// login trusted: whoever wrote the profile's ca_file (a config file that
// LAYMAN_CONFIG names, say) could otherwise vouch for an impostor of the
// server and read the tokens.
func (f *Factory) CheckCA(name string, b auth.Binding) error {
	now := f.CAFile()
	if now == b.CAFile {
		return nil
	}
	describe := func(ca string) string {
		if ca == "" {
			return "the system's CAs only"
		}
		return "the CA file " + ca
	}
	where := "--ca-file or the profile's ca_file"
	if cfg, err := f.Config(); err == nil {
		where = "--ca-file or ca_file in " + cfg.File()
	}
	return &ExitError{Code: ExitAuth,
		Err:  fmt.Errorf("profile %q now trusts %s, but it logged in trusting %s; its tokens are not sent through other CAs", name, describe(now), describe(b.CAFile)),
		Hint: fmt.Sprintf("If you changed %s on purpose, log in again: `%s`.", where, LoginCommand(name))}
}

// NewClient builds a Layman client with laymanctl's user agent and the
// generation cache, or the generation the api setting pins.
func (f *Factory) NewClient(server string, hc *http.Client) (*client.Client, error) {
	opts := []client.Option{client.WithHTTPClient(hc),
		client.WithUserAgent("laymanctl/" + f.Build.Version),
		client.WithGenerationCache(config.DefaultGenerationCache())}
	// A profile that does not exist yet (auth login --profile new) pins
	// nothing; a damaged file is reported by whatever reads it next.
	api, _ := f.Setting("api")
	switch api.Value {
	case "2":
		opts = append(opts, client.WithGeneration(client.Gen2))
	case "3":
		opts = append(opts, client.WithGeneration(client.Gen3))
	case "auto", "":
	default:
		return nil, Usagef("api (%s) must be 2, 3 or auto, not %q", api.Origin(), api.Value)
	}
	return client.New(server, opts...)
}

// warnPlainHTTP is said on every run that uses plain HTTP by permission.
func (f *Factory) warnPlainHTTP(origin string) {
	fmt.Fprintf(f.IO.ErrOut, "warning: plain HTTP to %s (allowed by --insecure-http or the profile's insecure_http); tokens and passwords travel unencrypted\n", origin)
}

// WithScheme makes a bare host name (layman.example.com, host:8443/path)
// an https URL; anything with a scheme is left alone.
func WithScheme(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.Contains(s, "://") {
		return s
	}
	return "https://" + s
}
