package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Prompt asks question on stderr and reads one line from stdin, unbuffered
// so that what follows the line stays for later reads. Only for a person
// at a terminal: callers check IOStreams.Interactive.
func Prompt(ctx context.Context, ios *IOStreams, question string) (string, error) {
	fmt.Fprint(ios.ErrOut, question)
	type answer struct {
		line string
		err  error
	}
	answers := make(chan answer, 1)
	go func() {
		var b strings.Builder
		one := make([]byte, 1)
		for {
			n, err := ios.In.Read(one)
			if n == 1 && one[0] != '\n' {
				b.WriteByte(one[0])
			}
			if (n == 1 && one[0] == '\n') || err != nil {
				if err != nil && b.Len() == 0 {
					answers <- answer{"", err}
					return
				}
				answers <- answer{strings.TrimSpace(b.String()), nil}
				return
			}
		}
	}()
	select {
	case a := <-answers:
		if errors.Is(a.err, io.EOF) {
			return "", ErrCancelled
		}
		return a.line, a.err
	case <-ctx.Done():
		fmt.Fprintln(ios.ErrOut)
		return "", ctx.Err()
	}
}
