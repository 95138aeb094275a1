package cli

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// ciLog reports whether stderr is the log of a CI service that reads
// commands or terminal escapes out of it: GitHub Actions (GITHUB_ACTIONS),
// Azure Pipelines (TF_BUILD) or GitLab CI (GITLAB_CI).
func ciLog(env func(string) string) bool {
	set := func(v string) bool { return strings.EqualFold(v, "true") } // Azure says True
	return set(env("GITHUB_ACTIONS")) || set(env("TF_BUILD")) || set(env("GITLAB_CI"))
}

// GuardCILog makes ErrOut, in a CI log (ciLog), keep server text from
// acting on the runner. Messages quote servers (their errors, titles,
// --debug bodies), and runners obey lines they read:
//   - GitHub Actions: "::command::" at a line's start after white space,
//     and the older "##[command]" anywhere in a line;
//   - Azure Pipelines: "##vso[command]" anywhere, "##[group]" and the like;
//   - GitLab CI: section markers made of escape sequences.
//
// Each marker is broken by a backslash before its last character (":\:",
// "##\[", "##vso\["), so the text stays readable. Unless stderr is a
// terminal, where server text is escaped already and colours are
// laymanctl's own, control characters are escaped as TerminalSafe does: a
// "\r" would start a new line for the runner. Stdout is left as it is: it
// is the data asked for, which scripts and files take byte for byte.
func (s *IOStreams) GuardCILog(env func(string) string) {
	if _, done := s.ErrOut.(*ciLogWriter); done || !ciLog(env) {
		return
	}
	s.ErrOut = &ciLogWriter{w: s.ErrOut, escape: !s.ErrTTY, blank: true}
}

// ciLogWriter keeps the state of the current line across writes, which
// may come from several goroutines.
type ciLogWriter struct {
	w      io.Writer
	escape bool

	mu sync.Mutex
	// blank: the line so far is white space only; colon: and then one ':'.
	blank, colon bool
	// tail holds the line's last bytes, up to len("##vso").
	tail []byte
	// partial is the start of a rune whose end is yet to be written.
	partial []byte
}

func (c *ciLogWriter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b bytes.Buffer
	rest := append(c.partial, p...)
	for len(rest) > 0 {
		if !utf8.FullRune(rest) {
			// A rune split across writes (white space the runner trims,
			// perhaps): judged with its next bytes. An incomplete one at
			// the very end is not text anyway.
			break
		}
		r, n := utf8.DecodeRune(rest)
		if r == utf8.RuneError && n == 1 {
			// Not UTF-8: kept as it is.
			r = -1
		}
		c.emit(&b, r, rest[:n])
		rest = rest[n:]
	}
	c.partial = append(c.partial[:0], rest...)
	if _, err := c.w.Write(b.Bytes()); err != nil {
		return 0, err
	}
	return len(p), nil
}

// emit writes rune r, whose bytes are raw, breaking any marker it ends.
func (c *ciLogWriter) emit(b *bytes.Buffer, r rune, raw []byte) {
	out := raw
	switch {
	case c.escape && r >= 0 && unsafeControl(r):
		out = []byte(TerminalSafe(string(r)))
	case c.colon && r == ':':
		out = []byte(`\:`)
	case r == '[' && (bytes.HasSuffix(c.tail, []byte("##")) || bytes.EqualFold(c.tail, []byte("##vso"))):
		out = []byte(`\[`)
	}
	b.Write(out)
	switch {
	case r == '\n':
		c.blank, c.colon, c.tail = true, false, c.tail[:0]
		return
	case len(out) != len(raw): // escaped or broken: no marker goes on
		c.blank, c.colon = false, false
	default:
		c.colon = c.blank && r == ':'
		c.blank = c.blank && unicode.IsSpace(r)
	}
	c.tail = append(c.tail, out...)
	if len(c.tail) > len("##vso") {
		c.tail = append(c.tail[:0], c.tail[len(c.tail)-len("##vso"):]...)
	}
}
