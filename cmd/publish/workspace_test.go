package publish_test

import (
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/client/laymantest"
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

// A login whose user has no Layman username yet (a CI account that never
// ran `auth login`) has no workspace of its own: refused before any
// upload, with a way to reserve the username that works without a browser.
func TestWorkspaceOfAUserWithoutUsername(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{})
	srv := laymantest.New(t, laymantest.Options{Generation: 3, Strict: true,
		Validator: laymantest.StaticTokens{"robot-token": {Sub: "robot"}}})
	t.Setenv("LAYMAN_SERVER", srv.URL)
	t.Setenv("LAYMAN_ACCESS_TOKEN", "robot-token")
	rivers := write(t, t.TempDir(), "rivers.geojson", []byte(`{"type":"FeatureCollection","features":[]}`))
	r := h.Run("layers", "publish", rivers, "--no-wait")
	if r.Code != 2 || !strings.Contains(r.Stderr, "no Layman username yet") ||
		!strings.Contains(r.Stderr, "laymanctl api PATCH rest/current-user -F username=NAME") {
		t.Errorf("publish without a username:\n%s", r)
	}
	for _, req := range srv.Requests() {
		if req.Method != "GET" {
			t.Errorf("sent %s %s", req.Method, req.Path)
		}
	}
}
