package cmd_test

import (
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

const greenComplete = "\x1b[32mCOMPLETE\x1b[0m"

// Status words are coloured on a terminal, in tables on stdout and in
// status lines on stderr, unless --no-color or NO_COLOR; never in pipes.
func TestStatusWordsAreColouredOnATerminalOnly(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{ProcessingPolls: 1})
	info := h.SeedLayer("rivers", "Rivers")
	colourTTY := cmdtest.RunOptions{InTTY: true, OutTTY: true, ErrTTY: true, Color: true}

	r := h.RunWith(colourTTY, "layers", "wait", info.UUID)
	if r.Code != 0 || !strings.Contains(r.Stdout, greenComplete) || !strings.Contains(r.Stderr, "layer "+info.UUID+" "+greenComplete) {
		t.Errorf("no colour on a terminal:\n%q\n%q", r.Stdout, r.Stderr)
	}
	// Colour does not upset the alignment: the header and the row have
	// their columns at the same places.
	lines := strings.Split(strings.ReplaceAll(strings.ReplaceAll(r.Stdout, "\x1b[32m", ""), "\x1b[0m", ""), "\n")
	if strings.Index(lines[0], "STATUS") != strings.Index(lines[1], "COMPLETE") {
		t.Errorf("columns misaligned:\n%s", r.Stdout)
	}

	for name, run := range map[string]func() cmdtest.Result{
		"--no-color": func() cmdtest.Result { return h.RunWith(colourTTY, "--no-color", "layers", "wait", info.UUID) },
		"NO_COLOR": func() cmdtest.Result {
			t.Setenv("NO_COLOR", "1")
			defer t.Setenv("NO_COLOR", "")
			return h.RunWith(colourTTY, "layers", "wait", info.UUID)
		},
		"a pipe": func() cmdtest.Result {
			return h.RunWith(cmdtest.RunOptions{Color: true}, "layers", "wait", info.UUID)
		},
	} {
		r := run()
		if r.Code != 0 || strings.Contains(r.Stdout+r.Stderr, "\x1b[") || !strings.Contains(r.Stdout, "COMPLETE") {
			t.Errorf("%s: colour or no status:\n%q\n%q", name, r.Stdout, r.Stderr)
		}
	}
}

// On a narrow terminal (the row takes 170 columns) the title is cut with an ellipsis and the names and
// UUIDs stay whole; -o wide shows everything; a pipe is never cut.
func TestTablesFitTheTerminal(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{})
	long := "Rivers and streams of Bohemia, Moravia and Silesia digitised from 1:10000 maps"
	info := h.SeedLayer("rivers", long)
	narrow := cmdtest.RunOptions{OutTTY: true, Width: 120}

	r := h.RunWith(narrow, "layers", "list")
	lines := strings.Split(strings.TrimSuffix(r.Stdout, "\n"), "\n")
	if r.Code != 0 || len(lines) != 2 {
		t.Fatalf("layers list:\n%s", r)
	}
	for _, l := range lines {
		if n := len([]rune(l)); n > 120 {
			t.Errorf("%d columns on a 120-column terminal: %s", n, l)
		}
	}
	if !strings.Contains(lines[1], "…") || strings.Contains(lines[1], long) || !strings.Contains(lines[1], info.UUID) || !strings.HasPrefix(strings.Join(strings.Fields(lines[1]), " "), "alice rivers Rivers and") {
		t.Errorf("title not cut, or a name or the UUID cut:\n%s", r.Stdout)
	}
	if r := h.RunWith(narrow, "layers", "list", "-o", "wide"); !strings.Contains(r.Stdout, long) || !strings.Contains(r.Stdout, info.UUID) {
		t.Errorf("-o wide cut something:\n%s", r)
	}
	if r := h.RunWith(cmdtest.RunOptions{Width: 120}, "layers", "list"); !strings.Contains(r.Stdout, "\t"+long+"\t") {
		t.Errorf("a pipe got a cut title:\n%s", r)
	}
	if r := h.RunWith(cmdtest.RunOptions{OutTTY: true}, "layers", "list"); !strings.Contains(r.Stdout, long) {
		t.Errorf("unknown width cut the title:\n%s", r)
	}
}
