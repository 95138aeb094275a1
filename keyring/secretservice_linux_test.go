package keyring

import (
	"bufio"
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// componentWait bounds every wait for the external daemons.
const componentWait = 30 * time.Second

// requireCommands skips when a binary is missing, except in CI where the
// real keychain test must run.
func requireCommands(t *testing.T, names ...string) {
	t.Helper()
	for _, name := range names {
		if _, err := exec.LookPath(name); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s not installed (needed for the real Secret Service test)", name)
			}
			t.Skipf("%s not installed: skipping the real Secret Service test", name)
		}
	}
}

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

// testKeyringPassword unlocks the throwaway login keyring. It must not be
// empty: gnome-keyring-daemon --unlock creates no login collection for an
// empty password, and go-keyring stores items in that collection.
const testKeyringPassword = "laymanctl-test"

// startSecretService starts a private session bus and an unlocked
// gnome-keyring-daemon on it, with HOME and XDG directories in a temporary
// directory, and points this process at that bus. It must run before any
// go-keyring call in this process: godbus keeps the first session bus
// connection it makes.
func startSecretService(t *testing.T) {
	t.Helper()
	requireCommands(t, "dbus-daemon", "gnome-keyring-daemon", "secret-tool")
	root := t.TempDir()
	home := filepath.Join(root, "home")
	run := filepath.Join(root, "run")
	for _, dir := range []string{home, run} {
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("HOME", home)
	t.Setenv("XDG_RUNTIME_DIR", run)
	t.Setenv("XDG_DATA_HOME", filepath.Join(home, ".local", "share"))
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("DISPLAY", "")

	config := filepath.Join(root, "bus.conf")
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
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)

	// Watch for the Secret Service name before starting its daemon, so its
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

	var keyringLog bytes.Buffer
	daemon := exec.Command("gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets")
	daemon.Stdin = strings.NewReader(testKeyringPassword)
	daemon.Stdout, daemon.Stderr = &keyringLog, &keyringLog
	startAndStopOnCleanup(t, daemon)
	select {
	case <-owned:
	case <-time.After(componentWait):
		t.Fatalf("gnome-keyring-daemon did not register the Secret Service: %s", keyringLog.String())
	}
}

// startAndStopOnCleanup starts cmd and kills it (by its own process, nothing
// else) when the test ends.
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

// secretToolLookup reads an item straight from the Secret Service, the way a
// user would check what laymanctl stored.
func secretToolLookup(t *testing.T, key string) (string, error) {
	t.Helper()
	out, err := exec.Command("secret-tool", "lookup", "service", "laymanctl", "username", key).Output()
	return string(out), err
}

func TestKeychainSecretService(t *testing.T) {
	startSecretService(t)
	s := NewKeychain(KeychainOptions{Timeout: componentWait})

	t.Run("conformance", func(t *testing.T) {
		testStoreConformance(t, s, "keyring")
	})

	t.Run("item is in the keychain", func(t *testing.T) {
		value := `{"refresh_token":"stored-by-laymanctl"}`
		mustSet(t, s, "lookup", []byte(value))
		got, err := secretToolLookup(t, "lookup")
		if err != nil || got != value {
			t.Fatalf("secret-tool lookup = %q, %v; want %q", got, err, value)
		}
		if err := s.Delete("lookup"); err != nil {
			t.Fatal(err)
		}
		if got, err := secretToolLookup(t, "lookup"); err == nil {
			t.Fatalf("secret-tool still finds %q after Delete", got)
		}
	})

	t.Run("largest accepted value", func(t *testing.T) {
		value := bytes.Repeat([]byte("x"), MaxKeychainValue())
		mustSet(t, s, "large", value)
		mustGet(t, s, "large", value)
		if err := s.Delete("large"); err != nil {
			t.Fatal(err)
		}
	})
}

// daemonAbsentEnv marks the re-executed test binary that runs without a
// session bus; a process of its own because godbus keeps its first session
// bus connection.
const daemonAbsentEnv = "LAYMANCTL_TEST_KEYCHAIN_ABSENT"

func TestKeychainDaemonAbsent(t *testing.T) {
	if os.Getenv(daemonAbsentEnv) == "1" {
		checkKeychainAbsent(t)
		return
	}
	root := t.TempDir()
	home := filepath.Join(root, "home")
	run := filepath.Join(root, "run")
	for _, dir := range []string{home, run} {
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestKeychainDaemonAbsent$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(),
		daemonAbsentEnv+"=1",
		"DBUS_SESSION_BUS_ADDRESS=unix:path="+filepath.Join(run, "no-such-bus"),
		"HOME="+home,
		"XDG_RUNTIME_DIR="+run,
		"XDG_STATE_HOME=",
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"XDG_DATA_HOME="+filepath.Join(home, ".local", "share"),
		"DISPLAY=",
	)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestKeychainDaemonAbsent") {
		t.Fatalf("keychain-absent subprocess failed (%v):\n%s", err, out)
	}
}

// checkKeychainAbsent runs in the subprocess, with no reachable session bus.
func checkKeychainAbsent(t *testing.T) {
	const secret = "refresh-token-that-must-not-leak"
	s, err := Open("", OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Set("default", []byte(`{"refresh_token":"`+secret+`"}`))
	assertUnavailable(t, err)
	t.Logf("Set: %v", err)
	if strings.Contains(err.Error(), secret) {
		t.Errorf("error reveals the token: %v", err)
	}
	_, err = s.Get("default")
	assertUnavailable(t, err) // not ErrNotFound: "not logged in" would be misleading
	if errors.Is(err, ErrNotFound) {
		t.Errorf("Get: err = %v, must not look like a missing login", err)
	}

	// No fallback to plain text: nothing at all was written under HOME,
	// where the file store's default directory lies.
	dir, err := DefaultFileDir()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(dir, os.Getenv("HOME")) {
		t.Fatalf("default file dir %s is outside the test HOME", dir)
	}
	walkErr := filepath.WalkDir(os.Getenv("HOME"), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path != os.Getenv("HOME") {
			t.Errorf("%s was created while the keychain was unavailable", path)
		}
		return nil
	})
	if walkErr != nil {
		t.Fatal(walkErr)
	}
}
