package cli

import (
	"strings"
)

// ANSI colours of Layman's status words: done, in progress, failed.
const (
	green  = "\x1b[32m"
	yellow = "\x1b[33m"
	red    = "\x1b[31m"
	reset  = "\x1b[0m"
)

var statusColors = map[string]string{
	"COMPLETE": green, "SUCCESS": green, "AVAILABLE": green,
	"UPDATING": yellow, "PENDING": yellow, "STARTED": yellow,
	"INCOMPLETE": red, "FAILURE": red, "NOT_AVAILABLE": red,
}

// ColorOut reports whether stdout may carry colours: a terminal, and
// neither --no-color nor NO_COLOR.
func (s *IOStreams) ColorOut() bool { return s.OutTTY && !s.NoColor }

// colorStatus colours s when it is one of Layman's status words.
func colorStatus(s string) string {
	if c, ok := statusColors[s]; ok {
		return c + s + reset
	}
	return s
}

// Colorize colours the status words of a line for stderr, e.g. a progress
// line "layer alice:rivers UPDATING: file SUCCESS, db STARTED"; it returns
// the line as it is when stderr takes no colour.
func (s *IOStreams) Colorize(line string) string {
	if !s.ColorEnabled() {
		return line
	}
	words := strings.Fields(line)
	for i, w := range words {
		word := strings.TrimRight(w, ":,")
		words[i] = colorStatus(word) + w[len(word):]
	}
	return strings.Join(words, " ")
}
