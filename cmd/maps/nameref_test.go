package maps_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/client/laymantest/reallayman"
	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

// Layman refuses a map that references one of its layers on its own
// GeoServer by workspace and name (error 59), with the workspace in the
// name or in the URL; its own names (layman_wms:l_<uuid>) and other
// GeoServers are fine. laymanctl warns exactly where Layman takes such a
// reference to no layer of its own, and on a refusal says how to fix it.
func TestWorkspaceNameReferencesOnRealLayman(t *testing.T) {
	cmdtest.AsAliceOnRealLayman(t, func(t *testing.T, s *reallayman.Server, h *cmdtest.Harness, suffix string) {
		layer := "nr_" + suffix
		if r := h.Run("layers", "publish", reallayman.Sample("small.geojson"), "--name", layer, "--wait", "--timeout", "3m"); r.Code != 0 {
			t.Fatalf("publish:\n%s", r)
		}
		var l client.Layer
		if r := h.Run("layers", "get", "alice:"+layer, "-o", "json"); json.Unmarshal([]byte(r.Stdout), &l) != nil {
			t.Fatalf("get:\n%s", r)
		}
		dir := t.TempDir()
		base := filepath.Join(dir, "base.json")
		if r := h.Run("maps", "create", "--title", "Refs", "--layer", "alice:"+layer, "-O", base); r.Code != 0 {
			t.Fatalf("create:\n%s", r)
		}
		composition := func(name, url, layers string) string {
			b, err := os.ReadFile(base)
			if err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			if err := json.Unmarshal(b, &doc); err != nil {
				t.Fatal(err)
			}
			wms := doc["layers"].([]any)[0].(map[string]any)
			wms["url"] = url
			wms["params"].(map[string]any)["LAYERS"] = layers
			b, _ = json.Marshal(doc)
			path := filepath.Join(dir, name+".json")
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			return path
		}
		gs := s.LaymanURL + "/geoserver/"
		for _, c := range []struct {
			name, url, layers string
			refused           bool
			warning           string
		}{
			{"own", gs + "ows", "layman_wms:l_" + l.UUID, false, ""},
			{"external", "http://127.0.0.2:9/geoserver/ows", "alice:" + layer, false, ""},
			{"inurl", gs + "alice_wms/ows", layer, true, ""},
			{"inurlnone", gs + "alice_wms/ows", "nosuch", false, "map layer 0 references alice_wms:nosuch on this Layman's GeoServer by workspace and name"},
			{"inname", gs + "ows", "alice:" + layer, true, ""},
		} {
			r := h.Run("maps", "publish", composition(c.name, c.url, c.layers), "--name", "nr_"+c.name+"_"+suffix, "--no-wait")
			switch {
			case c.refused:
				if r.Code != 1 || !strings.Contains(r.Stderr, "Layman error 59") || !strings.Contains(r.Stderr, "Reference Layman's layers by their GeoServer names") {
					t.Errorf("%s: want Layman's refusal (59) and how to fix it:\n%s", c.name, r)
				}
			case r.Code != 0:
				t.Errorf("%s: refused:\n%s", c.name, r)
			case c.warning == "" && strings.Contains(r.Stderr, "warning:"):
				t.Errorf("%s: a warning about a reference Layman takes:\n%s", c.name, r)
			case c.warning != "" && !strings.Contains(r.Stderr, "warning: "+c.warning):
				t.Errorf("%s: no warning about the reference:\n%s", c.name, r)
			}
		}
	})
}
