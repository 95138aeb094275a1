package cli

import (
	"bufio"
	"fmt"
	"strings"
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
	r, size := utf8.DecodeRuneInString(action)
	fmt.Fprintf(io.ErrOut, "%c%s? [y/N] ", unicode.ToUpper(r), action[size:])
	line, err := bufio.NewReader(io.In).ReadString('\n')
	if err != nil && line == "" {
		fmt.Fprintln(io.ErrOut)
		return ErrCancelled
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return nil
	}
	return ErrCancelled
}
