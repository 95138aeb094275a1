package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/laymanctl/laymanctl/auth"
	"github.com/laymanctl/laymanctl/auth/dottest"
	"github.com/laymanctl/laymanctl/client/laymantest"
)

// commandTimeout bounds one laymanctl run; a login that waited for a person
// would hit it and fail the test.
const commandTimeout = 2 * time.Minute

// sandbox is one user's machine: its own HOME, XDG directories and config
// file, no display, and the file token store unless a test says otherwise.
type sandbox struct {
	t    *testing.T
	home string
	env  map[string]string
}

func newSandbox(t *testing.T) *sandbox {
	t.Helper()
	home := filepath.Join(t.TempDir(), "home")
	if err := os.Mkdir(home, 0o700); err != nil {
		t.Fatal(err)
	}
	s := &sandbox{t: t, home: home, env: map[string]string{
		"PATH":            os.Getenv("PATH"),
		"HOME":            home,
		"XDG_CONFIG_HOME": filepath.Join(home, ".config"),
		"XDG_STATE_HOME":  filepath.Join(home, ".local", "state"),
		"XDG_CACHE_HOME":  filepath.Join(home, ".cache"),
		"XDG_DATA_HOME":   filepath.Join(home, ".local", "share"),
		"LAYMAN_CONFIG":   filepath.Join(home, ".config", "laymanctl", "config.yaml"),
		// Keep every run off the developer's own session bus and keychain.
		"DBUS_SESSION_BUS_ADDRESS": "unix:path=" + filepath.Join(home, "no-session-bus"),
		"LAYMAN_TOKEN_STORE":       "file",
	}}
	return s
}

// set changes environment variables for later runs; an empty value unsets.
func (s *sandbox) set(kv ...string) {
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(s.env, kv[i])
			continue
		}
		s.env[kv[i]] = kv[i+1]
	}
}

// useRobot makes the robot user the browser of later logins.
func (s *sandbox) useRobot(u dottest.User) (logPath string) {
	logPath = filepath.Join(s.t.TempDir(), "robot.log")
	s.set("LAYMAN_BROWSER", robotBin)
	for _, kv := range dottest.RobotEnv(u.Username, u.Password, logPath) {
		k, v, _ := strings.Cut(kv, "=")
		s.set(k, v)
	}
	return logPath
}

func (s *sandbox) environ() []string {
	env := make([]string, 0, len(s.env))
	for k, v := range s.env {
		env = append(env, k+"="+v)
	}
	return env
}

func (s *sandbox) command(ctx context.Context, stdin string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, laymanctlBin, args...)
	cmd.Env = s.environ()
	cmd.Dir = s.home
	cmd.Stdin = strings.NewReader(stdin)
	// A browser laymanctl started may outlive it holding its stderr.
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// result is one finished run.
type result struct {
	args           []string
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return "laymanctl " + strings.Join(r.args, " ") + ": exit " + strconv.Itoa(r.code) + "\nstderr:\n" + r.stderr
}

// run runs laymanctl with stdin and returns what it printed and its exit
// code.
func (s *sandbox) run(stdin string, args ...string) result {
	s.t.Helper()
	r, err := s.exec(stdin, args...)
	if err != nil {
		s.t.Fatal(err)
	}
	return r
}

// exec is run for goroutines other than the test's: it reports instead of
// failing the test.
func (s *sandbox) exec(stdin string, args ...string) (result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := s.command(ctx, stdin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{args: args, stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return r, fmt.Errorf("laymanctl %s did not finish within %v; stderr:\n%s", strings.Join(args, " "), commandTimeout, r.stderr)
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		return r, fmt.Errorf("run laymanctl: %w", err)
	}
	return r, nil
}

// ok runs laymanctl and fails the test unless it exits 0.
func (s *sandbox) ok(stdin string, args ...string) result {
	s.t.Helper()
	r := s.run(stdin, args...)
	if r.code != 0 {
		s.t.Fatalf("%s", r)
	}
	return r
}

// tokenFile is where the file store keeps the default profile's token set.
func (s *sandbox) tokenFile() string {
	return filepath.Join(s.env["XDG_STATE_HOME"], "laymanctl", "tokens", "default.json")
}

// storedTokens reads the token set the file store holds.
func (s *sandbox) storedTokens() *auth.TokenSet {
	s.t.Helper()
	raw, err := os.ReadFile(s.tokenFile())
	if err != nil {
		s.t.Fatalf("reading the stored token set: %v", err)
	}
	var ts auth.TokenSet
	if err := json.Unmarshal(raw, &ts); err != nil {
		s.t.Fatalf("the stored token set is not JSON: %v", err)
	}
	if ts.AccessToken == "" || ts.RefreshToken == "" {
		s.t.Fatal("the stored token set lacks the access or the refresh token")
	}
	return &ts
}

// setStoredExpiry changes when laymanctl believes the stored access token
// expires, as a night's sleep or a wrong clock does; the file keeps its
// 0600 mode.
func (s *sandbox) setStoredExpiry(expiry time.Time) {
	s.t.Helper()
	ts := s.storedTokens()
	ts.Expiry = expiry
	raw, err := json.Marshal(ts)
	if err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(s.tokenFile(), raw, 0o600); err != nil {
		s.t.Fatal(err)
	}
}

// filesContaining lists the files under HOME whose content includes any of
// needles.
func (s *sandbox) filesContaining(needles ...string) []string {
	s.t.Helper()
	var found []string
	err := filepath.WalkDir(s.home, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, n := range needles {
			if n != "" && bytes.Contains(data, []byte(n)) {
				found = append(found, path)
				break
			}
		}
		return nil
	})
	if err != nil {
		s.t.Fatal(err)
	}
	return found
}

// newLayman starts a fake Layman that validates tokens at d as Layman does,
// without a cache so that a revoked token is noticed at once.
func newLayman(t *testing.T, d *dottest.DOT) *laymantest.Server {
	t.Helper()
	e := d.Endpoints()
	return laymantest.New(t, laymantest.Options{Validator: &laymantest.IntrospectionValidator{
		IntrospectURL: e.IntrospectURL,
		ClientID:      dottest.Introspector.ID,
		ClientSecret:  dottest.Introspector.Secret,
		ProfileURL:    d.ProfileURL,
		CacheTTL:      -1,
	}})
}

// privateLayer is readable by its owner alone: listing it proves that a
// request was authenticated as them.
const privateLayer = "private_rivers"

// addPrivateLayer gives the Layman user username a layer only they can read.
func addPrivateLayer(l *laymantest.Server, username string) {
	l.AddLayer(username, privateLayer, laymantest.Access([]string{username}, []string{username}))
}
