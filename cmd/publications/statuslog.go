package publications

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/client/upload"
	"github.com/laymanctl/laymanctl/cmd/cli"
)

// StatusPeriod is how often a log repeats the latest status: CI services
// kill jobs that print nothing for 10 minutes (CircleCI) or so.
const StatusPeriod = 30 * time.Second

// Ticks starts the clock of StatusLog; tests replace it to tick on demand.
var Ticks = func() (<-chan time.Time, func()) {
	t := time.NewTicker(StatusPeriod)
	return t.C, t.Stop
}

// StatusLog writes status lines for a log rather than a person: each
// announced change at once, and the latest line again at every tick, so
// that a long upload or wait never leaves the log silent.
type StatusLog struct {
	out   io.Writer
	start time.Time

	mu   sync.Mutex
	line string

	done chan struct{}
	wg   sync.WaitGroup
}

// NewStatusLog starts repeating lines on out until Stop.
func NewStatusLog(out io.Writer) *StatusLog {
	l := &StatusLog{out: out, start: time.Now(), done: make(chan struct{})}
	ticks, stop := Ticks()
	l.wg.Go(func() {
		defer stop()
		for {
			select {
			case <-ticks:
				l.mu.Lock()
				if l.line != "" {
					fmt.Fprintf(l.out, "%s (%s elapsed)\n", l.line, time.Since(l.start).Round(time.Second))
				}
				l.mu.Unlock()
			case <-l.done:
				return
			}
		}
	})
	return l
}

// Set makes line the latest status, printing it at once when announce.
func (l *StatusLog) Set(line string, announce bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.line = line
	if announce {
		fmt.Fprintln(l.out, line)
	}
}

// Stop ends the repetition; a tick already taken is printed first.
func (l *StatusLog) Stop() {
	close(l.done)
	l.wg.Wait()
}

// WaitReporter is how a wait reports on stderr: every change on a
// terminal; on a log also the latest state at every tick; nothing when
// quiet. stop must be called when the wait ends.
func WaitReporter(io *cli.IOStreams, quiet bool, kind string, ref client.Ref) (onStatus func(upload.Status), stop func()) {
	switch {
	case quiet:
		return nil, func() {}
	case io.ErrTTY:
		// Escaped before laymanctl adds colours of its own.
		return func(st upload.Status) {
			fmt.Fprintln(io.ErrOut, io.Colorize(cli.TerminalSafe(StatusLine(kind, ref, st))))
		}, func() {}
	}
	l := NewStatusLog(io.ErrOut)
	return func(st upload.Status) { l.Set(StatusLine(kind, ref, st), true) }, l.Stop
}

// DefaultLogTimeout bounds a wait nobody watches (stderr not a terminal):
// a stuck server must not hang a CI job for ever.
const DefaultLogTimeout = 30 * time.Minute

// TimeoutHelp documents --timeout for every command that waits.
const TimeoutHelp = "give up waiting after this long, e.g. 10m; " + TimeoutDefault

// BusyTimeoutHelp documents --timeout for the commands that change a
// publication: Layman refuses a change while the publication is still
// being processed (error 49), and the same limit bounds that wait.
const BusyTimeoutHelp = "give up waiting after this long, e.g. 10m: while Layman is still processing the publication (error 49) before the change is sent, and with --wait for the processing of the change; " + TimeoutDefault

// TimeoutDefault says what --timeout defaults to.
const TimeoutDefault = "0 waits for ever (default: none on a terminal, otherwise LAYMAN_WAIT_TIMEOUT or 30m)"

// WaitTimeout is --timeout when given, else no limit for a person at a
// terminal, else LAYMAN_WAIT_TIMEOUT, else DefaultLogTimeout.
func WaitTimeout(f *cli.Factory, given bool, flag time.Duration) (time.Duration, error) {
	if flag < 0 {
		return 0, cli.Usagef("--timeout must not be negative")
	}
	if given || f.IO.ErrTTY {
		return flag, nil
	}
	if v := f.Env("LAYMAN_WAIT_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return 0, cli.Usagef("LAYMAN_WAIT_TIMEOUT=%q is not a duration such as 30m", v)
		}
		return d, nil
	}
	return DefaultLogTimeout, nil
}
