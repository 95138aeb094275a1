package layers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/client/laymantest/reallayman"
	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

func TestMain(m *testing.M) { os.Exit(reallayman.Run(m)) }

// onRealLayman points the harness's isolated environment at real Layman;
// as sets the access token the next commands use ("" for none).
func onRealLayman(t *testing.T, s *reallayman.Server) (h *cmdtest.Harness, as func(token string)) {
	h = cmdtest.New(t, cmdtest.Options{})
	t.Setenv("LAYMAN_SERVER", s.LaymanURL)
	t.Setenv("LAYMAN_TOKEN_STORE", "file")
	return h, func(token string) { t.Setenv("LAYMAN_ACCESS_TOKEN", token) }
}

// publish runs `layers publish --wait` and returns the layer's JSON.
func publish(t *testing.T, h *cmdtest.Harness, file, name string) client.Layer {
	t.Helper()
	r := h.Run("layers", "publish", file, "--workspace", "alice", "--name", name, "--wait", "--timeout", "3m")
	if r.Code != 0 {
		t.Fatalf("publish %s:\n%s", file, r)
	}
	r = h.Run("layers", "get", "alice:"+name, "-o", "json")
	var l client.Layer
	if err := json.Unmarshal([]byte(r.Stdout), &l); err != nil || r.Code != 0 {
		t.Fatalf("get %s: %v\n%s", name, err, r)
	}
	return l
}

// getFeatureCalls counts WFS GetFeature requests Layman's proxy logged for
// the feature type of the layer.
func getFeatureCalls(t *testing.T, s *reallayman.Server, ogcName string) int {
	b, err := os.ReadFile(filepath.Join(s.Logs, "layman-access.log"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, "/geoserver/") && strings.Contains(line, "GetFeature") && strings.Contains(line, ogcName) {
			n++
		}
	}
	return n
}

func TestDownloadAndPreviewOnRealLayman(t *testing.T) {
	for _, v := range reallayman.Versions {
		t.Run(v, func(t *testing.T) {
			s := reallayman.Get(t, reallayman.Options{Version: v})
			alice := s.User(t, s.Alice)
			bob := s.User(t, s.Bob)
			h, as := onRealLayman(t, s)
			as(alice)
			suffix := strings.ReplaceAll(v, ".", "")
			big := publish(t, h, reallayman.Sample("big_points.geojson"), "dl_big_"+suffix)
			if big.AccessRights.Read[0] != "alice" || len(big.AccessRights.Read) != 1 {
				t.Fatalf("the layer should be private to alice: %v", big.AccessRights)
			}

			// 9000 features in pages of 2000: five GetFeature requests.
			out := filepath.Join(t.TempDir(), "big.geojson")
			before := getFeatureCalls(t, s, big.WFS.Name)
			r := h.Run("layers", "download", "alice:"+big.Name, "--page-size", "2000", "-O", out)
			if r.Code != 0 || !strings.Contains(r.Stderr, "Saved 9000 feature(s)") {
				t.Fatalf("download:\n%s", r)
			}
			b, _ := os.ReadFile(out)
			fc := readCollection(t, b)
			ids := map[string]bool{}
			for _, f := range fc.Features {
				ids[f.ID] = true
			}
			if len(fc.Features) != 9000 || len(ids) != 9000 {
				t.Errorf("%d features, %d distinct", len(fc.Features), len(ids))
			}
			if n := getFeatureCalls(t, s, big.WFS.Name) - before; n != 5 {
				t.Errorf("%d GetFeature requests through Layman's proxy, want 5", n)
			}

			// The same private layer: bob's token and no token see nothing.
			as(bob)
			if r := h.Run("layers", "download", "alice:"+big.Name); r.Code != 1 || !strings.Contains(r.Stderr, "not found") || r.Stdout != "" {
				t.Errorf("bob:\n%s", r)
			}
			as("")
			if r := h.Run("layers", "download", "alice:"+big.Name, "--anonymous"); r.Code != 1 || !strings.Contains(r.Stderr, "not found") || r.Stdout != "" {
				t.Errorf("anonymous:\n%s", r)
			}
			if r := h.Run("layers", "download", "alice:"+big.Name); r.Code != 4 || !strings.Contains(r.Stderr, "--anonymous") {
				t.Errorf("not logged in:\n%s", r)
			}
			// Straight to the WFS, the layer is hidden from an anonymous caller.
			anon, _ := client.New(s.LaymanURL)
			_, err := anon.DownloadFeatures(context.Background(), big.WFS.URL, client.FeatureQuery{TypeName: big.WFS.Name, PageSize: 10}, client.FeatureFormats[0], &bytes.Buffer{}, nil)
			if !client.IsHiddenLayer(err) {
				t.Errorf("anonymous WFS request for a private layer: %v", err)
			}

			as(alice)
			// A bbox in EPSG:4326 and output in EPSG:3857.
			small := publish(t, h, reallayman.Sample("small.geojson"), "dl_small_"+suffix)
			r = h.Run("layers", "download", "alice:"+small.Name, "--bbox", "14,49,17,50", "--crs", "EPSG:3857")
			if r.Code != 0 {
				t.Fatalf("bbox download:\n%s", r)
			}
			var part struct {
				Features []struct {
					Properties map[string]any
					Geometry   struct{ Coordinates []float64 }
				}
			}
			if err := json.Unmarshal([]byte(r.Stdout), &part); err != nil || len(part.Features) != 1 ||
				part.Features[0].Properties["name"] != "Brno" || part.Features[0].Geometry.Coordinates[0] < 1e6 {
				t.Errorf("bbox 14,49,17,50 (Brno only, in metres): %v %s", err, r.Stdout)
			}

			// A raster: no download, a preview.
			raster := publish(t, h, reallayman.Sample("small.tif"), "dl_raster_"+suffix)
			r = h.Run("layers", "download", "alice:"+raster.Name)
			if r.Code != 2 || !strings.Contains(r.Stderr, "is a raster layer: it has no features to download") {
				t.Errorf("raster download:\n%s", r)
			}
			png1 := filepath.Join(t.TempDir(), "raster.png")
			r = h.Run("layers", "preview", "alice:"+raster.Name, "-O", png1, "--size", "300x200")
			if r.Code != 0 {
				t.Fatalf("preview:\n%s", r)
			}
			pb, _ := os.ReadFile(png1)
			if img, err := png.Decode(bytes.NewReader(pb)); err != nil || img.Bounds().Dx() != 300 || img.Bounds().Dy() != 200 {
				t.Errorf("preview is not a 300x200 PNG: %v", err)
			}
			as(bob)
			if r := h.Run("layers", "preview", "alice:"+raster.Name, "-O", png1); r.Code != 1 {
				t.Errorf("bob's preview of a private raster:\n%s", r)
			}
		})
	}
}
