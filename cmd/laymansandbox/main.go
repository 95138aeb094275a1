// Command laymansandbox runs a local Layman sandbox: the in-process fake
// Layman and fake authorization server on loopback, so that laymanctl can be
// tried without a real server.
//
//	laymansandbox demo    log in, publish a sample layer and list it
//	laymansandbox serve   keep the sandbox running and print how to use it
//	laymansandbox bench-serve --dir D   the servers .ci/bench measures against
package main

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/laymanctl/laymanctl/auth/authtest"
	"github.com/laymanctl/laymanctl/client/laymantest"
	"github.com/laymanctl/laymanctl/cmd"
	"github.com/laymanctl/laymanctl/cmd/cli"
	"golang.org/x/term"
)

//go:embed sample.geojson
var sampleLayer []byte

// The sandbox's one analyst and the workspace named after her.
const analyst = "analyst"

// introspector is the confidential client Layman introspects tokens with.
var introspector = authtest.Client{ID: "layman", Secret: "sandbox-introspection-secret", Grants: []string{"client_credentials"}}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "laymansandbox:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: laymansandbox demo | serve [--layman-addr A] [--auth-addr A] [--generation 2|3] | browse URL")
	}
	if args[0] == "bench-serve" {
		return benchServe(ctx, args[1:])
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	laymanAddr := fs.String("layman-addr", "127.0.0.1:0", "listen address of the fake Layman")
	authAddr := fs.String("auth-addr", "127.0.0.1:0", "listen address of the fake authorization server")
	generation := fs.Int("generation", 3, "Layman REST API generation to imitate (2 or 3)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	switch args[0] {
	case "browse":
		return browse(fs.Arg(0))
	case "serve", "demo":
	default:
		return fmt.Errorf("unknown command %q", args[0])
	}
	sb, err := start(*laymanAddr, *authAddr, *generation)
	if err != nil {
		return err
	}
	defer sb.close()
	if args[0] == "demo" {
		return sb.demo(ctx, stdout, stderr)
	}
	fmt.Fprintf(stdout, `Sandbox running (Ctrl-C to stop).
  Layman:               %s
  Authorization server: %s  (auto-consents as user %q)

Try it in another terminal:
  export LAYMAN_SERVER=%s
  laymanctl auth login --auth-url %s --token-store file
  laymanctl layers publish rivers.geojson --workspace %s
  laymanctl layers list
`, sb.layman.URL, sb.auth.BaseURL(), analyst, sb.layman.URL, sb.auth.BaseURL(), analyst)
	<-ctx.Done()
	return nil
}

type sandbox struct {
	auth   *authtest.Server
	layman *laymantest.Server
}

func start(laymanAddr, authAddr string, generation int) (*sandbox, error) {
	as, err := startAuth(authAddr)
	if err != nil {
		return nil, err
	}
	ls, err := laymantest.Start(laymantest.Options{
		Addr:       laymanAddr,
		Generation: generation,
		Validator:  introspection(as),
	})
	if err != nil {
		as.Close()
		return nil, fmt.Errorf("starting the fake Layman: %w", err)
	}
	return &sandbox{auth: as, layman: ls}, nil
}

// startAuth runs the fake authorization server with laymanctl's public
// client, Layman's introspection client and the analyst.
func startAuth(addr string) (*authtest.Server, error) {
	as, err := authtest.Start(authtest.Options{
		Addr:  addr,
		Users: []authtest.User{{Username: analyst, Password: "analyst-password"}},
		Clients: []authtest.Client{
			{ID: authtest.DefaultClientID, RedirectURIs: []string{authtest.DefaultRedirectURI}},
			introspector,
		},
	})
	if err != nil {
		return nil, fmt.Errorf("starting the authorization server: %w", err)
	}
	return as, nil
}

// introspection validates tokens at as the way Layman does.
func introspection(as *authtest.Server) *laymantest.IntrospectionValidator {
	return &laymantest.IntrospectionValidator{
		IntrospectURL: as.Endpoints().IntrospectURL, ClientID: introspector.ID, ClientSecret: introspector.Secret,
		ProfileURL: as.ProfileURL(),
	}
}

func (s *sandbox) close() {
	s.layman.Close()
	s.auth.Close()
}

// demo runs the main job of an analyst with laymanctl, in a throw-away home
// so that it touches neither the user's keychain nor their configuration.
func (s *sandbox) demo(ctx context.Context, stdout, stderr io.Writer) error {
	home, err := os.MkdirTemp("", "laymansandbox-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(home)
	self, err := os.Executable()
	if err != nil {
		return err
	}
	env := map[string]string{
		"LAYMAN_CONFIG":      filepath.Join(home, "config.yaml"),
		"XDG_STATE_HOME":     filepath.Join(home, "state"),
		"XDG_CACHE_HOME":     filepath.Join(home, "cache"),
		"LAYMAN_TOKEN_STORE": "file",
		// The sandbox's own "browse" command plays the analyst's browser.
		"LAYMAN_BROWSER": self + " browse",
	}
	for k, v := range env {
		if err := os.Setenv(k, v); err != nil {
			return err
		}
	}
	sample := filepath.Join(home, "rivers.geojson")
	if err := os.WriteFile(sample, sampleLayer, 0o600); err != nil {
		return err
	}
	steps := [][]string{
		{"auth", "login", "--server", s.layman.URL, "--auth-url", s.auth.BaseURL()},
		{"layers", "publish", sample, "--workspace", analyst, "--title", "Rivers", "--wait"},
		{"layers", "list", "--workspace", analyst},
	}
	for _, args := range steps {
		fmt.Fprintf(stderr, "\n$ laymanctl %s\n", strings.Join(args, " "))
		// Tables as a terminal shows them; colours only on a real one.
		io := &cli.IOStreams{In: strings.NewReader(""), Out: stdout, ErrOut: stderr, OutTTY: true, NoColor: !terminal(stdout)}
		f := cli.NewFactory(io, cli.BuildInfo{Version: "sandbox"})
		if code := cmd.Run(ctx, f, args); code != 0 {
			return fmt.Errorf("laymanctl %s exited with code %d", args[0], code)
		}
	}
	return nil
}

// terminal reports whether w is a terminal.
func terminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// browse loads the authorization URL and follows the fake server's
// immediate consent redirect to laymanctl's loopback listener.
func browse(url string) error {
	if url == "" {
		return errors.New("browse needs the authorization URL")
	}
	hc := &http.Client{Timeout: 30 * time.Second}
	resp, err := hc.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("login page answered %s", resp.Status)
	}
	return nil
}
