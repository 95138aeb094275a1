package cli

import (
	"bytes"
	"strings"
	"testing"
)

// hostileLines are server texts that a CI runner would take for commands.
var hostileLines = []string{
	"::add-mask::river",
	"  \t::set-output name=ok::yes",
	"\u3000::stop-commands::tok", // white space the runner trims too
	"title\r::error::forged",     // a carriage return ends a line for the runner
	"a ##[set-output name=x;]y",
	"b ##vso[task.setvariable variable=x]y",
	"c ##VSO[task.complete result=Succeeded]",
	"##[group]hidden",
	"\x1b[0Ksection_start:1:fake\r\x1b[0Kfake section",
}

// guardedLines is hostileLines as a CI runner gets them: each marker
// broken by a backslash, control characters escaped.
const guardedLines = `:\:add-mask::river
  	:\:set-output name=ok::yes
` + "\u3000" + `:\:stop-commands::tok
title\x0d::error::forged
a ##\[set-output name=x;]y
b ##vso\[task.setvariable variable=x]y
c ##VSO\[task.complete result=Succeeded]
##\[group]hidden
\x1b[0Ksection_start:1:fake\x0d\x1b[0Kfake section
`

func guarded(env map[string]string, tty bool) (*IOStreams, *bytes.Buffer) {
	ios, _, _, errOut := Test()
	ios.ErrTTY = tty
	ios.GuardCILog(func(k string) string { return env[k] })
	return ios, errOut
}

func TestCILogBreaksRunnerCommands(t *testing.T) {
	all := strings.Join(hostileLines, "\n") + "\n"
	for _, env := range []map[string]string{{"GITHUB_ACTIONS": "true"}, {"TF_BUILD": "True"}, {"GITLAB_CI": "true"}} {
		// Whole, and a byte at a time: a marker or a rune split across
		// writes is judged whole.
		for _, split := range []bool{false, true} {
			ios, errOut := guarded(env, false)
			if split {
				for i := range len(all) {
					ios.ErrOut.Write([]byte{all[i]})
				}
			} else {
				ios.ErrOut.Write([]byte(all))
			}
			if errOut.String() != guardedLines {
				t.Errorf("%v, split %v: got\n%s\nwant\n%s", env, split, errOut, guardedLines)
			}
		}
	}
}

// Outside those CIs stderr is left as it is (scripts match error texts),
// and so is text that only looks like a marker.
func TestCILogLeavesOtherText(t *testing.T) {
	all := strings.Join(hostileLines, "\n")
	for _, env := range []map[string]string{nil, {"CI": "true"}, {"GITHUB_ACTIONS": "false"}} {
		ios, errOut := guarded(env, false)
		ios.ErrOut.Write([]byte(all))
		if errOut.String() != all {
			t.Errorf("%v: %q", env, errOut)
		}
	}
	plain := "error: a:b ::c # [d] ##e [##]\n  x :: y\nřeka\n\xff\xfe\n"
	ios, errOut := guarded(map[string]string{"GITHUB_ACTIONS": "true"}, false)
	ios.ErrOut.Write([]byte(plain))
	if errOut.String() != plain {
		t.Errorf("changed %q to %q", plain, errOut)
	}
}

// On a terminal, colours are laymanctl's own and server text is escaped
// already: only the markers are broken.
func TestCILogOnATerminalKeepsColours(t *testing.T) {
	ios, errOut := guarded(map[string]string{"GITHUB_ACTIONS": "true"}, true)
	ios.GuardCILog(func(string) string { return "true" }) // once is enough
	ios.ErrOut.Write([]byte("\x1b[31merror:\x1b[0m x\n::warning::y\n"))
	if want := "\x1b[31merror:\x1b[0m x\n:\\:warning::y\n"; errOut.String() != want {
		t.Errorf("got %q, want %q", errOut, want)
	}
}
