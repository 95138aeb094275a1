package maps_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/client/laymantest"
	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

type composition struct {
	DescribedBy   string    `json:"describedBy"`
	SchemaVersion string    `json:"schema_version"`
	Title         string    `json:"title"`
	Abstract      *string   `json:"abstract"`
	Projection    string    `json:"projection"`
	Extent        []float64 `json:"extent"`
	NativeExtent  []float64 `json:"nativeExtent"`
	Layers        []struct {
		Title     string            `json:"title"`
		ClassName string            `json:"className"`
		URL       string            `json:"url"`
		Params    map[string]string `json:"params"`
		Metadata  map[string]any    `json:"metadata"`
		Visible   *bool             `json:"visibility"`
	} `json:"layers"`
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

func TestCreateComposesAndPublishesAMap(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		rivers := h.Server.AddLayer("alice", "rivers", laymantest.Title("Rivers"), laymantest.BBox(0, 0, 111319.49079327357, 111325.1428663851))
		h.Server.AddLayer("alice", "roads", laymantest.Title("Roads"), laymantest.BBox(-111319.49079327357, -10, 0, 0))
		h.Server.ResetRequests()
		r := h.Run("maps", "create", "--workspace", "alice", "--title", "Rivers and roads", "--name", "water", "--layer", "alice:rivers", "--layer", "alice:roads", "--no-wait")
		if r.Code != 0 {
			t.Fatalf("create:\n%s", r)
		}
		r = h.Run("maps", "file", "alice:water")
		var m composition
		if err := json.Unmarshal([]byte(r.Stdout), &m); err != nil {
			t.Fatalf("map file: %v\n%s", err, r)
		}
		if m.DescribedBy != "https://raw.githubusercontent.com/hslayers/map-compositions/3.0.0/schema.json" || m.SchemaVersion != "3.0.0" ||
			m.Title != "Rivers and roads" || m.Abstract == nil || m.Projection != "epsg:3857" || len(m.Layers) != 2 {
			t.Fatalf("composition: %+v", m)
		}
		// 1 degree east of 0 is 111319.49 m; 1 degree north of 0 is 111325.14 m.
		if want := []float64{-1, 0, 1, 1}; len(m.Extent) != 4 || !near(m.Extent[0], want[0]) || !near(m.Extent[2], want[2]) || !near(m.Extent[3], want[3]) || m.Extent[1] > 0 || m.Extent[1] < -0.001 {
			t.Errorf("extent %v, want about %v", m.Extent, want)
		}
		if m.NativeExtent[0] != -111319.49079327357 || m.NativeExtent[3] != 111325.1428663851 {
			t.Errorf("native extent %v", m.NativeExtent)
		}
		// Layman 2.0 and later name every layer l_<uuid> in GeoServer's layman_wms.
		wantName, wantURL := "l_"+rivers, h.Server.URL+"/geoserver/layman_wms/ows"
		l := m.Layers[0]
		if l.Title != "Rivers" || l.ClassName != "WMS" || l.URL != wantURL || l.Params["LAYERS"] != wantName ||
			l.Metadata == nil || l.Visible == nil || !*l.Visible || m.Layers[1].Title != "Roads" {
			t.Errorf("first layer: %+v", l)
		}
	})
}

func TestCreateWritesTheCompositionWithO(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{})
	h.Server.AddLayer("alice", "rivers")
	h.Server.ResetRequests()
	out := filepath.Join(t.TempDir(), "overview.json")
	r := h.Run("maps", "create", "--title", "Overview", "--layer", "alice:rivers", "-O", out)
	if r.Code != 0 || !strings.Contains(r.Stderr, "Wrote a map composition of 1 layer(s) to "+out) {
		t.Fatalf("create -O:\n%s", r)
	}
	for _, req := range h.Writes() {
		t.Errorf("-O sent %s", req)
	}
	// What was written publishes as it is.
	r = h.Run("maps", "publish", out, "--workspace", "alice", "--no-wait")
	if r.Code != 0 {
		t.Fatalf("publish the written file:\n%s", r)
	}
	b, _ := os.ReadFile(out)
	if !strings.Contains(string(b), `"className": "WMS"`) {
		t.Errorf("file:\n%s", b)
	}
}

func TestCreateRefusesBadInputLocally(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{})
	for _, args := range [][]string{
		{"--title", "T"},                       // no layer
		{"--layer", "alice:rivers"},            // no title
		{"--title", "T", "--layer", "nocolon"}, // bad ref
		{"--title", "T", "--layer", "alice:rivers", "--workspace", "Bad-WS"},
		{"--title", "T", "--layer", "alice:rivers", "--name", strings.Repeat("n", 211)},
	} {
		r := h.Run(append([]string{"maps", "create"}, args...)...)
		if r.Code != 2 {
			t.Errorf("%v: exit %d\n%s", args, r.Code, r)
		}
	}
	h.ExpectNoRequests()
}

// A --layer that does not exist is named once, with nothing published.
func TestCreateWithMissingLayer(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{})
	h.Server.AddLayer("alice", "rivers")
	h.Server.ResetRequests()
	r := h.Run("maps", "create", "--title", "T", "--layer", "alice:rivers", "--layer", "alice:roads", "--no-wait")
	if r.Code != 1 || !strings.Contains(r.Stderr, "error: layer alice:roads was not found") || strings.Count(r.Stderr, "alice:roads") != 1 {
		t.Errorf("missing layer:\n%s", r)
	}
	for _, req := range h.Writes() {
		t.Errorf("sent %s", req)
	}
}
