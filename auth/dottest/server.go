package dottest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Python is the interpreter with Debian's Django; a pyenv python3 on PATH has none.
const Python = "/usr/bin/python3"

const (
	startTimeout = 30 * time.Second
	stopTimeout  = 10 * time.Second
	startTries   = 3 // a free port picked here can be taken before Django binds it
)

// Start runs a portal for the test and stops it when the test ends. It skips
// the test when Python, Django or DOT is missing (fails when CI=true).
func Start(t testing.TB, o Options) *DOT {
	t.Helper()
	d, err := Launch(context.Background(), o)
	Require(t, err)
	t.Cleanup(func() {
		if err := d.Stop(); err != nil {
			t.Errorf("stop DOT: %v", err)
		}
	})
	return d
}

// Launch runs a portal outside a test, e.g. one shared by a whole test binary
// from TestMain; the caller must Stop it. Pass its error to Require in tests.
func Launch(ctx context.Context, o Options) (*DOT, error) {
	db, err := templateDB()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "dottest-")
	if err != nil {
		return nil, fmt.Errorf("dottest: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "db.sqlite3"), db, 0o600); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("dottest: %w", err)
	}
	var s *server
	for try := 1; ; try++ {
		s, err = startServer(ctx, dir, o)
		if err == nil || try == startTries {
			break
		}
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	base := "http://" + s.addr
	return &DOT{BaseURL: base, ProfileURL: base + "/profile/", server: s, http: &http.Client{Timeout: 30 * time.Second}}, nil
}

// Stop ends the server's process group and removes its database.
func (d *DOT) Stop() error {
	err := d.server.stop()
	return errors.Join(err, os.RemoveAll(d.server.dir))
}

type server struct {
	addr   string
	dir    string
	cmd    *exec.Cmd
	exited chan struct{}
	out    *tailWriter
}

func startServer(ctx context.Context, dir string, o Options) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(Python, "manage.py", "runserver", addr, "--noreload", "--insecure")
	cmd.Dir = projectDir()
	cmd.Env = portalEnv(dir, o)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	s := &server{addr: addr, dir: dir, cmd: cmd, exited: make(chan struct{}), out: &tailWriter{}}
	cmd.Stdout, cmd.Stderr = s.out, s.out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("dottest: start %s: %w", Python, err)
	}
	go func() { cmd.Wait(); close(s.exited) }()
	if err := s.waitReady(ctx); err != nil {
		s.stop()
		return nil, fmt.Errorf("dottest: DOT on %s did not start: %w; output: %s", addr, err, s.out.tail())
	}
	return s, nil
}

func (s *server) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+s.addr+"/testing/stats/", nil)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-s.exited:
			return errors.New("server exited")
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

func (s *server) stop() error {
	pgid := s.cmd.Process.Pid
	syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-s.exited:
		return nil
	case <-time.After(stopTimeout):
	}
	syscall.Kill(-pgid, syscall.SIGKILL)
	select {
	case <-s.exited:
		return nil
	case <-time.After(stopTimeout):
		return fmt.Errorf("dottest: DOT process %d did not exit", pgid)
	}
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("dottest: pick a port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func portalEnv(dataDir string, o Options) []string {
	env := append(os.Environ(), "DOT_DATA_DIR="+dataDir, "PYTHONDONTWRITEBYTECODE=1", "PYTHONUNBUFFERED=1")
	if o.TokenLifetime > 0 {
		env = append(env, "DOT_TOKEN_LIFETIME="+strconv.Itoa(int(o.TokenLifetime/time.Second)))
	}
	if o.RefreshGrace > 0 {
		env = append(env, "DOT_REFRESH_GRACE="+strconv.Itoa(int(o.RefreshGrace/time.Second)))
	}
	return env
}

// projectDir is auth/testdata/dot next to this package's source.
func projectDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testdata", "dot")
}

// templateDB is a migrated database with the fixtures, made once per process
// because migrations take most of a portal's start-up time.
var templateDB = sync.OnceValues(func() ([]byte, error) {
	if err := checkPython(); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "dottest-template-")
	if err != nil {
		return nil, fmt.Errorf("dottest: %w", err)
	}
	defer os.RemoveAll(dir)
	cmd := exec.Command(Python, "manage.py", "laymanctl_setup")
	cmd.Dir = projectDir()
	cmd.Env = portalEnv(dir, Options{})
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("dottest: set up the portal: %w: %s", err, out)
	}
	return os.ReadFile(filepath.Join(dir, "db.sqlite3"))
})

func checkPython() error {
	if _, err := os.Stat(Python); err != nil {
		return fmt.Errorf("dottest: %s missing (install python3-django-oauth-toolkit): %w", Python, ErrUnavailable)
	}
	cmd := exec.Command(Python, "-c", "import django, oauth2_provider")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("dottest: Django OAuth Toolkit missing (install python3-django-oauth-toolkit): %s: %w", bytes.TrimSpace(lastLine(out)), ErrUnavailable)
	}
	return nil
}

func lastLine(b []byte) []byte {
	b = bytes.TrimSpace(b)
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		return b[i+1:]
	}
	return b
}

// tailWriter keeps the end of the server's output, to explain a failed start.
// It is written by two copying goroutines.
type tailWriter struct {
	mu  sync.Mutex
	buf []byte
}

const tailSize = 1000

func (w *tailWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	if len(w.buf) > tailSize {
		w.buf = append(w.buf[:0], w.buf[len(w.buf)-tailSize:]...)
	}
	return len(p), nil
}

func (w *tailWriter) tail() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return string(w.buf)
}
