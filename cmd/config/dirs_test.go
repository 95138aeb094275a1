package config

import (
	"path/filepath"
	"testing"
)

func TestDirsPerSystem(t *testing.T) {
	home := filepath.FromSlash("/home/ann")
	j := filepath.Join
	for _, tc := range []struct {
		goos          string
		env           map[string]string
		config, state string
	}{
		{"linux", nil, j(home, ".config", "laymanctl"), j(home, ".local", "state", "laymanctl")},
		{"linux", map[string]string{"XDG_CONFIG_HOME": "/x/cfg", "XDG_STATE_HOME": "/x/st"}, j("/x/cfg", "laymanctl"), j("/x/st", "laymanctl")},
		// Relative XDG paths are ignored, as the spec says.
		{"linux", map[string]string{"XDG_CONFIG_HOME": "cfg", "XDG_STATE_HOME": "st"}, j(home, ".config", "laymanctl"), j(home, ".local", "state", "laymanctl")},
		{"freebsd", nil, j(home, ".config", "laymanctl"), j(home, ".local", "state", "laymanctl")},
		// macOS: both in Application Support, not a Linux path beside it.
		{"darwin", nil, j(home, "Library", "Application Support", "laymanctl"), j(home, "Library", "Application Support", "laymanctl")},
		{"darwin", map[string]string{"XDG_CONFIG_HOME": "/x/cfg", "XDG_STATE_HOME": "/x/st"}, j("/x/cfg", "laymanctl"), j("/x/st", "laymanctl")},
		// Windows: roaming configuration, machine-local state.
		{"windows", map[string]string{"AppData": "/u/AppData/Roaming", "LocalAppData": "/u/AppData/Local"}, j("/u/AppData/Roaming", "laymanctl"), j("/u/AppData/Local", "laymanctl")},
		{"windows", nil, j(home, "AppData", "Roaming", "laymanctl"), j(home, "AppData", "Local", "laymanctl")},
	} {
		got := DirsFor(tc.goos, func(k string) string { return tc.env[k] }, home)
		if got.Config != tc.config || got.State != tc.state {
			t.Errorf("%s %v: got %+v, want config %s, state %s", tc.goos, tc.env, got, tc.config, tc.state)
		}
	}
}

func TestPathPrefersLAYMAN_CONFIG(t *testing.T) {
	env := map[string]string{"LAYMAN_CONFIG": "/etc/laymanctl.yaml", "XDG_CONFIG_HOME": "/x"}
	if p, err := Path(func(k string) string { return env[k] }); err != nil || p != "/etc/laymanctl.yaml" {
		t.Errorf("got %q, %v", p, err)
	}
	delete(env, "LAYMAN_CONFIG")
	if p, err := Path(func(k string) string { return env[k] }); err != nil || p != filepath.Join("/x", "laymanctl", "config.yaml") {
		t.Errorf("got %q, %v", p, err)
	}
}
