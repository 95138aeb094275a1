package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/laymanctl/laymanctl/auth/dottest"
)

// authorizationURL is how the URL laymanctl prints for the person looks.
var authorizationURL = regexp.MustCompile(`https?://\S+/o/authorize/\?\S+`)

// pendingLogin is `auth login --no-browser` waiting for someone to open the
// URL it printed.
type pendingLogin struct {
	t      *testing.T
	url    string
	done   chan error
	stderr *lockedBuffer
	cancel context.CancelFunc
}

// startLogin starts a login with --no-browser and returns once laymanctl
// has printed the authorization URL on stderr.
func (s *sandbox) startLogin(args ...string) *pendingLogin {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	cmd := s.command(ctx, "", args...)
	cmd.Stdout = io.Discard
	pipe, err := cmd.StderrPipe()
	if err != nil {
		s.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	p := &pendingLogin{t: s.t, done: make(chan error, 1), stderr: &lockedBuffer{}, cancel: cancel}
	s.t.Cleanup(cancel)
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			line := sc.Text()
			p.stderr.WriteString(line + "\n")
			if u := authorizationURL.FindString(line); u != "" {
				select {
				case found <- u:
				default:
				}
			}
		}
		p.done <- cmd.Wait()
	}()
	select {
	case p.url = <-found:
	case err := <-p.done:
		s.t.Fatalf("login ended (%v) before printing an authorization URL:\n%s", err, p.stderr.String())
	case <-ctx.Done():
		s.t.Fatalf("login printed no authorization URL:\n%s", p.stderr.String())
	}
	return p
}

// wait returns everything the login wrote on stderr and its exit error.
func (p *pendingLogin) wait() (string, error) {
	p.t.Helper()
	defer p.cancel()
	select {
	case err := <-p.done:
		return p.stderr.String(), err
	case <-time.After(commandTimeout):
		p.t.Fatalf("login did not end:\n%s", p.stderr.String())
		return "", nil
	}
}

// lockedBuffer collects a process's stderr for the test while a goroutine
// writes it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) WriteString(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.WriteString(s)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestChromiumLogin logs in as a person does: a real browser opens the URL
// laymanctl printed, signs in, allows access and lands on the page the
// loopback listener shows (favicon and pre-connect requests included).
func TestChromiumLogin(t *testing.T) {
	t.Parallel()
	d := sharedPortal.get(t)
	screenshot := filepath.Join(t.TempDir(), "listener-page.png")
	browser := d.Chromium(t, dottest.Alice.Username, dottest.Alice.Password, screenshot)
	l := newLayman(t, d)
	s := newSandbox(t)

	login := s.startLogin(loginArgs(l, d, "--no-browser")...)
	if err := browser(login.url); err != nil {
		t.Fatalf("browser: %v", err)
	}
	stderr, err := login.wait()
	if err != nil {
		t.Fatalf("login failed: %v\n%s", err, stderr)
	}
	addPrivateLayer(l, wantLoggedIn(t, result{args: []string{"auth", "login"}, stderr: stderr}, l))
	png, err := os.ReadFile(screenshot)
	if err != nil {
		t.Fatalf("no screenshot of the listener's page: %v", err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("the screenshot is not a PNG")
	}
	t.Logf("screenshot of the listener's page: %s", screenshot)
	wantLayerListed(t, s.ok("", "layers", "list", "-o", "json"))
}
