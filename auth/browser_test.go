package auth

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSelectBrowser(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     map[string]string
		goos    string
		command []string // nil: not a command browser
		system  bool
		reason  string // substring of the reason when no browser
	}{
		{name: "LAYMAN_BROWSER wins", env: map[string]string{"LAYMAN_BROWSER": "robot --fast", "BROWSER": "firefox", "DISPLAY": ":0"}, goos: "linux", command: []string{"robot", "--fast"}},
		{name: "LAYMAN_BROWSER even over SSH", env: map[string]string{"LAYMAN_BROWSER": "robot", "SSH_TTY": "/dev/pts/1"}, goos: "linux", command: []string{"robot"}},
		{name: "BROWSER list takes the first", env: map[string]string{"BROWSER": "firefox:chromium"}, goos: "linux", command: []string{"firefox"}},
		{name: "BROWSER terminal browser", env: map[string]string{"BROWSER": "/usr/bin/w3m:firefox", "DISPLAY": ":0"}, goos: "linux", reason: "terminal browser"},
		{name: "LAYMAN_BROWSER terminal browser", env: map[string]string{"LAYMAN_BROWSER": "lynx"}, goos: "darwin", reason: "terminal browser"},
		{name: "quoted words", env: map[string]string{"LAYMAN_BROWSER": `"/opt/My Browser/browse" --profile 'work space'`}, goos: "linux", command: []string{"/opt/My Browser/browse", "--profile", "work space"}},
		{name: "escaped space", env: map[string]string{"BROWSER": `/opt/My\ Browser/browse:firefox`}, goos: "linux", command: []string{"/opt/My Browser/browse"}},
		{name: "unbalanced quote", env: map[string]string{"LAYMAN_BROWSER": `"firefox`, "DISPLAY": ":0"}, goos: "linux", reason: "cannot be read as a command"},
		{name: "blank LAYMAN_BROWSER ignored", env: map[string]string{"LAYMAN_BROWSER": "  ", "DISPLAY": ":0"}, goos: "linux", system: true},
		{name: "SSH connection", env: map[string]string{"SSH_CONNECTION": "a b c d", "DISPLAY": "localhost:10"}, goos: "linux", reason: "SSH"},
		{name: "SSH on macOS", env: map[string]string{"SSH_TTY": "/dev/ttys001"}, goos: "darwin", reason: "SSH"},
		{name: "Linux without display", env: map[string]string{}, goos: "linux", reason: "no display"},
		{name: "Linux with X11", env: map[string]string{"DISPLAY": ":0"}, goos: "linux", system: true},
		{name: "Linux with Wayland", env: map[string]string{"WAYLAND_DISPLAY": "wayland-0"}, goos: "linux", system: true},
		{name: "macOS needs no DISPLAY", env: map[string]string{}, goos: "darwin", system: true},
		{name: "Windows", env: map[string]string{}, goos: "windows", system: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, reason := selectBrowser(func(k string) string { return tc.env[k] }, &bytes.Buffer{}, tc.goos)
			switch got := b.(type) {
			case *commandBrowser:
				if tc.command == nil || !slices.Equal(got.args, tc.command) {
					t.Errorf("command %q, want %q", got.args, tc.command)
				}
			case systemBrowser:
				if !tc.system {
					t.Error("chose the system browser")
				}
			case nil:
				if tc.reason == "" || !strings.Contains(reason, tc.reason) {
					t.Errorf("no browser, reason %q; want one mentioning %q", reason, tc.reason)
				}
			default:
				t.Errorf("unexpected browser %T", b)
			}
		})
	}
}

func TestCommandBrowserRunsCommandWithURL(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses a shell script")
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "open")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho launched\nfor a; do last=$a; done\nprintf %s \"$last\" > \""+dir+"/url\"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	b := &commandBrowser{args: []string{script, "--new-window"}, output: &out, wait: time.Minute}
	const u = "http://127.0.0.1:1/o/authorize/?state=x&client_id=y"
	if err := b.Open(u); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "url"))
	if err != nil || string(got) != u {
		t.Fatalf("command received %q (%v), want the URL as last argument", got, err)
	}
	if out.String() != "launched\n" {
		t.Errorf("command output %q went elsewhere than the given writer", out.String())
	}

	if err := (&commandBrowser{args: []string{filepath.Join(dir, "missing")}, wait: time.Minute}).Open(u); err == nil {
		t.Error("a missing command reported success")
	}
	failing := filepath.Join(dir, "fail")
	if err := os.WriteFile(failing, []byte("#!/bin/sh\nexit 3\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := (&commandBrowser{args: []string{failing}, wait: time.Minute}).Open(u); err == nil {
		t.Error("a failing command reported success")
	}
}
