package apply_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/laymanctl/laymanctl/client/laymantest/reallayman"
	"github.com/laymanctl/laymanctl/cmd"
	"github.com/laymanctl/laymanctl/cmd/cli"
	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

func TestMain(m *testing.M) { os.Exit(reallayman.Run(m)) }

const pointSLD = `<?xml version="1.0" encoding="UTF-8"?>
<StyledLayerDescriptor version="1.0.0" xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc"
  xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.opengis.net/sld http://schemas.opengis.net/sld/1.0.0/StyledLayerDescriptor.xsd">
  <NamedLayer><Name>points</Name><UserStyle><Title>Red points</Title><FeatureTypeStyle><Rule>
    <PointSymbolizer><Graphic><Mark><WellKnownName>circle</WellKnownName><Fill><CssParameter name="fill">#FF0000</CssParameter></Fill></Mark><Size>6</Size></Graphic></PointSymbolizer>
  </Rule></FeatureTypeStyle></UserStyle></NamedLayer>
</StyledLayerDescriptor>
`

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// writesLogged counts the requests that change something in Layman's
// access log: what apply sent, seen from the server.
func writesLogged(t *testing.T, s *reallayman.Server) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(s.Logs, "layman-access.log"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for line := range strings.Lines(string(b)) {
		if strings.Contains(line, "/rest/") && (strings.Contains(line, `"POST `) || strings.Contains(line, `"PATCH `) || strings.Contains(line, `"DELETE `)) {
			n++
		}
	}
	return n
}

// applyLong runs apply like cmdtest's harness does, but with room for
// real processing on a loaded machine (the harness gives a command 60 s).
func applyLong(t *testing.T, args ...string) (cmdtest.Result, summary) {
	t.Helper()
	ios, _, out, errOut := cli.Test()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	code := cmd.Run(ctx, cli.NewFactory(ios, cli.BuildInfo{Version: "test"}), append([]string{"apply", "-o", "json"}, args...))
	r := cmdtest.Result{Code: code, Stdout: out.String(), Stderr: errOut.String()}
	var s summary
	if err := json.Unmarshal([]byte(r.Stdout), &s); err != nil {
		t.Fatalf("stdout is not the summary (%v):\n%s", err, r)
	}
	return r, s
}

// writesSince waits until Layman's access log shows at least want write
// requests after before (gunicorn writes a line after its answer), at most
// a minute, and returns how many it shows.
func writesSince(t *testing.T, s *reallayman.Server, before, want int) int {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		n := writesLogged(t, s) - before
		if n >= want || time.Now().After(deadline) {
			return n
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// The manifest life cycle of issue 13 against real Layman: six layers
// (GeoJSON, Shapefile, raster; a style; rights) and a map.
func TestApplyOnRealLayman(t *testing.T) {
	s := reallayman.Get(t, reallayman.Options{})
	alice := s.User(t, s.Alice)
	s.User(t, s.Bob) // bob gets a Layman username, for the rights
	h := cmdtest.New(t, cmdtest.Options{})
	t.Setenv("LAYMAN_SERVER", s.LaymanURL)
	t.Setenv("LAYMAN_ACCESS_TOKEN", alice)
	ws := s.Alice.Username

	dir := t.TempDir()
	copyFile(t, reallayman.Sample("small.geojson"), filepath.Join(dir, "towns.geojson"))
	copyFile(t, reallayman.Sample("small.geojson"), filepath.Join(dir, "stops.geojson"))
	copyFile(t, reallayman.Sample("big_points.geojson"), filepath.Join(dir, "points.geojson"))
	copyFile(t, reallayman.Sample("cities.zip"), filepath.Join(dir, "cities.zip"))
	copyFile(t, reallayman.Sample("small.tif"), filepath.Join(dir, "dem.tif"))
	copyFile(t, reallayman.Sample("small.tif"), filepath.Join(dir, "ortho.tif"))
	copyFile(t, reallayman.Sample("small_map.json"), filepath.Join(dir, "region.json"))
	write(t, dir, "red.sld", pointSLD)
	manifest := `layers:
  - {workspace: WS, name: ap_towns, files: [towns.geojson], title: Towns, style: red.sld, read: [EVERYONE], write: [WS]}
  - {workspace: WS, name: ap_stops, files: [stops.geojson], title: Stops, description: Bus stops}
  - {workspace: WS, name: ap_points, files: [points.geojson], title: Points, read: [WS, BOB], write: [WS]}
  - {workspace: WS, name: ap_cities, files: [cities.zip], title: Cities, read: [EVERYONE]}
  - {workspace: WS, name: ap_dem, files: [dem.tif], title: DEM}
  - {workspace: WS, name: ap_ortho, files: [ortho.tif], title: Ortho, read: [EVERYONE], write: [WS]}
maps:
  - {workspace: WS, name: ap_region, file: region.json, title: Region, read: [EVERYONE], write: [WS]}
`
	manifest = strings.ReplaceAll(strings.ReplaceAll(manifest, "BOB", s.Bob.Username), "WS", ws)
	path := filepath.Join(dir, "layman.yaml")
	write(t, dir, "layman.yaml", manifest)

	// The map ends INCOMPLETE here: the stub GeoServer renders no
	// thumbnail for it (see the README); apply says so and exits 5.
	r, sum := applyLong(t, "-f", path, "--timeout", "5m")
	if sum.Created != 7 || sum.Failed != 0 {
		t.Fatalf("first apply: want 7 created:\n%s", r)
	}
	for _, p := range sum.Publications {
		if p.Kind == "layer" && p.Status != "COMPLETE" {
			t.Errorf("layer %s ended %s:\n%s", p.Name, p.Status, r)
		}
	}
	if r.Code != 0 && r.Code != 5 {
		t.Errorf("first apply: exit %d", r.Code)
	}

	before := writesSince(t, s, 0, 7) // the creations' lines are all written
	r, sum = applyLong(t, "-f", path, "--timeout", "5m")
	if sum.Unchanged != 7 || writesLogged(t, s) != before {
		t.Errorf("second apply: want 7 unchanged and nothing sent (%d writes):\n%s", writesLogged(t, s)-before, r)
	}

	write(t, dir, "layman.yaml", strings.Replace(manifest, "title: Stops", "title: Bus stops", 1))
	geo, _ := os.ReadFile(filepath.Join(dir, "towns.geojson"))
	write(t, dir, "towns.geojson", strings.Replace(string(geo), `"Prague"`, `"Praha"`, 1))
	before = writesLogged(t, s)
	r, sum = applyLong(t, "-f", path, "--timeout", "5m")
	if n := writesSince(t, s, before, 2); sum.Updated != 2 || sum.Unchanged != 5 || n != 2 {
		t.Errorf("edit: want 2 updated with 2 requests (%d):\n%s", n, r)
	}

	pruned := strings.Replace(strings.Replace(manifest, "title: Stops", "title: Bus stops", 1),
		"  - {workspace: "+ws+", name: ap_dem, files: [dem.tif], title: DEM}\n", "", 1)
	write(t, dir, "layman.yaml", pruned)
	before = writesLogged(t, s)
	r, sum = applyLong(t, "-f", path, "--prune", "--timeout", "5m")
	if n := writesSince(t, s, before, 1); sum.Deleted != 1 || sum.Unchanged != 6 || n != 1 {
		t.Errorf("prune: want 1 deleted with 1 request (%d):\n%s", n, r)
	}
	if g := h.Run("layers", "get", ws+":ap_dem"); g.Code != 1 {
		t.Errorf("ap_dem should be gone:\n%s", g)
	}

	write(t, dir, "layman.yaml", pruned+"  - {workspace: "+ws+", name: ap_bad, file: missing.json}\n")
	before = writesLogged(t, s)
	if r := h.Run("apply", "-f", path); r.Code != 2 || !strings.Contains(r.Stderr, "layman.yaml:9:") || writesLogged(t, s) != before {
		t.Errorf("manifest error: want exit 2 at line 9 and nothing sent:\n%s", r)
	}
}
