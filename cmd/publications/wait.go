package publications

import (
	"context"
	"errors"
	"fmt"
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
		Example: fmt.Sprintf("  laymanctl %s wait alice:rivers --timeout 10m", kind.Plural),
		Args:    cli.ExactArgs(1, "REF"),
		RunE: func(c *cobra.Command, args []string) error {
			refs, err := cli.ParseRefs(args)
			if err != nil {
				return err
			}
			if opts.Timeout < 0 {
				return cli.Usagef("--timeout must not be negative")
			}
			opts.Ref = refs[0]
			return runF(c.Context(), f, opts)
		},
	}
	c.Flags().DurationVar(&opts.Timeout, "timeout", 0, "give up after this long, e.g. 10m (0: no limit)")
	return c
}

// RunWait polls until processing ends and prints the final state.
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
	var onStatus func(upload.Status)
	if f.IO.ErrTTY && !f.Flags.Quiet {
		onStatus = func(st upload.Status) { fmt.Fprintln(f.IO.ErrOut, describeStatus(st)) }
	}
	st, err := upload.Wait(waitCtx, c, opts.Ref, opts.Kind.Singular, onStatus)
	if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s %s still processing after %s: %w", opts.Kind.Singular, opts.Ref, opts.Timeout, err)
	}
	if st != nil && st.Final() {
		if perr := p.Print(st.Raw, func() cli.Table { return statusTable(st) }); perr != nil {
			return perr
		}
	}
	return err
}

func describeStatus(st upload.Status) string {
	s := st.Publication
	for _, src := range st.Sources {
		s += fmt.Sprintf("  %s: %s", src.Name, src.Status)
	}
	return s
}

func statusTable(st *upload.Status) cli.Table {
	t := cli.Table{Header: []string{"SOURCE", "STATUS", "ERROR"}, Rows: [][]string{{"publication", st.Publication, ""}}}
	for _, src := range st.Sources {
		t.Rows = append(t.Rows, []string{src.Name, src.Status, oneLine(src.ErrorText())})
	}
	return t
}
