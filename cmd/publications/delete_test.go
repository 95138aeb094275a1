package publications_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

// One REF that fails must not keep the others from being deleted.
func TestDeleteTriesEveryRef(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		for _, kind := range []struct{ plural, singular string }{{"layers", "layer"}, {"maps", "map"}} {
			seed := h.SeedLayer
			if kind.plural == "maps" {
				seed = h.SeedMap
			}
			seed("first", "First")
			seed("last", "Last")

			r := h.Run(kind.plural, "delete", "alice:first", "alice:nonexist", "alice:last", "--yes")
			if r.Code != 1 {
				t.Errorf("%s: exit %d, want 1:\n%s", kind.plural, r.Code, r)
			}
			for _, want := range []string{
				"Deleted " + kind.singular + " alice:first\n",
				"error: deleting " + kind.singular + " alice:nonexist: ",
				"Deleted " + kind.singular + " alice:last\n",
			} {
				if !strings.Contains(r.Stderr, want) {
					t.Errorf("%s: stderr lacks %q:\n%s", kind.plural, want, r)
				}
			}
			if n := strings.Count(r.Stderr, "error:"); n != 1 {
				t.Errorf("%s: %d error lines, want 1:\n%s", kind.plural, n, r)
			}
			for _, ref := range []string{"alice:first", "alice:last"} {
				if _, ok := h.Server.Publication(kind.singular + ":" + ref); ok {
					t.Errorf("%s: %s survived", kind.plural, ref)
				}
			}

			// As data: what was deleted, and still exit 1.
			// By UUID: Layman 3.x answers a DELETE with {url, uuid} only.
			kept := seed("kept", "Kept")
			r = h.Run(kind.plural, "delete", "alice:nonexist", "alice:kept", "--yes", "--jq", ".[].uuid")
			if r.Code != 1 || r.Stdout != kept.UUID+"\n" || !strings.Contains(r.Stderr, "error: deleting "+kind.singular+" alice:nonexist: ") {
				t.Errorf("%s with --jq:\n%s", kind.plural, r)
			}
		}
	})
}

// A single REF keeps the error's own wording and exit code.
func TestDeleteSingleMissingRef(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		r := h.Run("layers", "delete", "alice:nonexist", "--yes", "-o", "json")
		if r.Code != 1 || strings.Count(r.Stderr, "error: deleting layer alice:nonexist: ") != 1 || r.Stdout != "" {
			t.Errorf("single missing ref:\n%s", r)
		}
		var v any
		if r.Stdout != "" && json.Unmarshal([]byte(r.Stdout), &v) == nil {
			t.Errorf("printed data for nothing deleted:\n%s", r)
		}
	})
}
