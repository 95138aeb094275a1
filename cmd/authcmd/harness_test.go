package authcmd_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/laymanctl/laymanctl/auth"
	"github.com/laymanctl/laymanctl/auth/authtest"
	"github.com/laymanctl/laymanctl/client/laymantest"
	"github.com/laymanctl/laymanctl/cmd"
	"github.com/laymanctl/laymanctl/cmd/cli"
	"github.com/laymanctl/laymanctl/keyring"
)

// The authorization server registers laymanctl (public), a confidential
// client, and Layman itself, which introspects tokens with its secret.
const (
	confidentialID     = "portal-cli"
	confidentialSecret = "portal-cli-secret-3f9a"
	laymanClientID     = "layman"
	laymanSecret       = "layman-introspection-secret"
)

// world is a fake Django OAuth Toolkit, a fake Layman validating tokens at
// it as Layman does, and an isolated environment for laymanctl.
type world struct {
	t      *testing.T
	dot    *authtest.Server
	layman *laymantest.Server
	dir    string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	dot := authtest.New(t, authtest.Options{
		Clients: []authtest.Client{
			{ID: authtest.DefaultClientID, RedirectURIs: []string{authtest.DefaultRedirectURI}},
			{ID: confidentialID, Secret: confidentialSecret, RedirectURIs: []string{authtest.DefaultRedirectURI}},
			{ID: laymanClientID, Secret: laymanSecret},
		},
		TokenLifetime: time.Hour,
	})
	layman := laymantest.New(t, laymantest.Options{Validator: &laymantest.IntrospectionValidator{
		IntrospectURL: dot.Endpoints().IntrospectURL,
		ClientID:      laymanClientID,
		ClientSecret:  laymanSecret,
		ProfileURL:    dot.ProfileURL(),
		CacheTTL:      -1, // every request asks the authorization server
	}})
	w := &world{t: t, dot: dot, layman: layman, dir: t.TempDir()}
	w.setEnv(map[string]string{"LAYMAN_TOKEN_STORE": "file"})
	return w
}

// setEnv isolates laymanctl from the developer's files and variables.
func (w *world) setEnv(extra map[string]string) {
	env := map[string]string{
		"LAYMAN_CONFIG":   filepath.Join(w.dir, "config.yaml"),
		"XDG_CONFIG_HOME": filepath.Join(w.dir, "config"),
		"XDG_CACHE_HOME":  filepath.Join(w.dir, "cache"),
		"XDG_STATE_HOME":  filepath.Join(w.dir, "state"),
		"HOME":            filepath.Join(w.dir, "home"),
	}
	for _, k := range []string{"LAYMAN_SERVER", "LAYMAN_PROFILE", "LAYMAN_ACCESS_TOKEN", "LAYMAN_USERNAME",
		"LAYMAN_PASSWORD", "LAYMAN_AUTH_URL", "LAYMAN_CLIENT_ID", "LAYMAN_CLIENT_SECRET", "LAYMAN_DEBUG",
		"LAYMAN_TOKEN_STORE", "LAYMAN_BROWSER", "BROWSER", "NO_COLOR"} {
		env[k] = ""
	}
	for k, v := range extra {
		env[k] = v
	}
	for k, v := range env {
		w.t.Setenv(k, v)
	}
}

// syncBuffer is stderr read by the test while the command still writes;
// changed signals each write.
type syncBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{}
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{changed: make(chan struct{}, 1)} }

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case b.changed <- struct{}{}:
	default:
	}
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// run is one laymanctl invocation. browser is what `auth login` gets to
// open the URL with; nil gives a browser that fails the test if used.
type run struct {
	stdin   string
	browser auth.Browser
	ctx     context.Context
	stderr  *syncBuffer
	// tty puts a person at a terminal: stdin and stderr are terminals.
	tty bool
	// noBrowser, if set, is why no browser can open (browser is unused).
	noBrowser string
	// store, if set, wraps the token store the command opens.
	store func(keyring.Store) keyring.Store
}

func (w *world) run(r run, args ...string) result {
	w.t.Helper()
	out := &bytes.Buffer{}
	if r.stderr == nil {
		r.stderr = newSyncBuffer()
	}
	ios := &cli.IOStreams{In: strings.NewReader(r.stdin), Out: out, ErrOut: r.stderr, InTTY: r.tty, ErrTTY: r.tty}
	f := cli.NewFactory(ios, cli.BuildInfo{Version: "test"})
	f.WrapStore = r.store
	f.Browser = func() (auth.Browser, string) {
		if r.noBrowser != "" {
			return nil, r.noBrowser
		}
		if r.browser != nil {
			return r.browser, ""
		}
		return authtest.MustNotOpen(w.t), ""
	}
	ctx := r.ctx
	if ctx == nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
	}
	code := cmd.Run(ctx, f, args)
	return result{code: code, stdout: out.String(), stderr: r.stderr.String()}
}

// login runs `auth login` against the fakes with a browser that consents.
func (w *world) login(extra ...string) result {
	w.t.Helper()
	args := append([]string{"auth", "login", "--server", w.layman.URL, "--auth-url", w.dot.BaseURL()}, extra...)
	return w.run(run{browser: w.dot.Browser()}, args...)
}

func (w *world) mustLogin(extra ...string) {
	w.t.Helper()
	if r := w.login(extra...); r.code != 0 {
		w.t.Fatalf("login: %s", r)
	}
}

func (w *world) tokenDir() string { return filepath.Join(w.dir, "state", "laymanctl", "tokens") }

func (w *world) fileStore() keyring.Store {
	w.t.Helper()
	st, err := keyring.NewFile(w.tokenDir())
	if err != nil {
		w.t.Fatal(err)
	}
	return st
}

// stored is the default profile's token set in the file store, or nil.
func (w *world) stored() *auth.TokenSet {
	w.t.Helper()
	ts, err := auth.LoadTokenSet(w.fileStore(), "default")
	if errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	if err != nil {
		w.t.Fatal(err)
	}
	return ts
}

// expireStored makes the stored access token expired for laymanctl and for
// the authorization server alike.
func (w *world) expireStored() *auth.TokenSet {
	w.t.Helper()
	ts := w.stored()
	if ts == nil {
		w.t.Fatal("no stored token set to expire")
	}
	ts.Expiry = time.Now().Add(-time.Minute)
	if err := auth.SaveTokenSet(w.fileStore(), "default", ts); err != nil {
		w.t.Fatal(err)
	}
	w.dot.Clock().Advance(2 * time.Hour)
	return ts
}

func (w *world) configText() string {
	data, err := os.ReadFile(filepath.Join(w.dir, "config.yaml"))
	if errors.Is(err, os.ErrNotExist) {
		return ""
	}
	if err != nil {
		w.t.Fatal(err)
	}
	return string(data)
}

// noTokenFiles fails when any file was written where tokens are kept.
func (w *world) noTokenFiles() {
	w.t.Helper()
	entries, err := os.ReadDir(w.tokenDir())
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		w.t.Fatal(err)
	}
	if len(entries) > 0 {
		w.t.Fatalf("token files written: %v", entries)
	}
}
