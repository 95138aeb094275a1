package cli

import (
	"fmt"
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
