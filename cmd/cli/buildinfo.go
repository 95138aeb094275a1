package cli

import (
	"runtime/debug"
	"strings"
)

// BuildInfo is set by the release build through ldflags.
type BuildInfo struct {
	Version, Commit, Date string
}

// WithModule fills what the release ldflags did not set from the module
// information the Go toolchain embeds, so that `go install …@v1.2.3` reports
// 1.2.3 rather than dev. ok is the second result of debug.ReadBuildInfo.
func (b BuildInfo) WithModule(info *debug.BuildInfo, ok bool) BuildInfo {
	if !ok || info == nil {
		return b
	}
	if b.Version == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
		// Release tags are v1.2.3 and goreleaser prints 1.2.3.
		b.Version = strings.TrimPrefix(info.Main.Version, "v")
	}
	for _, s := range info.Settings {
		switch {
		case s.Key == "vcs.revision" && b.Commit == "none":
			b.Commit = s.Value
		case s.Key == "vcs.time" && b.Date == "unknown":
			b.Date = s.Value
		}
	}
	return b
}
