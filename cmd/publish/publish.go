// Package publish implements the commands that send data to Layman:
// `layers publish|update|resume` and `maps publish|update`. Each command
// validates its input locally, so that bad input exits 2 with nothing sent,
// then uploads with client/upload, draws progress on a terminal, waits for
// the server's processing when asked, and prints the result.
package publish

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/laymanctl/laymanctl/client/upload"
	"github.com/laymanctl/laymanctl/cmd/cli"
	"github.com/laymanctl/laymanctl/cmd/publications"
)

// Transfer is how files travel: chunk size and chunks in flight.
type Transfer struct {
	ChunkSize int64 // 0: upload.DefaultChunkSize, or for a resume the recorded size
	Parallel  int
}

// MaxParallel bounds --parallel: more connections than this only load the
// server.
const MaxParallel = 32

// WaitPolicy says whether to wait for the server's processing, and how long.
type WaitPolicy struct {
	Wait    bool
	Timeout time.Duration // 0: no limit
}

// transferFlags are the raw --chunk-size and --parallel values, parsed in
// RunE so that a bad value is a usage error.
type transferFlags struct {
	chunkSize string
	parallel  int
}

func addTransferFlags(fs *pflag.FlagSet, t *transferFlags) {
	fs.StringVar(&t.chunkSize, "chunk-size", upload.FormatSize(upload.DefaultChunkSize), "size of upload chunks, e.g. 512KiB or 4MiB (raised so that no file needs more than 999 chunks)")
	fs.IntVar(&t.parallel, "parallel", upload.DefaultParallel, fmt.Sprintf("chunks sent at once (1-%d)", MaxParallel))
}

func (t transferFlags) parse() (Transfer, error) {
	size, err := upload.ParseSize(t.chunkSize)
	if err != nil {
		return Transfer{}, err
	}
	if t.parallel < 1 || t.parallel > MaxParallel {
		return Transfer{}, cli.Usagef("--parallel must be between 1 and %d, got %d", MaxParallel, t.parallel)
	}
	return Transfer{ChunkSize: size, Parallel: t.parallel}, nil
}

// waitFlags are --wait, --no-wait and --timeout.
type waitFlags struct {
	wait, noWait bool
	timeout      time.Duration
}

func addWaitFlags(fs *pflag.FlagSet, w *waitFlags) {
	fs.BoolVar(&w.wait, "wait", false, "wait until the server finishes processing (default on a terminal)")
	fs.BoolVar(&w.noWait, "no-wait", false, "return as soon as the data is sent (default in scripts)")
	fs.DurationVar(&w.timeout, "timeout", 0, "with --wait, "+publications.TimeoutHelp)
}

// parse resolves the wait default: a person at a terminal wants to know
// how processing ended, a script gets its answer as soon as possible.
func (w waitFlags) parse(c *cobra.Command, f *cli.Factory) (WaitPolicy, error) {
	if w.wait && w.noWait {
		return WaitPolicy{}, cli.Usagef("--wait and --no-wait exclude each other")
	}
	timeout, err := publications.WaitTimeout(f, c.Flags().Changed("timeout"), w.timeout)
	if err != nil {
		return WaitPolicy{}, err
	}
	p := WaitPolicy{Wait: f.IO.ErrTTY, Timeout: timeout}
	if c.Flags().Changed("wait") || c.Flags().Changed("no-wait") {
		p.Wait = w.wait
	}
	return p, nil
}

// accessFlags are --read and --write: comma-separated users, roles or
// EVERYONE.
func addAccessFlags(fs *pflag.FlagSet, read, write *[]string) {
	fs.StringSliceVar(read, "read", nil, "who may read: comma-separated usernames, ROLES or EVERYONE")
	fs.StringSliceVar(write, "write", nil, "who may write: comma-separated usernames, ROLES or EVERYONE")
}
