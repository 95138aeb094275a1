// Package secretservicetest runs a real Secret Service for tests: a private
// D-Bus session bus with an unlocked gnome-keyring-daemon on it.
package secretservicetest

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
)

// Wait bounds every wait for the daemons.
const Wait = 30 * time.Second

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

// password unlocks the throwaway login keyring. It must not be empty:
// gnome-keyring-daemon --unlock creates no login collection for an empty
// password, and go-keyring stores items in that collection.
const password = "laymanctl-test"

// Require skips when a binary the Secret Service needs is missing, except
// with CI=true, where the real keychain tests must run.
func Require(t testing.TB) {
	t.Helper()
	for _, name := range []string{"dbus-daemon", "gnome-keyring-daemon", "secret-tool"} {
		if _, err := exec.LookPath(name); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s not installed (needed for the real Secret Service tests)", name)
			}
			t.Skipf("%s not installed: skipping the real Secret Service test", name)
		}
	}
}

// Start runs the bus and the daemon until the test ends. The daemon runs
// with env (its HOME and XDG directories decide where it keeps the keyring;
// nil means this process's environment). It returns the variables that
// point a process at this Secret Service: DBUS_SESSION_BUS_ADDRESS and
// XDG_RUNTIME_DIR, as KEY=VALUE.
func Start(t testing.TB, env []string) []string {
	t.Helper()
	Require(t)
	// A short directory: socket paths are limited to about 100 bytes.
	run, err := os.MkdirTemp("", "lk")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(run) })
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
	case <-time.After(Wait):
		t.Fatal("dbus-daemon printed no address")
	}
	if addr == "" {
		t.Fatal("dbus-daemon exited without an address")
	}
	vars := []string{"DBUS_SESSION_BUS_ADDRESS=" + addr, "XDG_RUNTIME_DIR=" + run}

	// Watch for the Secret Service's name before starting its daemon, so its
	// arrival cannot be missed.
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

	if env == nil {
		env = os.Environ()
	}
	var daemonLog bytes.Buffer
	daemon := exec.Command("gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets")
	daemon.Env = append(append([]string(nil), env...), vars...)
	daemon.Stdin = strings.NewReader(password)
	daemon.Stdout, daemon.Stderr = &daemonLog, &daemonLog
	startAndStopOnCleanup(t, daemon)
	select {
	case <-owned:
	case <-time.After(Wait):
		t.Fatalf("gnome-keyring-daemon did not register the Secret Service: %s", daemonLog.String())
	}
	return vars
}

// startAndStopOnCleanup starts cmd and kills that process (nothing else)
// when the test ends.
func startAndStopOnCleanup(t testing.TB, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", cmd.Path, err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
}
