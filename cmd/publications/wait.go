package publications

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/client/upload"
	"github.com/laymanctl/laymanctl/cmd/cli"
)

// WaitOptions are the parsed arguments of `<kind> wait`.
type WaitOptions struct {
	Kind    Kind
	Ref     client.Ref
	Timeout time.Duration // 0: no limit
}

// NewCmdWait builds `<kind> wait REF`.
func NewCmdWait(f *cli.Factory, kind Kind, runF func(context.Context, *cli.Factory, *WaitOptions) error) *cobra.Command {
	if runF == nil {
		runF = RunWait
	}
	opts := &WaitOptions{Kind: kind}
	c := &cobra.Command{
		Use:   "wait REF",
		Short: fmt.Sprintf("Wait until a %s's processing finishes", kind.Singular),
		Long: fmt.Sprintf(`Poll the %s until its publication_status is COMPLETE (exit 0) or
INCOMPLETE (exit 5, naming the source that failed and its error).`, kind.Singular),
		Example: fmt.Sprintf("  laymanctl %s wait %s --timeout 10m", kind.Plural, kind.example),
		Args:    cli.ExactArgs(1, "REF"),
		RunE: func(c *cobra.Command, args []string) error {
			refs, err := cli.ParseRefs(args)
			if err != nil {
				return err
			}
			if opts.Timeout, err = WaitTimeout(f, c.Flags().Changed("timeout"), opts.Timeout); err != nil {
				return err
			}
			opts.Ref = refs[0]
			return runF(c.Context(), f, opts)
		},
	}
	c.Flags().DurationVar(&opts.Timeout, "timeout", 0, TimeoutHelp)
	return c
}

// RunWait polls until processing ends and prints the final state: the
// server's JSON, or for people the publication's row as publish prints it.
func RunWait(ctx context.Context, f *cli.Factory, opts *WaitOptions) error {
	p, err := f.Printer()
	if err != nil {
		return err
	}
	c, err := f.Client(ctx)
	if err != nil {
		return err
	}
	waitCtx := ctx
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		waitCtx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	kind := opts.Kind.Singular
	onStatus, stop := WaitReporter(f.IO, f.Flags.Quiet, kind, opts.Ref)
	// Resolved first, so that the row names the publication however REF
	// was given, and Wait need not look it up again.
	ref, err := opts.Kind.service(c).Resolve(waitCtx, opts.Ref)
	var st *upload.Status
	if err == nil {
		st, err = upload.Wait(waitCtx, c, ref, kind, onStatus)
	}
	stop()
	if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s %s still processing after %s: %w", kind, opts.Ref, opts.Timeout, err)
	}
	if st != nil && st.Final() {
		table := func() cli.Table { return SummaryTable(st.Raw, WithWorkspace(ctx, c, kind, ref), st.Publication) }
		if perr := p.Print(st.Raw, table); perr != nil {
			return perr
		}
	}
	return err
}

// StatusLine is one line of progress while waiting, e.g.
// "layer alice:rivers UPDATING: file SUCCESS, db STARTED".
func StatusLine(kind string, ref client.Ref, st upload.Status) string {
	parts := make([]string, 0, len(st.Sources))
	for _, src := range st.Sources {
		parts = append(parts, src.Name+" "+src.Status)
	}
	line := fmt.Sprintf("%s %s %s", kind, ref, st.Publication)
	if len(parts) > 0 {
		line += ": " + strings.Join(parts, ", ")
	}
	return line
}
