package publish_test

import (
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

// An update that changes nothing is refused before any request: an empty
// PATCH would make Layman process the publication again.
func TestUpdateWithoutChangeSendsNothing(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		h.SeedLayer("rivers", "Rivers")
		h.SeedMap("city", "City")
		for _, args := range [][]string{
			{"layers", "update", "alice:rivers"},
			{"layers", "update", "alice:rivers", "--wait", "--chunk-size", "1MiB"},
			{"layers", "update", "alice:rivers", "--title", ""},
			{"maps", "update", "alice:city"},
			{"maps", "update", "alice:city", "--no-wait"},
		} {
			r := h.Run(args...)
			if r.Code != 2 || !strings.Contains(r.Stderr, "nothing to update: give ") || !strings.Contains(r.Stderr, "--title") {
				t.Errorf("%v:\n%s", args, r)
			}
			h.ExpectNoRequests()
		}
		// One flag is enough.
		if r := h.Run("layers", "update", "alice:rivers", "--title", "Rivers 2024", "--no-wait"); r.Code != 0 {
			t.Errorf("layers update --title:\n%s", r)
		}
		if r := h.Run("maps", "update", "alice:city", "--read", "EVERYONE", "--no-wait"); r.Code != 0 {
			t.Errorf("maps update --read:\n%s", r)
		}
	})
}
