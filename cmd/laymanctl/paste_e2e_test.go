package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/creack/pty"

	"github.com/laymanctl/laymanctl/auth/dottest"
)

// terminal is the pty's output as the person sees it, read while the
// command runs.
type terminal struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{}
}

func (t *terminal) copyFrom(r io.Reader) {
	b := make([]byte, 4096)
	for {
		n, err := r.Read(b)
		t.mu.Lock()
		t.buf.Write(b[:n])
		t.mu.Unlock()
		select {
		case t.changed <- struct{}{}:
		default:
		}
		if err != nil {
			return // EIO once the command closed its end
		}
	}
}

func (t *terminal) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.buf.String()
}

// lineStarting waits for a line on the terminal that starts with prefix.
func (t *terminal) lineStarting(ctx context.Context, prefix string) (string, error) {
	for {
		for _, line := range strings.Split(t.String(), "\n") {
			if line = strings.TrimSpace(line); strings.HasPrefix(line, prefix) {
				return line, nil
			}
		}
		select {
		case <-ctx.Done():
			return "", errors.New("no line starting with " + prefix)
		case <-t.changed:
		}
	}
}

// TestPasteLoginOverSSH is a login on a machine reached by SSH, with no
// display: laymanctl runs in a terminal, prints the URL, and the person
// opens it on their own computer, where the robot user logs in; the
// browser there cannot load the 127.0.0.1 page, so the person copies its
// address and pastes it into the terminal.
func TestPasteLoginOverSSH(t *testing.T) {
	t.Parallel()
	d := sharedPortal.get(t)
	l := newLayman(t, d)
	s := newSandbox(t)
	s.set("SSH_CONNECTION", "192.0.2.10 50022 192.0.2.20 22", "SSH_TTY", "/dev/pts/0")

	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	cmd := s.command(ctx, "", loginArgs(l, d)...)
	var stdout bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, &stdout, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	term := &terminal{changed: make(chan struct{}, 1)}
	go term.copyFrom(ptmx)

	authURL, err := term.lineStarting(ctx, d.Endpoints().AuthURL)
	if err != nil {
		t.Fatalf("%v; terminal:\n%s", err, term)
	}
	redirect, err := dottest.RobotRedirect(ctx, authURL, dottest.Alice.Username, dottest.Alice.Password)
	if err != nil {
		t.Fatalf("%v; terminal:\n%s", err, term)
	}
	if _, err := term.lineStarting(ctx, "whole address from the address bar and paste it here"); err != nil {
		t.Fatalf("no paste instructions: %v\n%s", err, term)
	}
	if _, err := io.WriteString(ptmx, redirect+"\r"); err != nil { // Enter
		t.Fatal(err)
	}
	waitErr := cmd.Wait()
	if _, err := term.lineStarting(ctx, "Logged in to "+l.URL+" as "); err != nil || waitErr != nil {
		t.Fatalf("login: %v %v\nterminal:\n%s", waitErr, err, term)
	}
	out := term.String()
	if !strings.Contains(out, "Not opening a browser: this is an SSH session") {
		t.Errorf("no word on the SSH session:\n%s", out)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout: %q", stdout.String())
	}
	ts := s.storedTokens()
	if strings.Contains(out, ts.AccessToken) || strings.Contains(out, ts.RefreshToken) {
		t.Error("the terminal shows a token")
	}
}
