// Package reallayman runs real Layman (../shared/reallayman next to the
// module root, or $REALLAYMAN_DIR) for tests: Layman's own Flask app and
// Celery worker, PostgreSQL, Redis and a Django OAuth Toolkit authorization
// server, master (3.0.0-dev, UUID URLs) or 2.4 (workspace URLs).
//
// Get starts one instance per Options per test binary, on first use, in a
// fresh work directory; Run, called from TestMain, stops them all with
// down.sh when the tests end. A test skips with a one-line reason when real
// Layman is not installed, and fails instead when CI=true.
package reallayman

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/laymanctl/laymanctl/auth/dottest"
)

// The Layman versions reallayman can run.
const (
	// Master is Layman master, version 3.0.0-dev, with /rest/layers/<uuid>.
	Master = "master"
	// V24 is Layman v2.4.0, with /rest/workspaces/<ws>/layers/<name>.
	V24 = "2.4"
)

// Versions lists both, for tests that run against every real Layman.
var Versions = []string{Master, V24}

// Options select an instance. Equal Options share one instance per test
// binary.
type Options struct {
	// Version is Master ("" means Master) or V24.
	Version string
	// AccessTTL is the authorization server's access-token lifetime
	// (REALLAYMAN_ACCESS_TTL, whole seconds); zero means its default, 1 h.
	AccessTTL time.Duration
}

// Client is an OAuth2 application registered at the authorization server;
// Secret is empty for the public client.
type Client struct {
	ID     string
	Secret string
}

// User is an account at the authorization server. It has no Layman
// username until a client reserves one (PATCH /rest/current-user).
type User struct {
	Username string
	Password string
}

// Server is a running real Layman with its authorization server.
type Server struct {
	// Version is Master or V24.
	Version string
	// LaymanURL is http://127.0.0.1:PORT without a trailing slash; the API
	// is under /rest/.
	LaymanURL string
	// AuthURL is the OAuth2 base .../o/; the others are the endpoints under
	// it, the profile Layman reads and the HTML login form.
	AuthURL, AuthorizeURL, TokenURL, RevokeURL, IntrospectURL, ProfileURL, LoginURL string
	// PublicClient uses authorization code + PKCE and no secret;
	// ConfidentialClient the same with a secret; PasswordClient the
	// resource-owner password grant; Introspector is Layman itself.
	PublicClient, ConfidentialClient, PasswordClient, Introspector Client
	// Alice and Bob are the test users.
	Alice, Bob User
	// AccessTTL is the access-token lifetime the server runs with.
	AccessTTL time.Duration
	// Work is the instance's work directory; DataDir is Layman's data
	// directory in it (layers/<uuid>/input_file/...), Logs its log directory.
	Work, DataDir, Logs string
	// PGURL, RedisURL and GSStubURL are for tests that look behind the API.
	PGURL, RedisURL, GSStubURL string
	// Env is the whole env file up.sh wrote.
	Env map[string]string

	dir string
}

// Dir is the reallayman directory: $REALLAYMAN_DIR, or ../shared/reallayman
// relative to the module root.
func Dir() string {
	if d := os.Getenv("REALLAYMAN_DIR"); d != "" {
		return d
	}
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..", "..")
	return filepath.Clean(filepath.Join(root, "..", "shared", "reallayman"))
}

// Sample is the path of one of reallayman's sample files (small.geojson,
// big_points.geojson, cities.zip, small.tif, small_map.json).
func Sample(name string) string {
	return filepath.Join(Dir(), "samples", name)
}

// Available reports why real Layman cannot run here, wrapping
// dottest.ErrUnavailable, or nil.
func Available() error {
	dir := Dir()
	for _, f := range []string{"up.sh", "down.sh"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return fmt.Errorf("reallayman: %s not found (set REALLAYMAN_DIR): %w", filepath.Join(dir, f), dottest.ErrUnavailable)
		}
	}
	for _, f := range []string{"/usr/bin/python3", "/usr/lib/postgresql/15/bin/initdb", "/usr/bin/redis-server",
		"/usr/bin/gunicorn", "/usr/bin/ogr2ogr", "/usr/share/postgresql/15/extension/postgis.control"} {
		if _, err := os.Stat(f); err != nil {
			return fmt.Errorf("reallayman: %s missing (run %s): %w", f, filepath.Join(dir, "install.sh"), dottest.ErrUnavailable)
		}
	}
	return nil
}

// Launch starts an instance outside the shared set; the caller must Stop it.
// Pass its error to dottest.Require in tests.
func Launch(ctx context.Context, o Options) (*Server, error) {
	if err := Available(); err != nil {
		return nil, err
	}
	version := o.Version
	if version == "" {
		version = Master
	}
	// Not under /root or a 0700 directory: PostgreSQL runs as user postgres
	// and must reach the work directory.
	work, err := os.MkdirTemp("/tmp", "reallayman-"+strings.ReplaceAll(version, ".", "")+"-")
	if err != nil {
		return nil, fmt.Errorf("reallayman: %w", err)
	}
	if err := os.Chmod(work, 0o755); err != nil {
		return nil, fmt.Errorf("reallayman: %w", err)
	}
	cmd := exec.CommandContext(ctx, filepath.Join(Dir(), "up.sh"))
	cmd.Env = append(os.Environ(), "REALLAYMAN_WORK="+work, "REALLAYMAN_LAYMAN="+version)
	if o.AccessTTL > 0 {
		cmd.Env = append(cmd.Env, "REALLAYMAN_ACCESS_TTL="+strconv.Itoa(int(o.AccessTTL/time.Second)))
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		os.RemoveAll(work)
		return nil, fmt.Errorf("reallayman: up.sh (%s) failed: %w\n%s", version, err, tail(out, 30))
	}
	s, err := parseEnv(filepath.Join(work, "env"))
	if err != nil {
		stop(work)
		return nil, err
	}
	s.dir = work
	return s, nil
}

// Stop stops the instance with down.sh and removes its work directory.
func (s *Server) Stop() error {
	if err := stop(s.dir); err != nil {
		return err
	}
	return os.RemoveAll(s.dir)
}

func stop(work string) error {
	cmd := exec.Command(filepath.Join(Dir(), "down.sh"))
	cmd.Env = append(os.Environ(), "REALLAYMAN_WORK="+work)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("reallayman: down.sh %s: %w\n%s", work, err, tail(out, 10))
	}
	return nil
}

func parseEnv(path string) (*Server, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reallayman: %w", err)
	}
	env := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		// Lines are `export K='V'` or `export K1='V1' K2='V2'`; values hold no quotes.
		line, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "export ")
		for ok && line != "" {
			k, rest, found := strings.Cut(line, "='")
			if !found {
				return nil, fmt.Errorf("reallayman: %s: cannot parse %q", path, sc.Text())
			}
			v, after, _ := strings.Cut(rest, "'")
			env[k] = v
			line = strings.TrimSpace(after)
		}
	}
	ttl, _ := strconv.Atoi(env["ACCESS_TOKEN_TTL"])
	s := &Server{
		Version:            env["REALLAYMAN_LAYMAN"],
		LaymanURL:          env["LAYMAN_URL"],
		AuthURL:            env["AUTH_URL"],
		AuthorizeURL:       env["AUTHORIZE_URL"],
		TokenURL:           env["TOKEN_URL"],
		RevokeURL:          env["REVOKE_URL"],
		IntrospectURL:      env["INTROSPECT_URL"],
		ProfileURL:         env["PROFILE_URL"],
		LoginURL:           env["LOGIN_URL"],
		PublicClient:       Client{ID: env["PUBLIC_CLIENT_ID"]},
		ConfidentialClient: Client{ID: env["CONFIDENTIAL_CLIENT_ID"], Secret: env["CONFIDENTIAL_CLIENT_SECRET"]},
		PasswordClient:     Client{ID: env["PASSWORD_CLIENT_ID"], Secret: env["PASSWORD_CLIENT_SECRET"]},
		Introspector:       Client{ID: env["INTROSPECTION_CLIENT_ID"], Secret: env["INTROSPECTION_CLIENT_SECRET"]},
		Alice:              User{Username: env["ALICE_USERNAME"], Password: env["ALICE_PASSWORD"]},
		Bob:                User{Username: env["BOB_USERNAME"], Password: env["BOB_PASSWORD"]},
		AccessTTL:          time.Duration(ttl) * time.Second,
		Work:               env["REALLAYMAN_WORK"],
		DataDir:            env["REALLAYMAN_DATA_DIR"],
		Logs:               env["REALLAYMAN_LOGS"],
		PGURL:              env["REALLAYMAN_PG_URL"],
		RedisURL:           env["REALLAYMAN_REDIS_URL"],
		GSStubURL:          env["REALLAYMAN_GSSTUB_URL"],
		Env:                env,
	}
	var missing []string
	for _, k := range []string{"LAYMAN_URL", "TOKEN_URL", "PUBLIC_CLIENT_ID", "PASSWORD_CLIENT_ID", "ALICE_USERNAME", "REALLAYMAN_DATA_DIR"} {
		if env[k] == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("reallayman: %s lacks %s", path, strings.Join(missing, ", "))
	}
	return s, nil
}

func tail(out []byte, lines int) string {
	l := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(l) > lines {
		l = l[len(l)-lines:]
	}
	return strings.Join(l, "\n")
}

// shared holds the instances Get started, one per Options.
var shared = struct {
	mu  sync.Mutex
	all map[Options]*instance
}{all: map[Options]*instance{}}

type instance struct {
	once sync.Once
	s    *Server
	err  error
}

// Get returns the test binary's instance for o, starting it on first use
// (concurrent first uses of different Options start in parallel). It skips
// the test when real Layman is not installed (fails when CI=true) and fails
// it when the instance did not start. Call Run from TestMain so the
// instances stop when the tests end.
func Get(t testing.TB, o Options) *Server {
	t.Helper()
	if o.Version == "" {
		o.Version = Master
	}
	shared.mu.Lock()
	in := shared.all[o]
	if in == nil {
		in = &instance{}
		shared.all[o] = in
	}
	shared.mu.Unlock()
	in.once.Do(func() { in.s, in.err = Launch(context.Background(), o) })
	dottest.Require(t, in.err)
	return in.s
}

// Run runs the tests and then stops every instance Get started. When a
// test failed, the work directories (logs, data) are kept and named on
// stderr. Use it as os.Exit(reallayman.Run(m)).
func Run(m *testing.M) int {
	code := m.Run()
	if err := StopAll(code != 0); err != nil {
		fmt.Fprintln(os.Stderr, err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// StopAll stops every instance Get started, keeping their work directories
// when keep is true.
func StopAll(keep bool) error {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	var errs []error
	var kept []string
	for o, in := range shared.all {
		if in.s == nil {
			continue
		}
		if keep {
			errs = append(errs, stop(in.s.dir))
			kept = append(kept, in.s.dir)
		} else {
			errs = append(errs, in.s.Stop())
		}
		delete(shared.all, o)
	}
	if len(kept) > 0 {
		sort.Strings(kept)
		fmt.Fprintf(os.Stderr, "reallayman: kept the work directories (logs/, data/) of the failed run: %s\n", strings.Join(kept, " "))
	}
	return errors.Join(errs...)
}
