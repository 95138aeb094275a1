// Package cli holds what every laymanctl command shares: IO streams, the
// lazy Factory, output formatting and the errors that carry exit codes.
package cli

import (
	"bytes"
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams separates data (Out) from everything else (ErrOut) and knows
// which ends are terminals, so decorations appear only for people.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	InTTY, OutTTY, ErrTTY bool
	// NoColor is set by --no-color or the NO_COLOR variable (at the root
	// command, which reads the Factory's environment).
	NoColor bool
	// Width is the terminal's width in columns when stdout is one, else 0;
	// tables are fitted to it.
	Width int
}

// System returns the process's standard streams.
func System() *IOStreams {
	isTTY := func(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
	s := &IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		InTTY: isTTY(os.Stdin), OutTTY: isTTY(os.Stdout), ErrTTY: isTTY(os.Stderr),
	}
	if s.OutTTY {
		s.Width, _, _ = term.GetSize(int(os.Stdout.Fd()))
	}
	return s
}

// Test returns streams backed by buffers: stdin, stdout and stderr. No end is
// a terminal, and a terminal takes no colour, unless the test says so.
func Test() (*IOStreams, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	in, out, errOut := &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut, NoColor: true}, in, out, errOut
}

// Interactive reports whether a person can answer a prompt.
func (s *IOStreams) Interactive() bool { return s.InTTY && s.ErrTTY }

// ColorEnabled reports whether stderr may carry colours.
func (s *IOStreams) ColorEnabled() bool { return s.ErrTTY && !s.NoColor }
