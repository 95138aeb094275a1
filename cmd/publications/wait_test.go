package publications_test

import (
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/client/laymantest"
	"github.com/laymanctl/laymanctl/client/upload"
	"github.com/laymanctl/laymanctl/cmd/cli"
	"github.com/laymanctl/laymanctl/cmd/cmdtest"
	"github.com/laymanctl/laymanctl/cmd/publications"
)

// The final row names the publication however REF was given, the way
// publish --wait prints it.
func TestWaitPrintsThePublication(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{ProcessingPolls: 1}, func(t *testing.T, h *cmdtest.Harness) {
		for _, kind := range []struct {
			plural string
			seed   func(name, title string) laymantest.PublicationInfo
		}{{"layers", h.SeedLayer}, {"maps", h.SeedMap}} {
			info := kind.seed("rivers", "Rivers")
			want := "alice\trivers\t" + info.UUID + "\tCOMPLETE\n"
			for _, ref := range []string{"alice:rivers", info.UUID} {
				if r := h.Run(kind.plural, "wait", ref); r.Code != 0 || r.Stdout != want {
					t.Errorf("%s wait %s: stdout %q, want %q\n%s", kind.plural, ref, r.Stdout, want, r)
				}
			}

			r := h.RunWith(cmdtest.TTY(""), kind.plural, "wait", info.UUID)
			lines := strings.Split(r.Stdout, "\n")
			if r.Code != 0 || len(lines) != 3 || !strings.HasPrefix(lines[0], "WORKSPACE") ||
				strings.Join(strings.Fields(lines[1]), " ") != "alice rivers "+info.UUID+" COMPLETE" {
				t.Errorf("%s wait on a terminal:\n%s", kind.plural, r)
			}
			if !strings.Contains(r.Stderr, strings.TrimSuffix(kind.plural, "s")+" "+info.UUID+" COMPLETE") {
				t.Errorf("%s wait: status line does not name the publication:\n%s", kind.plural, r)
			}
		}
	})
}

func TestWaitIncompleteRow(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		info := h.SeedLayer("rivers", "Rivers")
		h.Server.SetIncomplete(info.UUID, "wms", laymantest.ErrorJSON(53, nil))
		r := h.Run("layers", "wait", "alice:rivers")
		if r.Code != 5 || r.Stdout != "alice\trivers\t"+info.UUID+"\tINCOMPLETE\n" || !strings.Contains(r.Stderr, "wms") {
			t.Errorf("incomplete:\n%s", r)
		}
	})
}

// On a terminal the status line quotes Layman's names and statuses: control
// characters a server sends are shown escaped, never obeyed.
func TestWaitReporterEscapesServerText(t *testing.T) {
	ios, _, _, errOut := cli.Test()
	ios.ErrTTY, ios.NoColor = true, true
	ref, err := client.ParseRef("alice:rivers")
	if err != nil {
		t.Fatal(err)
	}
	onStatus, stop := publications.WaitReporter(ios, false, "layer", ref)
	onStatus(upload.Status{Publication: "UPDATING", Sources: []upload.Source{{Name: "wms\x1b]0;PWNED\x07", Status: "STARTED\x1b[2J"}}})
	stop()
	if got := errOut.String(); strings.ContainsAny(got, "\x1b\x07") || !strings.Contains(got, `wms\x1b]0;PWNED\x07 STARTED\x1b[2J`) {
		t.Errorf("status line %q, want the control characters escaped", got)
	}
}
