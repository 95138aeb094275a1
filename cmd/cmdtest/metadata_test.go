package cmdtest_test

import (
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

// metadata-comparison shows Layman's comparison of a layer's or map's
// metadata sources; the endpoint is by workspace and name in every
// generation, so a UUID REF is looked up first.
func TestMetadataComparison(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		h.SeedLayer("rivers", "Rivers")
		r := h.Run("layers", "metadata-comparison", "alice:rivers")
		if r.Code != 0 || !strings.Contains(r.Stdout, "title\tyes\ts1: \"Rivers\"") {
			t.Errorf("layers metadata-comparison:\n%s", r)
		}
		city := h.SeedMap("city", "City")
		r = h.Run("maps", "metadata-comparison", city.UUID, "--jq", ".metadata_properties.title.equal")
		if r.Code != 0 || strings.TrimSpace(r.Stdout) != "true" {
			t.Errorf("maps metadata-comparison by UUID:\n%s", r)
		}
		if reqs := strings.Join(h.Requests(), "\n"); !strings.Contains(reqs, "GET /rest/workspaces/alice/maps/city/metadata-comparison") {
			t.Errorf("requests:\n%s", reqs)
		}
	})
}
