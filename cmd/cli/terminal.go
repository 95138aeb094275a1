package cli

import (
	"fmt"
	"io"
	"strings"
	"unicode"
)

// TerminalSafe escapes control characters (C0 but newline and tab, DEL,
// C1) as \xHH or \uHHHH, so that text from a server (titles, names, error messages) cannot move
// the cursor, recolour the screen, retitle the window or write the
// clipboard of the person reading it.
func TerminalSafe(s string) string {
	if strings.IndexFunc(s, unsafeControl) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case !unsafeControl(r):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

func unsafeControl(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }

// cellSafe is TerminalSafe for a table cell: a tab or newline would break
// the columns, so they become spaces.
func cellSafe(s string) string {
	return TerminalSafe(strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s))
}

// SafeErrOut is ErrOut for messages that quote a server (its errors,
// names, statuses): on a terminal their control characters are escaped as
// TerminalSafe does. Text laymanctl colours itself goes to ErrOut.
func (s *IOStreams) SafeErrOut() io.Writer {
	if !s.ErrTTY {
		return s.ErrOut
	}
	return terminalSafeWriter{s.ErrOut}
}

type terminalSafeWriter struct{ w io.Writer }

func (t terminalSafeWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(t.w, TerminalSafe(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
