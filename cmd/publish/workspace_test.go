package publish_test

import (
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

func TestWorkspaceDefaultsToTheUsersOwn(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		rivers := write(t, t.TempDir(), "rivers.geojson", []byte(`{"type":"FeatureCollection","features":[]}`))
		r := h.RunWith(cmdtest.RunOptions{ErrTTY: true}, "layers", "publish", rivers, "--no-wait")
		if r.Code != 0 || !strings.Contains(r.Stderr, "Workspace: alice (your own; --workspace chooses another)") {
			t.Fatalf("publish without --workspace:\n%s", r)
		}
		if _, ok := h.Server.Publication("layer:alice:rivers"); !ok {
			t.Error("the layer is not in alice's workspace")
		}

		// Anonymous: no workspace of one's own, refused before any request.
		h.Server.ResetRequests()
		r = h.Run("layers", "publish", rivers, "--anonymous")
		if r.Code != 2 || !strings.Contains(r.Stderr, "anonymous caller has no workspace of its own") {
			t.Errorf("anonymous:\n%s", r)
		}
		h.ExpectNoRequests()
	})
}
