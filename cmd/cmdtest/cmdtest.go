// Package cmdtest runs laymanctl command lines against an in-process fake
// Layman (client/laymantest) in an isolated environment: its own config,
// cache, state and home directories, and a static access token.
package cmdtest

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/laymanctl/laymanctl/auth"
	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/client/laymantest"
	"github.com/laymanctl/laymanctl/client/upload"
	"github.com/laymanctl/laymanctl/cmd"
	"github.com/laymanctl/laymanctl/cmd/cli"
)

// Token is the access token the harness puts in LAYMAN_ACCESS_TOKEN; the
// fake accepts it as Username.
const (
	Token    = "cmdtest-access-token"
	Username = "alice"
)

// Generations are the API generations every command is tested against.
var Generations = []int{2, 3}

// Options configure a Harness.
type Options struct {
	// Generation is 2 or 3.
	Generation int
	// ProcessingPolls is passed to the fake; 0 means none, so publications
	// are COMPLETE as soon as they exist.
	ProcessingPolls int
	// WFSMaxFeatures caps the fake's GetFeature answers; 0 means its default.
	WFSMaxFeatures int
	// Clock is the fake's clock (its upload inactivity timer); nil means
	// time.Now.
	Clock func() time.Time
	// InactivityTimeout is passed to the fake (UPLOAD_MAX_INACTIVITY_TIME).
	InactivityTimeout time.Duration
}

// Harness is a fake Layman plus an environment pointing laymanctl at it.
type Harness struct {
	T      testing.TB
	Server *laymantest.Server
	// Generation is the fake's API generation: 2 or 3.
	Generation int
	// Dir holds the config file and the XDG directories.
	Dir        string
	ConfigPath string
}

// New starts a Strict fake Layman of the given generation and sets the
// environment (t.Setenv, so tests using it cannot be parallel).
func New(t testing.TB, o Options) *Harness {
	t.Helper()
	polls := o.ProcessingPolls
	if polls == 0 {
		polls = -1
	}
	srv := laymantest.New(t, laymantest.Options{
		Generation:        o.Generation,
		Validator:         laymantest.StaticTokens{Token: {Username: Username, Sub: Username}},
		ProcessingPolls:   polls,
		WFSMaxFeatures:    o.WFSMaxFeatures,
		Clock:             o.Clock,
		Strict:            true,
		InactivityTimeout: o.InactivityTimeout,
	})
	srv.AddUser(Username, laymantest.WithSub(Username))
	dir := t.TempDir()
	gen := o.Generation
	if gen == 0 {
		gen = 3
	}
	h := &Harness{T: t, Server: srv, Generation: gen, Dir: dir, ConfigPath: filepath.Join(dir, "config.yaml")}
	env := map[string]string{
		"LAYMAN_CONFIG":        h.ConfigPath,
		"XDG_CONFIG_HOME":      filepath.Join(dir, "config"),
		"XDG_CACHE_HOME":       filepath.Join(dir, "cache"),
		"XDG_STATE_HOME":       filepath.Join(dir, "state"),
		"HOME":                 filepath.Join(dir, "home"),
		"LAYMAN_SERVER":        srv.URL,
		"LAYMAN_ACCESS_TOKEN":  Token,
		"LAYMAN_PROFILE":       "",
		"LAYMAN_DEBUG":         "",
		"LAYMAN_USERNAME":      "",
		"LAYMAN_PASSWORD":      "",
		"LAYMAN_TOKEN_STORE":   "",
		"LAYMAN_AUTH_URL":      "",
		"LAYMAN_CLIENT_ID":     "",
		"LAYMAN_CLIENT_SECRET": "",
		"NO_COLOR":             "",
		// Their logs get guarded stderr (cli.GuardCILog).
		"GITHUB_ACTIONS": "",
		"TF_BUILD":       "",
		"GITLAB_CI":      "",
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
	return h
}

// ForEachGeneration runs fn in a subtest per API generation.
func ForEachGeneration(t *testing.T, o Options, fn func(t *testing.T, h *Harness)) {
	for _, g := range Generations {
		t.Run(fmt.Sprintf("gen%d", g), func(t *testing.T) {
			o := o
			o.Generation = g
			fn(t, New(t, o))
		})
	}
}

// RunOptions describe the terminal the command sees.
type RunOptions struct {
	Stdin                 string
	InTTY, OutTTY, ErrTTY bool
	// Color is a terminal that takes colours (unless NO_COLOR or
	// --no-color); without it a terminal shows plain text.
	Color bool
	// Width is the terminal's width in columns (0: unknown).
	Width int
}

// TTY is a person at a terminal typing stdin.
func TTY(stdin string) RunOptions {
	return RunOptions{Stdin: stdin, InTTY: true, OutTTY: true, ErrTTY: true}
}

// Result is what a command line produced.
type Result struct {
	Code           int
	Stdout, Stderr string
}

func (r Result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.Code, r.Stdout, r.Stderr)
}

// Run runs a command line with no terminal attached.
func (h *Harness) Run(args ...string) Result {
	return h.RunWith(RunOptions{}, args...)
}

// RunWith runs a command line through cmd.Run with buffer-backed streams.
func (h *Harness) RunWith(o RunOptions, args ...string) Result {
	h.T.Helper()
	ios, in, out, errOut := cli.Test()
	in.WriteString(o.Stdin)
	ios.InTTY, ios.OutTTY, ios.ErrTTY = o.InTTY, o.OutTTY, o.ErrTTY
	ios.NoColor, ios.Width = !o.Color, o.Width
	f := cli.NewFactory(ios, cli.BuildInfo{Version: "test", Commit: "none", Date: "unknown"})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	code := cmd.Run(ctx, f, args)
	return Result{Code: code, Stdout: out.String(), Stderr: errOut.String()}
}

// WriteConfig replaces the configuration file.
func (h *Harness) WriteConfig(content string) {
	h.T.Helper()
	if err := os.WriteFile(h.ConfigPath, []byte(content), 0o600); err != nil {
		h.T.Fatal(err)
	}
}

// Client is a client of the fake with the harness's token, for seeding and
// checks outside the command under test.
func (h *Harness) Client() *client.Client {
	h.T.Helper()
	c, err := client.New(h.Server.URL, client.WithHTTPClient(&http.Client{Transport: auth.Transport(h.Server.URL, auth.StaticSource(Token), nil)}))
	if err != nil {
		h.T.Fatal(err)
	}
	return c
}

// SeedLayer publishes a small GeoJSON layer in the user's workspace and
// returns it as the fake stores it. The requests it takes are forgotten.
func (h *Harness) SeedLayer(name, title string) laymantest.PublicationInfo {
	h.T.Helper()
	path := filepath.Join(h.T.TempDir(), name+".geojson")
	writeFile(h.T, path, `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[14.4,50.1]}}]}`)
	u := &upload.Uploader{Client: h.Client()}
	if _, err := u.Publish(context.Background(), upload.LayerParams{Workspace: Username, Name: name, Title: title, Files: []string{path}}); err != nil {
		h.T.Fatalf("seeding layer %s: %v", name, err)
	}
	return h.seeded("layer:" + Username + ":" + name)
}

// SeedMap publishes a map composition in the user's workspace.
func (h *Harness) SeedMap(name, title string) laymantest.PublicationInfo {
	h.T.Helper()
	path := filepath.Join(h.T.TempDir(), name+".json")
	writeFile(h.T, path, fmt.Sprintf(`{"describedBy":"https://raw.githubusercontent.com/hslayers/map-compositions/3.0.0/schema.json","schema_version":"3.0.0","name":%q,"title":%q,"abstract":"","projection":"epsg:3857","extent":[14,50,15,51],"nativeExtent":[1558472.87,6446275.84,1669792.36,6621293.72],"layers":[]}`, name, title))
	u := &upload.Uploader{Client: h.Client()}
	if _, err := u.PublishMap(context.Background(), Username, path, upload.MapParams{Name: name, Title: title}); err != nil {
		h.T.Fatalf("seeding map %s: %v", name, err)
	}
	return h.seeded("map:" + Username + ":" + name)
}

func (h *Harness) seeded(ref string) laymantest.PublicationInfo {
	h.T.Helper()
	info, ok := h.Server.Publication(ref)
	if !ok {
		h.T.Fatalf("seeded publication %s not found at the fake", ref)
	}
	h.Server.ResetRequests()
	return info
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// Requests lists the requests the fake received as "METHOD /path?query".
func (h *Harness) Requests() []string {
	var out []string
	for _, r := range h.Server.Requests() {
		line := r.Method + " " + r.Path
		if r.RawQuery != "" {
			line += "?" + r.RawQuery
		}
		out = append(out, line)
	}
	return out
}

// Writes lists the requests that change something at the server: all but
// the GETs.
func (h *Harness) Writes() []string {
	var out []string
	for _, r := range h.Requests() {
		if !strings.HasPrefix(r, http.MethodGet+" ") {
			out = append(out, r)
		}
	}
	return out
}

// ExpectNoRequests fails the test when the fake received any request.
func (h *Harness) ExpectNoRequests() {
	h.T.Helper()
	if reqs := h.Requests(); len(reqs) > 0 {
		h.T.Errorf("expected no request at the server, got:\n  %s", strings.Join(reqs, "\n  "))
	}
}
