package cli

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"unicode"
	"unicode/utf8"
)

// Confirm asks whether to do action (e.g. "delete layer alice:rivers") on
// stderr and reads the answer from stdin. With yes it asks nothing. Without
// a person at a terminal it never prompts: it refuses with a usage error
// naming --yes, so scripts fail fast instead of hanging on a read. A
// declined prompt is ErrCancelled.
func Confirm(io *IOStreams, action string, yes bool) error {
	if yes {
		return nil
	}
	if !io.Interactive() {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("refusing to %s without confirmation", action),
			Hint: "Pass --yes to confirm when not running on a terminal."}
	}
	// Ctrl-C must end the wait at once, not after the next Enter: the read
	// runs aside while the prompt listens for the interrupt too.
	interrupt := make(chan os.Signal, 1)
	signal.Notify(interrupt, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(interrupt)
	r, size := utf8.DecodeRuneInString(action)
	fmt.Fprintf(io.ErrOut, "%c%s? [y/N] ", unicode.ToUpper(r), action[size:])
	type answer struct {
		line string
		err  error
	}
	answers := make(chan answer, 1)
	go func() {
		line, err := bufio.NewReader(io.In).ReadString('\n')
		answers <- answer{line, err}
	}()
	var a answer
	select {
	case a = <-answers:
	case <-interrupt:
		fmt.Fprintln(io.ErrOut)
		return &ExitError{Code: ExitInterrupted, Err: errors.New("interrupted")}
	}
	if a.err != nil && a.line == "" {
		fmt.Fprintln(io.ErrOut)
		return ErrCancelled
	}
	switch strings.ToLower(strings.TrimSpace(a.line)) {
	case "y", "yes":
		return nil
	}
	return ErrCancelled
}
