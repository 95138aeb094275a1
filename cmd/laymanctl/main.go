// Command laymanctl is the command-line client for Layman.
package main

import (
	"os"
	"runtime/debug"

	"github.com/laymanctl/laymanctl/cmd"
	"github.com/laymanctl/laymanctl/cmd/cli"
)

// Set by the release build (-ldflags "-X main.version=...").
var (
	version = "dev"
	commit  = "none"
	date    = "unknown"
)

func main() {
	build := cli.BuildInfo{Version: version, Commit: commit, Date: date}
	os.Exit(cmd.Main(os.Args[1:], build.WithModule(debug.ReadBuildInfo())))
}
