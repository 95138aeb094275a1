package cmdtest_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/client/laymantest"
	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

// publish --uuid gives the new layer or map that UUID (POST reads uuid
// since Layman 2.0); a Layman before 2.0 ignores the field, so there it is
// refused before anything is sent.
func TestPublishWithUUID(t *testing.T) {
	const layerID, mapID = "0b7c6a4e-1234-4abc-8def-5a6b7c8d9e0f", "1c8d7b5f-2345-4bcd-9ef0-6b7c8d9e0f1a"
	dir := t.TempDir()
	layer := filepath.Join(dir, "rivers.geojson")
	composition := filepath.Join(dir, "city.json")
	for path, content := range map[string]string{
		layer:       `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[14.4,50.1]}}]}`,
		composition: `{"describedBy":"https://raw.githubusercontent.com/hslayers/map-compositions/3.0.0/schema.json","schema_version":"3.0.0","name":"city","title":"City","abstract":"","projection":"epsg:3857","extent":[14,50,15,51],"nativeExtent":[1558472.87,6446275.84,1669792.36,6621293.72],"layers":[]}`,
	} {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		if r := h.Run("layers", "publish", layer, "-w", "alice", "--uuid", layerID); r.Code != 0 {
			t.Fatalf("layers publish --uuid:\n%s", r)
		}
		if info, ok := h.Server.Publication("layer:alice:rivers"); !ok || info.UUID != layerID {
			t.Errorf("layer UUID %q, want %s", info.UUID, layerID)
		}
		if r := h.Run("maps", "publish", composition, "-w", "alice", "--uuid", mapID); r.Code != 0 {
			t.Fatalf("maps publish --uuid:\n%s", r)
		}
		if info, ok := h.Server.Publication("map:alice:city"); !ok || info.UUID != mapID {
			t.Errorf("map UUID %q, want %s", info.UUID, mapID)
		}

		h.Server.SetFault(func(r *http.Request) laymantest.Fault {
			if r.URL.Path == "/rest/about/version" {
				return laymantest.Fault{Status: http.StatusOK, Body: `{"about":{"applications":{"layman":{"version":"1.23.2","release-timestamp":"2024-01-01T00:00:00"}}}}`}
			}
			return laymantest.Fault{}
		})
		h.Server.ResetRequests()
		r := h.Run("layers", "publish", layer, "-w", "alice", "--name", "roads", "--uuid", "2d9e8c6a-3456-4cde-8f01-7c8d9e0f1a2b")
		if r.Code != 2 || !strings.Contains(r.Stderr, "--uuid needs Layman 2.0 or later; this server runs Layman 1.23.2") {
			t.Errorf("--uuid on Layman 1.23:\n%s", r)
		}
		for _, req := range h.Requests() {
			if strings.HasPrefix(req, "POST") {
				t.Errorf("sent %s", req)
			}
		}
	})
}
