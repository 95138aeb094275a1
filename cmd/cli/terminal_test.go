package cli

import (
	"strings"
	"testing"
)

// A title set by another Layman user carries an OSC window-title sequence
// and colours (review L2): on a terminal the table shows them escaped.
func TestTableEscapesControlCharactersOnTerminal(t *testing.T) {
	ios, _, out, _ := Test()
	ios.OutTTY = true
	p, err := NewPrinter(ios, "table", "")
	if err != nil {
		t.Fatal(err)
	}
	title := "\x1b]0;PWNED\a\x1b[31mRED\x1b[0m\u009b2J"
	if err := p.Print([]byte(`{}`), func() Table {
		return Table{Header: []string{"NAME", "TITLE"}, Rows: [][]string{{"rivers", title}}}
	}); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if strings.ContainsAny(got, "\x1b\a\u009b") {
		t.Fatalf("raw control characters reached the terminal: %q", got)
	}
	if !strings.Contains(got, `\x1b]0;PWNED\x07\x1b[31mRED\x1b[0m\x9b2J`) {
		t.Errorf("title not shown escaped: %q", got)
	}
}

func TestTerminalSafeKeepsText(t *testing.T) {
	for in, want := range map[string]string{
		"Řeky a potoky – 2024": "Řeky a potoky – 2024",
		"line one\nline two":   "line one\nline two",
		"bell\a":               `bell\x07`,
		"del\x7f":              `del\x7f`,
	} {
		if got := TerminalSafe(in); got != want {
			t.Errorf("TerminalSafe(%q) = %q, want %q", in, got, want)
		}
	}
}
