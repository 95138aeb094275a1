package cmdtest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

// patches lists the statuses of the PATCH requests the fake answered.
func patches(h *cmdtest.Harness) []int {
	var out []int
	for _, r := range h.Server.Requests() {
		if r.Method == http.MethodPatch {
			out = append(out, r.Status)
		}
	}
	return out
}

// An update of a layer or map Layman is still processing (error 49, e.g.
// right after publish --no-wait) waits for the processing to end, saying
// so, and then sends the change.
func TestUpdateWaitsWhileBusy(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{ProcessingPolls: 3}, func(t *testing.T, h *cmdtest.Harness) {
		for _, c := range []struct{ kind, ref string }{{"layers", "alice:rivers"}, {"maps", "alice:city"}} {
			if c.kind == "layers" {
				h.SeedLayer("rivers", "Rivers")
			} else {
				h.SeedMap("city", "City")
			}
			r := h.Run(c.kind, "update", c.ref, "--title", "New", "--no-wait", "--timeout", "1m")
			if r.Code != 0 || !strings.Contains(r.Stderr, "is still being processed by Layman (error 49); waiting for that to finish") {
				t.Errorf("%s update while processing:\n%s", c.kind, r)
			}
			if got := patches(h); len(got) != 2 || got[0] != http.StatusBadRequest || got[1] != http.StatusOK {
				t.Errorf("%s update sent PATCHes answered %v, want [400 200]", c.kind, got)
			}
			kind := strings.TrimSuffix(c.kind, "s")
			if info, _ := h.Server.Publication(kind + ":" + c.ref); info.Title != "New" {
				t.Errorf("%s title %q after the update", c.kind, info.Title)
			}
		}
	})
}

// A publication still processing when --timeout runs out is left as it
// is: exit 1, nothing changed, and the command that follows it.
func TestUpdateBusyPastTimeout(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{Generation: 3, ProcessingPolls: 1000})
	h.SeedLayer("rivers", "Rivers")
	r := h.Run("layers", "update", "alice:rivers", "--title", "New", "--no-wait", "--timeout", "1s")
	if r.Code != 1 || !strings.Contains(r.Stderr, "Layman was still processing the layer after 1s of waiting, so nothing was changed") ||
		!strings.Contains(r.Stderr, "laymanctl layers wait alice:rivers") {
		t.Errorf("update past --timeout:\n%s", r)
	}
	if info, _ := h.Server.Publication("layer:alice:rivers"); info.Title != "Rivers" {
		t.Errorf("title %q after a refused update", info.Title)
	}
	if got := patches(h); len(got) != 1 {
		t.Errorf("PATCHes answered %v, want one refused", got)
	}
}
