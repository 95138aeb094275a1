package publish

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/client/upload"
	"github.com/laymanctl/laymanctl/cmd/cli"
	"github.com/laymanctl/laymanctl/cmd/publications"
)

// session is what every upload command needs once its input is valid.
type session struct {
	io       *cli.IOStreams
	quiet    bool
	printer  *cli.Printer
	client   *client.Client
	uploader *upload.Uploader
}

func newSession(ctx context.Context, f *cli.Factory, t Transfer) (*session, error) {
	p, err := f.Printer()
	if err != nil {
		return nil, err
	}
	c, err := f.Client(ctx)
	if err != nil {
		return nil, err
	}
	s := &session{
		io:       f.IO,
		quiet:    f.Flags.Quiet,
		printer:  p,
		client:   c,
		uploader: &upload.Uploader{Client: c, ChunkSize: t.ChunkSize, Parallel: t.Parallel, Journal: publications.UploadJournal(f)},
	}
	switch {
	case s.quiet:
	case f.IO.ErrTTY:
		s.uploader.Progress = newBars(f.IO.ErrOut)
	default:
		s.uploader.Progress = newLogProgress(f.IO.ErrOut)
	}
	if !s.quiet {
		s.uploader.Notify = func(msg string) { fmt.Fprintf(f.IO.ErrOut, "note: %s\n", msg) }
	}
	return s, nil
}

// waitWhenBusy makes updates wait out Layman's error 49 (the publication
// is still being processed) for at most w.Timeout, saying so on stderr; a
// wait that runs out exits 1 with the command that follows the processing.
func (s *session) waitWhenBusy(w WaitPolicy) {
	s.uploader.BusyTimeout = w.Timeout
	s.uploader.OnBusy = func(kind string, ref client.Ref) {
		if s.quiet {
			return
		}
		limit := "no time limit; Ctrl-C stops"
		if w.Timeout > 0 {
			limit = "at most " + w.Timeout.String() + ", --timeout"
		}
		fmt.Fprintf(s.io.ErrOut, "%s %s is still being processed by Layman (error 49); waiting for that to finish before sending the change (%s)\n", kind, ref, limit)
	}
}

// busyHint adds to a wait for a busy publication that ran out how to
// follow it, so the change can be sent once it is done.
func busyHint(err error) error {
	var busy *upload.BusyError
	if !errors.As(err, &busy) {
		return err
	}
	return &cli.ExitError{Code: cli.ExitFailure, Err: err,
		Hint: fmt.Sprintf("Follow the processing with `laymanctl %ss wait %s`, then run this command again (or give it a longer --timeout).", busy.Kind, busy.Ref)}
}

// finish reports warnings, waits for processing if asked, and prints the
// publication: after a wait its final state, otherwise its state now.
func (s *session) finish(ctx context.Context, kind string, res *upload.Result, w WaitPolicy) error {
	if !s.quiet {
		for _, msg := range res.Warnings {
			fmt.Fprintf(s.io.SafeErrOut(), "warning: %s\n", msg)
		}
		if res.ChunksPresent > 0 {
			fmt.Fprintf(s.io.ErrOut, "%d chunk(s) were already on the server, %d sent\n", res.ChunksPresent, res.ChunksSent)
		}
	}
	if w.Wait {
		return s.wait(ctx, kind, res.Ref, w)
	}
	raw, err := s.answer(ctx, kind, res)
	if err != nil {
		return err
	}
	return s.printer.Print(raw, func() cli.Table { return publications.SummaryTable(raw, res.Ref, client.StatusUpdating) })
}

// answer is the publication as Layman returns it (GET), never the shorter
// answer to the POST or PATCH: -o json is the same object with and without
// --wait, only the state differs.
func (s *session) answer(ctx context.Context, kind string, res *upload.Result) (json.RawMessage, error) {
	var raw json.RawMessage
	var err error
	if kind == upload.KindMap {
		var m *client.Map
		if m, err = s.client.Maps.Get(ctx, res.Ref); err == nil {
			raw = m.Raw
		}
	} else {
		var l *client.Layer
		if l, err = s.client.Layers.Get(ctx, res.Ref); err == nil {
			raw = l.Raw
		}
	}
	if err != nil {
		return nil, fmt.Errorf("the data was sent, but reading %s %s back failed: %w", kind, res.Ref, err)
	}
	return raw, nil
}
