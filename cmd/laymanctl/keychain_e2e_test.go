package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/laymanctl/laymanctl/auth/dottest"
)

// componentWait bounds every wait for the keychain's daemons.
const componentWait = 30 * time.Second

// busConfig is a session bus without service activation, so that only the
// gnome-keyring-daemon started here can own org.freedesktop.secrets.
const busConfig = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=%DIR%</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`

// keyringPassword unlocks the throwaway login keyring; gnome-keyring makes
// no login collection for an empty one.
const keyringPassword = "laymanctl-test"

// startSecretService gives the sandbox a private session bus with an
// unlocked gnome-keyring-daemon on it, both stopped when the test ends.
// (A copy of keyring's test start-up, with the sandbox's environment
// instead of the test process's.)
func (s *sandbox) startSecretService() {
	t := s.t
	t.Helper()
	for _, name := range []string{"dbus-daemon", "gnome-keyring-daemon", "secret-tool"} {
		if _, err := exec.LookPath(name); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s not installed (needed for the keychain test)", name)
			}
			t.Skipf("%s not installed: skipping the keychain test", name)
		}
	}
	// A short directory: socket paths are limited to about 100 bytes.
	run, err := os.MkdirTemp("", "lk")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(run) })
	s.set("XDG_RUNTIME_DIR", run)
	config := filepath.Join(run, "bus.conf")
	if err := os.WriteFile(config, []byte(strings.ReplaceAll(busConfig, "%DIR%", run)), 0o600); err != nil {
		t.Fatal(err)
	}
	bus := exec.Command("dbus-daemon", "--nofork", "--print-address=1", "--config-file="+config)
	stdout, err := bus.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	startAndStopOnCleanup(t, bus)
	address := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		address <- strings.TrimSpace(line)
	}()
	var addr string
	select {
	case addr = <-address:
	case <-time.After(componentWait):
		t.Fatal("dbus-daemon printed no address")
	}
	if addr == "" {
		t.Fatal("dbus-daemon exited without an address")
	}
	s.set("DBUS_SESSION_BUS_ADDRESS", addr)

	// Watch for the Secret Service's name before starting its daemon, so
	// its arrival cannot be missed.
	watch, err := dbus.Connect(addr)
	if err != nil {
		t.Fatalf("connect to the private bus: %v", err)
	}
	defer watch.Close()
	if err := watch.AddMatchSignal(
		dbus.WithMatchInterface("org.freedesktop.DBus"),
		dbus.WithMatchMember("NameOwnerChanged"),
		dbus.WithMatchArg(0, "org.freedesktop.secrets"),
	); err != nil {
		t.Fatal(err)
	}
	owned := make(chan *dbus.Signal, 4)
	watch.Signal(owned)

	var daemonLog bytes.Buffer
	daemon := exec.Command("gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets")
	daemon.Env = s.environ()
	daemon.Stdin = strings.NewReader(keyringPassword)
	daemon.Stdout, daemon.Stderr = &daemonLog, &daemonLog
	startAndStopOnCleanup(t, daemon)
	select {
	case <-owned:
	case <-time.After(componentWait):
		t.Fatalf("gnome-keyring-daemon did not register the Secret Service: %s", daemonLog.String())
	}
}

// startAndStopOnCleanup starts cmd and kills that process when the test
// ends.
func startAndStopOnCleanup(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", cmd.Path, err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
}

// TestKeychainLogin logs in with the default store, the OS keychain (a real
// Secret Service), where the user's own tools find the item.
func TestKeychainLogin(t *testing.T) {
	t.Parallel()
	d := sharedPortal.get(t)
	l := newLayman(t, d)
	s := newSandbox(t)
	s.set("LAYMAN_TOKEN_STORE", "")
	s.startSecretService()
	s.useRobot(dottest.Alice)

	username := wantLoggedIn(t, s.ok("", loginArgs(l, d)...), l)
	addPrivateLayer(l, username)
	status := s.ok("", "auth", "status")
	if !strings.Contains(status.stdout, username) || !strings.Contains(status.stdout, "keyring") {
		t.Errorf("auth status does not name %s and the keyring store:\n%s", username, status.stdout)
	}
	wantLayerListed(t, s.ok("", "layers", "list", "-o", "json"))

	lookup := exec.Command("secret-tool", "lookup", "service", "laymanctl", "username", "default")
	lookup.Env = s.environ()
	item, err := lookup.Output()
	if err != nil || !bytes.Contains(item, []byte("refresh_token")) {
		t.Fatalf("secret-tool finds no token set for profile default (err %v, %d bytes)", err, len(item))
	}
	token := strings.TrimSpace(s.ok("", "auth", "token").stdout)
	if !bytes.Contains(item, []byte(token)) {
		t.Error("the keychain item does not hold the access token auth token prints")
	}
	if files := s.filesContaining(token); len(files) > 0 {
		t.Errorf("the access token is in plain files although the keychain holds it: %v", files)
	}
	if _, err := os.Stat(s.tokenFile()); !os.IsNotExist(err) {
		t.Errorf("a file token store was written (stat: %v)", err)
	}
}

// TestKeychainAbsent logs in with the default store while no Secret Service
// is reachable: the login fails, names the file store as the way out, and
// writes no token anywhere.
func TestKeychainAbsent(t *testing.T) {
	t.Parallel()
	d := sharedPortal.get(t)
	l := newLayman(t, d)
	s := newSandbox(t)
	s.set("LAYMAN_TOKEN_STORE", "") // the sandbox's bus address leads nowhere
	s.useRobot(dottest.Alice)

	r := s.run("", loginArgs(l, d)...)
	if r.code == 0 {
		t.Fatalf("login succeeded without a keychain:\n%s", r.stderr)
	}
	if !strings.Contains(r.stderr, "--token-store file") && !strings.Contains(r.stderr, "LAYMAN_TOKEN_STORE=file") {
		t.Errorf("the error does not say how to choose the file store:\n%s", r.stderr)
	}
	if files := s.filesContaining("refresh_token", "access_token"); len(files) > 0 {
		t.Errorf("tokens were written in plain text: %v", files)
	}
	if _, err := os.Stat(filepath.Dir(s.tokenFile())); !os.IsNotExist(err) {
		t.Errorf("a token directory was created (stat: %v)", err)
	}
}
