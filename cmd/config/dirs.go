package config

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// Dirs are where laymanctl keeps its files. Config holds config.yaml, which
// a person may edit and sync; State holds what laymanctl changes by itself
// (the file token store, refresh locks, upload journals), which must stay
// on this machine.
//
//	          Config                                  State
//	Linux     $XDG_CONFIG_HOME or ~/.config           $XDG_STATE_HOME or ~/.local/state
//	macOS     ~/Library/Application Support           ~/Library/Application Support
//	Windows   %AppData%                               %LocalAppData%
//
// each followed by /laymanctl. XDG_CONFIG_HOME and XDG_STATE_HOME, when set
// to an absolute path, are honoured on every system.
type Dirs struct {
	Config, State string
}

// UserDirs returns the directories for this system and environment.
func UserDirs(env func(string) string) (Dirs, error) {
	home, err := os.UserHomeDir()
	if err != nil && (env("XDG_CONFIG_HOME") == "" || env("XDG_STATE_HOME") == "") {
		return Dirs{}, fmt.Errorf("cannot locate the home directory: %w", err)
	}
	return DirsFor(runtime.GOOS, env, home), nil
}

// DirsFor computes the directories for goos; tests switch the system.
func DirsFor(goos string, env func(string) string, home string) Dirs {
	// The XDG spec says relative paths are to be ignored.
	xdg := func(name string) string {
		if d := env(name); filepath.IsAbs(d) {
			return d
		}
		return ""
	}
	var cfg, state string
	switch goos {
	case "darwin":
		cfg = filepath.Join(home, "Library", "Application Support")
		state = cfg
	case "windows":
		cfg, state = env("AppData"), env("LocalAppData")
		if cfg == "" {
			cfg = filepath.Join(home, "AppData", "Roaming")
		}
		if state == "" {
			state = filepath.Join(home, "AppData", "Local")
		}
	default:
		cfg = filepath.Join(home, ".config")
		state = filepath.Join(home, ".local", "state")
	}
	if d := xdg("XDG_CONFIG_HOME"); d != "" {
		cfg = d
	}
	if d := xdg("XDG_STATE_HOME"); d != "" {
		state = d
	}
	return Dirs{Config: filepath.Join(cfg, "laymanctl"), State: filepath.Join(state, "laymanctl")}
}

// Path is where the configuration file lives: $LAYMAN_CONFIG, else
// config.yaml in Dirs.Config.
func Path(env func(string) string) (string, error) {
	if p := env("LAYMAN_CONFIG"); p != "" {
		return p, nil
	}
	d, err := UserDirs(env)
	if err != nil {
		return "", err
	}
	return filepath.Join(d.Config, "config.yaml"), nil
}
