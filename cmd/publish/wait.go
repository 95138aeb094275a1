package publish

import (
	"context"
	"errors"
	"fmt"

	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/client/upload"
	"github.com/laymanctl/laymanctl/cmd/cli"
	"github.com/laymanctl/laymanctl/cmd/publications"
)

// wait polls until processing ends, prints the final state, and returns an
// *upload.IncompleteError (exit 5) when it ended INCOMPLETE. Status changes
// go to stderr for a person at a terminal.
func (s *session) wait(ctx context.Context, kind string, ref client.Ref, w WaitPolicy) error {
	waitCtx := ctx
	if w.Timeout > 0 {
		var cancel context.CancelFunc
		waitCtx, cancel = context.WithTimeout(ctx, w.Timeout)
		defer cancel()
	}
	onStatus, stop := publications.WaitReporter(s.io, s.quiet, kind, ref)
	st, err := upload.Wait(waitCtx, s.client, ref, kind, onStatus)
	stop()
	if st != nil && st.Final() {
		if perr := s.printer.Print(st.Raw, func() cli.Table { return publications.SummaryTable(st.Raw, ref, st.Publication) }); perr != nil {
			return perr
		}
	}
	var incomplete *upload.IncompleteError
	if err == nil || errors.As(err, &incomplete) {
		return err
	}
	if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("%s %s still processing after %s: %w", kind, ref, w.Timeout, err)
	}
	// The data is on the server; only the waiting stopped.
	return &cli.ExitError{Code: cli.ExitFailure, Err: err,
		Hint: fmt.Sprintf("The %s was sent and the server keeps processing it; follow it with `laymanctl %ss wait %s`.", kind, kind, ref)}
}
