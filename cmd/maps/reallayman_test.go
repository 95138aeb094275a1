package maps_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/client/laymantest/reallayman"
	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

func TestMain(m *testing.M) { os.Exit(reallayman.Run(m)) }

// Real Layman validates the composition against its schema and finds its
// own layers in it: the map lists as COMPLETE-or-INCOMPLETE (thumbnails
// cannot render there) and each layer names the map in used_in_maps.
func TestCreateIsAcceptedByRealLayman(t *testing.T) {
	cmdtest.AsAliceOnRealLayman(t, func(t *testing.T, s *reallayman.Server, h *cmdtest.Harness, suffix string) {
		for _, name := range []string{"mc_points_" + suffix, "mc_raster_" + suffix} {
			file := map[bool]string{true: "small.geojson", false: "small.tif"}[strings.Contains(name, "points")]
			if r := h.Run("layers", "publish", reallayman.Sample(file), "--name", name, "--wait", "--timeout", "3m"); r.Code != 0 {
				t.Fatalf("publish %s:\n%s", name, r)
			}
		}
		mapName := "mc_map_" + suffix
		r := h.Run("maps", "create", "--title", "Points over raster", "--name", mapName,
			"--layer", "alice:mc_points_"+suffix, "--layer", "alice:mc_raster_"+suffix, "--no-wait", "-o", "json")
		if r.Code != 0 {
			t.Fatalf("create (no --workspace: alice's own):\n%s", r)
		}
		if r := h.Run("maps", "wait", "alice:"+mapName, "--timeout", "2m"); r.Code != 0 && r.Code != 5 {
			t.Fatalf("wait:\n%s", r)
		}
		r = h.Run("maps", "get", "alice:"+mapName, "-o", "json")
		var m struct {
			Title       string
			BoundingBox []float64 `json:"bounding_box"`
			File        struct{ Error any }
		}
		if err := json.Unmarshal([]byte(r.Stdout), &m); err != nil || m.Title != "Points over raster" || len(m.BoundingBox) != 4 || m.File.Error != nil {
			t.Fatalf("map: %v %+v\n%s", err, m, r)
		}
		r = h.Run("layers", "get", "alice:mc_points_"+suffix, "-o", "json")
		var l client.Layer
		if err := json.Unmarshal([]byte(r.Stdout), &l); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, u := range l.UsedInMaps {
			found = found || u.Name == mapName
		}
		if !found {
			t.Errorf("Layman does not see the layer in the map: used_in_maps %+v", l.UsedInMaps)
		}
	})
}
