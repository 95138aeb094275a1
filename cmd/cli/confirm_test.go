package cli

import (
	"errors"
	"io"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestConfirm(t *testing.T) {
	cases := []struct {
		name        string
		interactive bool
		yes         bool
		answer      string
		want        error
		prompted    bool
	}{
		{"yes flag", false, true, "", nil, false},
		{"y", true, false, "y\n", nil, true},
		{"YES", true, false, " YES \n", nil, true},
		{"n", true, false, "n\n", ErrCancelled, true},
		{"empty means no", true, false, "\n", ErrCancelled, true},
		{"end of input", true, false, "", ErrCancelled, true},
	}
	for _, c := range cases {
		io, in, out, errOut := Test()
		io.InTTY, io.ErrTTY = c.interactive, c.interactive
		in.WriteString(c.answer)
		err := Confirm(io, "delete layer alice:rivers", c.yes)
		if !errors.Is(err, c.want) && err != c.want {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
		if got := strings.Contains(errOut.String(), "Delete layer alice:rivers? [y/N]"); got != c.prompted {
			t.Errorf("%s: prompted %v: %q", c.name, got, errOut.String())
		}
		if out.Len() > 0 {
			t.Errorf("%s: prompt on stdout: %q", c.name, out.String())
		}
	}
}

func TestConfirmNeverPromptsWithoutTerminal(t *testing.T) {
	for _, tty := range [][2]bool{{false, false}, {true, false}, {false, true}} {
		io, in, _, errOut := Test()
		io.InTTY, io.ErrTTY = tty[0], tty[1]
		in.WriteString("y\n")
		err := Confirm(io, "delete user bob", false)
		var ee *ExitError
		if !errors.As(err, &ee) || ee.Code != ExitUsage || !strings.Contains(ee.Hint, "--yes") {
			t.Errorf("stdin tty %v, stderr tty %v: %v", tty[0], tty[1], err)
		}
		if errOut.Len() > 0 || in.Len() == 0 {
			t.Errorf("prompted or read stdin without a terminal")
		}
	}
}

type syncWriter struct {
	mu sync.Mutex
	b  strings.Builder
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// Ctrl-C while the prompt waits for a person who types nothing.
func TestConfirmInterrupted(t *testing.T) {
	stdin, _ := io.Pipe() // never written: nobody answers
	errOut := &syncWriter{}
	ios := &IOStreams{In: stdin, Out: io.Discard, ErrOut: errOut, InTTY: true, ErrTTY: true}
	done := make(chan error, 1)
	go func() { done <- Confirm(ios, "delete layer alice:rivers", false) }()
	// The prompt is printed once the interrupt is watched for.
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(errOut.String(), "[y/N]") {
		if time.Now().After(deadline) {
			t.Fatal("no prompt")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		var exit *ExitError
		if !errors.As(err, &exit) || exit.Code != ExitInterrupted {
			t.Errorf("Confirm = %v, want exit %d", err, ExitInterrupted)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Confirm still waits for an answer after Ctrl-C")
	}
}
