package auth

import (
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/google/shlex"
	"github.com/pkg/browser"
)

// Browser opens the authorization URL for the person logging in.
type Browser interface {
	Open(url string) error
}

// terminalBrowsers would take over the terminal the CLI is waiting in.
var terminalBrowsers = []string{"lynx", "w3m", "links", "links2", "elinks", "browsh", "www-browser"}

// SelectBrowser decides how to open the authorization URL: the command named
// by LAYMAN_BROWSER, else by BROWSER (first of a colon-separated list), each
// split into words like a shell command line, else
// the system browser, unless there is no display to show it on. A nil
// Browser comes with the reason, for the message asking to open the URL by
// hand.
func SelectBrowser(env func(string) string, stderr io.Writer) (Browser, string) {
	return selectBrowser(env, stderr, runtime.GOOS)
}

func selectBrowser(env func(string) string, stderr io.Writer, goos string) (Browser, string) {
	for _, name := range []string{"LAYMAN_BROWSER", "BROWSER"} {
		value := strings.TrimSpace(env(name))
		if name == "BROWSER" {
			value, _, _ = strings.Cut(value, ":")
		}
		// Split as a shell would, so that a quoted path with spaces is one
		// word: "/Applications/Google Chrome.app/…" --new-window.
		args, err := shlex.Split(value)
		if err != nil {
			return nil, fmt.Sprintf("%s cannot be read as a command (%v)", name, err)
		}
		if len(args) == 0 {
			continue
		}
		base := strings.TrimSuffix(strings.ToLower(filepath.Base(args[0])), ".exe")
		if slices.Contains(terminalBrowsers, base) {
			return nil, fmt.Sprintf("%s names a terminal browser (%s)", name, base)
		}
		return &commandBrowser{args: args, output: stderr, wait: 5 * time.Second}, ""
	}
	if env("SSH_CONNECTION") != "" || env("SSH_TTY") != "" {
		return nil, "this is an SSH session"
	}
	if goos == "linux" && env("DISPLAY") == "" && env("WAYLAND_DISPLAY") == "" {
		return nil, "no display is available (DISPLAY and WAYLAND_DISPLAY are unset)"
	}
	return systemBrowser{output: stderr}, ""
}

// commandBrowser runs a user-chosen command with the URL as last argument.
type commandBrowser struct {
	args   []string
	output io.Writer
	// wait is how long to wait for the command's verdict; a browser still
	// running after that is taken as opened and left alone.
	wait time.Duration
}

func (c *commandBrowser) Open(url string) error {
	cmd := exec.Command(c.args[0], append(c.args[1:len(c.args):len(c.args)], url)...)
	cmd.Stdout, cmd.Stderr = c.output, c.output // never our stdout: it carries data
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", c.args[0], err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("%s: %w", c.args[0], err)
		}
		return nil
	case <-time.After(c.wait):
		return nil
	}
}

// systemBrowser is the desktop's default browser through pkg/browser.
type systemBrowser struct{ output io.Writer }

func (s systemBrowser) Open(url string) error {
	// pkg/browser sends the launcher's output to package variables that
	// default to our stdout.
	browser.Stdout, browser.Stderr = s.output, s.output
	return browser.OpenURL(url)
}
