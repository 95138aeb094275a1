package keyring

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/keyring/secretservicetest"
)

// componentWait bounds the keychain's calls in these tests.
const componentWait = secretservicetest.Wait

// startSecretService starts a private Secret Service, with HOME and XDG
// directories in a temporary directory, and points this process at it. It
// must run before any go-keyring call in this process: godbus keeps the
// first session bus connection it makes.
func startSecretService(t *testing.T) {
	t.Helper()
	secretservicetest.Require(t)
	home := filepath.Join(t.TempDir(), "home")
	if err := os.Mkdir(home, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", home)
	t.Setenv("XDG_DATA_HOME", filepath.Join(home, ".local", "share"))
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("DISPLAY", "")
	for _, kv := range secretservicetest.Start(t, nil) {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
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
	// where laymanctl's state directory lies.
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

// Without a session bus (a headless server, no DBUS_SESSION_BUS_ADDRESS,
// no socket in the runtime directory) the keychain is reported unavailable
// and nothing is launched: godbus alone would run dbus-launch, leaving a
// dbus-daemon behind.
func TestKeychainWithoutSessionBusLaunchesNothing(t *testing.T) {
	bin := t.TempDir()
	marker := filepath.Join(t.TempDir(), "launched")
	script := "#!/bin/sh\ntouch " + marker + "\nexit 1\n"
	for _, name := range []string{"dbus-launch", "dbus-daemon", "gnome-keyring-daemon"} {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", bin)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	st := newKeychain(KeychainOptions{}, osKeychain{runtimeDir: t.TempDir()})
	if _, err := st.Get("p"); !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "no D-Bus session bus") {
		t.Errorf("Get: %v, want the keychain unavailable for want of a session bus", err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("a D-Bus or keyring daemon was launched")
	}
}
