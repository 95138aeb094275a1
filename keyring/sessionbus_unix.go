//go:build !windows && !darwin

package keyring

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
)

// sessionBus finds the D-Bus session bus the way godbus does, without its
// last resort: when neither DBUS_SESSION_BUS_ADDRESS nor a bus socket in the
// user's runtime directory exists, godbus runs dbus-launch, which leaves a
// dbus-daemon (and through it gnome-keyring-daemon) running on a headless
// machine. laymanctl reports the keychain unavailable instead.
func sessionBus(runtimeDir string) error {
	if a := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" && a != "autolaunch:" {
		return nil
	}
	for _, name := range []string{"bus", "dbus-session"} {
		if _, err := os.Stat(filepath.Join(runtimeDir, name)); err == nil {
			return nil
		}
	}
	return errors.New("no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is not set and " + runtimeDir + " has none (a headless session?)")
}

// userRuntimeDir is where godbus looks for the session bus.
func userRuntimeDir() string { return "/run/user/" + strconv.Itoa(os.Getuid()) }
