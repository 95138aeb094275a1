package cli

import (
	"runtime/debug"
	"testing"
)

func TestBuildInfoFromGoInstall(t *testing.T) {
	// What `go install github.com/laymanctl/laymanctl/cmd/laymanctl@v1.4.0` embeds.
	info := &debug.BuildInfo{Main: debug.Module{Path: "github.com/laymanctl/laymanctl", Version: "v1.4.0"}}
	got := BuildInfo{Version: "dev", Commit: "none", Date: "unknown"}.WithModule(info, true)
	if got.Version != "1.4.0" || got.Commit != "none" || got.Date != "unknown" {
		t.Errorf("got %+v, want version 1.4.0 and the rest unchanged", got)
	}
}

func TestBuildInfoFromCheckout(t *testing.T) {
	info := &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "a9616b8f"}, {Key: "vcs.time", Value: "2026-11-29T03:57:21Z"},
	}}
	got := BuildInfo{Version: "dev", Commit: "none", Date: "unknown"}.WithModule(info, true)
	want := BuildInfo{Version: "dev", Commit: "a9616b8f", Date: "2026-11-29T03:57:21Z"}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestBuildInfoReleaseFlagsWin(t *testing.T) {
	release := BuildInfo{Version: "1.5.0", Commit: "abc", Date: "2026-11-01T00:00:00Z"}
	info := &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}, Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "zzz"}}}
	if got := release.WithModule(info, true); got != release {
		t.Errorf("got %+v, want the ldflags values %+v", got, release)
	}
	if got := (BuildInfo{Version: "dev"}).WithModule(nil, false); got.Version != "dev" {
		t.Errorf("without build info got %+v", got)
	}
}
