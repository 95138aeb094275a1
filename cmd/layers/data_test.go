package layers_test

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/client/laymantest"
	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

type featureCollection struct {
	Type     string `json:"type"`
	Features []struct {
		ID         string         `json:"id"`
		Properties map[string]any `json:"properties"`
	} `json:"features"`
}

func readCollection(t *testing.T, b []byte) featureCollection {
	t.Helper()
	var fc featureCollection
	if err := json.Unmarshal(b, &fc); err != nil || fc.Type != "FeatureCollection" {
		t.Fatalf("not a FeatureCollection (%v): %.300s", err, b)
	}
	return fc
}

// checkAll asserts features 1..n, each once, in the server's order.
func checkAll(t *testing.T, fc featureCollection, n int) {
	t.Helper()
	if len(fc.Features) != n {
		t.Fatalf("%d features, want %d", len(fc.Features), n)
	}
	for i, f := range fc.Features {
		if f.Properties["ogc_fid"] != float64(i+1) {
			t.Fatalf("feature %d is %v", i, f.Properties)
		}
	}
}

func wfsRequests(h *cmdtest.Harness) []string {
	var out []string
	for _, r := range h.Requests() {
		if strings.Contains(r, "/geoserver/") {
			out = append(out, r)
		}
	}
	return out
}

func TestDownloadPagesAFeatureLayer(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		h.Server.AddLayer(cmdtest.Username, "points", laymantest.Features(2500), laymantest.Access([]string{cmdtest.Username}, []string{cmdtest.Username}))
		out := filepath.Join(t.TempDir(), "points.geojson")
		r := h.Run("layers", "download", "alice:points", "--page-size", "1000", "-O", out)
		if r.Code != 0 || !strings.Contains(r.Stderr, "Saved 2500 feature(s) of layer alice:points to "+out) {
			t.Fatalf("download:\n%s", r)
		}
		b, _ := os.ReadFile(out)
		checkAll(t, readCollection(t, b), 2500)
		reqs := wfsRequests(h)
		if len(reqs) != 3 {
			t.Fatalf("want 3 pages, got %d requests:\n%s", len(reqs), strings.Join(reqs, "\n"))
		}
		for i, start := range []string{"startIndex=0", "startIndex=1000", "startIndex=2000"} {
			if !strings.Contains(reqs[i], start) || !strings.Contains(reqs[i], "count=1000") || !strings.Contains(reqs[i], "request=GetFeature") {
				t.Errorf("page %d: %s", i, reqs[i])
			}
		}
	})
}

func TestDownloadFollowsAServerCapBelowThePageSize(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{WFSMaxFeatures: 300})
	h.Server.AddLayer(cmdtest.Username, "points", laymantest.Features(1000))
	r := h.Run("layers", "download", "alice:points", "--page-size", "800")
	if r.Code != 0 {
		t.Fatalf("download:\n%s", r)
	}
	checkAll(t, readCollection(t, []byte(r.Stdout)), 1000)
	if n := len(wfsRequests(h)); n != 4 {
		t.Errorf("%d requests for 1000 features capped at 300 each, want 4", n)
	}
}

func TestDownloadFiltersByBBoxAndShowsProgressOnATerminal(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{})
	h.Server.AddLayer(cmdtest.Username, "points", laymantest.Features(100))
	out := filepath.Join(t.TempDir(), "some.geojson")
	// Features are at 14+i/10000, 49+i/10000: i in 11..20.
	r := h.RunWith(cmdtest.TTY(""), "layers", "download", "alice:points", "--bbox", "14.00105,49.00105,14.00205,49.00205", "-O", out)
	if r.Code != 0 || !strings.Contains(r.Stderr, "Downloading features: 10 of 10") {
		t.Fatalf("download:\n%s", r)
	}
	b, _ := os.ReadFile(out)
	if fc := readCollection(t, b); len(fc.Features) != 10 || fc.Features[0].Properties["ogc_fid"] != float64(11) {
		t.Errorf("bbox selected %v", fc.Features)
	}
	if reqs := wfsRequests(h); len(reqs) == 0 || !strings.Contains(reqs[0], "bbox=14.00105%2C49.00105%2C14.00205%2C49.00205%2CEPSG%3A4326") {
		t.Errorf("bbox not sent with its CRS: %v", reqs)
	}
}

func TestDownloadRefusesRastersAndBadFlags(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{})
	h.Server.AddLayer(cmdtest.Username, "dem", laymantest.GeodataType("raster"))
	r := h.Run("layers", "download", "alice:dem")
	if r.Code != 2 || !strings.Contains(r.Stderr, "layer alice:dem is a raster layer: it has no features to download") ||
		!strings.Contains(r.Stderr, "layers preview alice:dem") || r.Stdout != "" {
		t.Errorf("raster:\n%s", r)
	}
	if reqs := wfsRequests(h); len(reqs) != 0 {
		t.Errorf("a raster download asked the WFS: %v", reqs)
	}
	h.Server.ResetRequests()
	for _, args := range [][]string{
		{"--format", "kml"}, {"--bbox", "1,2,3"}, {"--bbox", "3,2,1,4"}, {"--bbox", "1,2,3,4,WGS84"},
		{"--crs", "3857"}, {"--page-size", "0"},
	} {
		r := h.Run(append([]string{"layers", "download", "alice:dem"}, args...)...)
		if r.Code != 2 {
			t.Errorf("%v: exit %d\n%s", args, r.Code, r)
		}
	}
	h.ExpectNoRequests()
}

func TestDownloadSaysWhenTheServerLacksAFormat(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{})
	h.Server.AddLayer(cmdtest.Username, "points", laymantest.Features(5))
	out := filepath.Join(t.TempDir(), "points.gml")
	r := h.Run("layers", "download", "alice:points", "--format", "gml", "-O", out)
	if r.Code != 1 || !strings.Contains(r.Stderr, "the server does not offer --format gml") {
		t.Errorf("gml from a GeoJSON-only WFS:\n%s", r)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed download left a file")
	}
	r = h.Run("layers", "download", "alice:points", "--format", "shape-zip", "--page-size", "2", "-O", out)
	if r.Code != 1 || !strings.Contains(r.Stderr, "5 features match, and shape-zip cannot be joined from pages of 2") {
		t.Errorf("shape-zip of a layer bigger than a page:\n%s", r)
	}
}

func TestPreviewRendersThroughWMS(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		h.Server.AddLayer(cmdtest.Username, "dem", laymantest.GeodataType("raster"))
		out := filepath.Join(t.TempDir(), "dem.png")
		r := h.Run("layers", "preview", "alice:dem", "-O", out, "--size", "320x200")
		if r.Code != 0 || !strings.Contains(r.Stderr, "Saved a 320x200 preview of layer alice:dem") {
			t.Fatalf("preview:\n%s", r)
		}
		b, _ := os.ReadFile(out)
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil || img.Bounds().Dx() != 320 || img.Bounds().Dy() != 200 {
			t.Errorf("not a 320x200 PNG: %v", err)
		}
		reqs := wfsRequests(h)
		if len(reqs) != 1 || !strings.Contains(reqs[0], "request=GetMap") || !strings.Contains(reqs[0], "crs=EPSG%3A3857") {
			t.Errorf("requests: %v", reqs)
		}
		if r := h.RunWith(cmdtest.TTY(""), "layers", "preview", "alice:dem"); r.Code != 2 || !strings.Contains(r.Stderr, "binary") {
			t.Errorf("PNG to a terminal:\n%s", r)
		}
		if r := h.Run("layers", "preview", "alice:dem", "--size", "0x10"); r.Code != 2 {
			t.Errorf("bad size:\n%s", r)
		}
	})
}

func TestGetShowsServiceLinksForQGIS(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		rivers := h.SeedLayer("rivers", "Rivers")
		// The same names on 2.x: Layman 2.0.0 moved layers to l_<uuid> in layman/layman_wms.
		name, wms, wfs := "l_"+rivers.UUID, h.Server.URL+"/geoserver/layman_wms/ows", h.Server.URL+"/geoserver/layman/wfs"
		r := h.Run("layers", "get", "alice:rivers")
		for _, want := range []string{
			"wms\t" + wms + "\n",
			"wms capabilities\t" + wms + "?service=WMS&version=1.3.0&request=GetCapabilities\n",
			"wfs\t" + wfs + "\n",
			"wfs capabilities\t" + wfs + "?service=WFS&version=2.0.0&request=GetCapabilities\n",
			"ogc layer name\t" + name + "\n",
			"metadata record\thttp",
		} {
			if !strings.Contains(r.Stdout, want) {
				t.Errorf("lacks %q:\n%s", want, r)
			}
		}
		// -o json stays the server's document.
		j := h.Run("layers", "get", "alice:rivers", "-o", "json")
		if strings.Contains(j.Stdout, "capabilities") || !strings.Contains(j.Stdout, `"wms"`) {
			t.Errorf("json changed:\n%s", j.Stdout)
		}
	})
}
