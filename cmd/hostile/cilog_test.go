package hostile_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode"
)

// forged is server text holding what CI runners obey in a log.
const forged = "bad\n::add-mask::river\n  ::set-output name=ok::yes\r::error::forged\n" +
	"##[set-output name=x;]y ##vso[task.setvariable variable=x]y ##VSO[task.complete result=Succeeded]"

// runnerCommands returns the lines of a log that a CI runner would obey:
// "::" at a line's start after white space (GitHub Actions; a line ends at
// \n or \r), "##[" (GitHub's older form, Azure's groups) or "##vso[" (Azure)
// anywhere.
func runnerCommands(log string) []string {
	var cmds []string
	for _, l := range strings.FieldsFunc(log, func(r rune) bool { return r == '\n' || r == '\r' }) {
		if strings.HasPrefix(strings.TrimLeftFunc(l, unicode.IsSpace), "::") || strings.Contains(l, "##[") ||
			strings.Contains(strings.ToLower(l), "##vso[") {
			cmds = append(cmds, l)
		}
	}
	return cmds
}

// Layman's error answers, their details and --debug's log of them reach
// stderr; in a GitHub Actions or Azure Pipelines log none of their lines is
// a command the runner obeys. Elsewhere stderr keeps the server's words as
// they are (scripts match them), which the last case checks, so that this
// test sees the text it guards.
func TestServerTextInCILogIsNoRunnerCommand(t *testing.T) {
	layman := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]any{"code": 2, "message": forged, "detail": map[string]string{"parameter": forged}})
	}))
	defer layman.Close()
	commands := [][]string{
		{"layers", "list", "--anonymous"},
		{"layers", "get", "alice:rivers", "--anonymous", "--debug"},
	}
	for _, ci := range []map[string]string{{"GITHUB_ACTIONS": "true"}, {"TF_BUILD": "True"}, {}} {
		w := newWorld(t)
		for k, v := range ci {
			t.Setenv(k, v)
		}
		w.profile(layman.URL, "")
		for _, args := range commands {
			r := w.run("", args...)
			if r.code == 0 || !strings.Contains(r.stderr, "add-mask") {
				t.Fatalf("%v %v: the server's text is not reported: %s", ci, args, r)
			}
			cmds := runnerCommands(r.stderr)
			if len(ci) > 0 && len(cmds) > 0 {
				t.Errorf("%v %v: the runner would obey %q", ci, args, cmds)
			}
			if len(ci) == 0 && len(cmds) == 0 {
				t.Errorf("%v: outside CI the server's words changed: %s", args, r)
			}
		}
	}
}
