package apply_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/laymanctl/laymanctl/client/laymantest"
	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

const ws = cmdtest.Username

const geojson = `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"n":%d},"geometry":{"type":"Point","coordinates":[14.4,50.1]}}]}`

const sld = `<?xml version="1.0" encoding="UTF-8"?><StyledLayerDescriptor version="1.0.0" xmlns="http://www.opengis.net/sld"><NamedLayer><Name>x</Name></NamedLayer></StyledLayerDescriptor>`

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// project writes six layers' data (GeoJSON, Shapefile, raster; styles and
// rights) and a map, and the manifest declaring them.
func project(t *testing.T) (dir, manifest string) {
	dir = t.TempDir()
	write(t, dir, "rivers.geojson", fmt.Sprintf(geojson, 1))
	write(t, dir, "lakes.geojson", fmt.Sprintf(geojson, 2))
	write(t, dir, "roads.geojson", fmt.Sprintf(geojson, 3))
	for _, ext := range []string{"shp", "shx", "dbf"} {
		write(t, dir, "parcels."+ext, strings.Repeat(ext, 100))
	}
	write(t, dir, "parcels.prj", `PROJCS["S-JTSK"]`)
	write(t, dir, "dem.tif", strings.Repeat("tif", 1000))
	write(t, dir, "dem.tfw", "1\n0\n0\n-1\n0\n0\n")
	write(t, dir, "ortho.tif", strings.Repeat("img", 1000))
	write(t, dir, "ortho.tfw", "1\n0\n0\n-1\n0\n0\n")
	write(t, dir, "rivers.sld", sld)
	write(t, dir, "city.json", `{"describedBy":"https://raw.githubusercontent.com/hslayers/map-compositions/3.0.0/schema.json","schema_version":"3.0.0","name":"city","title":"City","abstract":"","projection":"epsg:3857","extent":[14,50,15,51],"nativeExtent":[1558472.87,6446275.84,1669792.36,6621293.72],"layers":[]}`)
	manifest = filepath.Join(dir, "layman.yaml")
	write(t, dir, "layman.yaml", manifestText)
	return dir, manifest
}

const manifestText = `layers:
  - {workspace: alice, name: rivers, files: [rivers.geojson], title: Rivers, style: rivers.sld, read: [EVERYONE], write: [alice]}
  - {workspace: alice, name: lakes, files: [lakes.geojson], title: Lakes, description: Still water}
  - {workspace: alice, name: roads, files: [roads.geojson], title: Roads, read: [alice, bob], write: [alice]}
  - workspace: alice
    name: parcels
    files: [parcels.shp, parcels.shx, parcels.dbf, parcels.prj]
    title: Parcels
  - {workspace: alice, name: dem, files: [dem.tif, dem.tfw], title: DEM}
  - {workspace: alice, name: ortho, files: [ortho.tif, ortho.tfw], title: Ortho, read: [EVERYONE]}
maps:
  - {workspace: alice, name: city, file: city.json, title: City, read: [EVERYONE], write: [alice]}
`

type summary struct {
	Created, Updated, Unchanged, Deleted, Failed, Incomplete int
	Publications                                             []struct {
		Result, Kind, Name, Status string
		Changes                    []string
	}
}

func run(t *testing.T, h *cmdtest.Harness, args ...string) (cmdtest.Result, summary) {
	t.Helper()
	r := h.Run(append([]string{"apply", "-o", "json"}, args...)...)
	var s summary
	if err := json.Unmarshal([]byte(r.Stdout), &s); err != nil {
		t.Fatalf("stdout is not the summary (%v):\n%s", err, r)
	}
	return r, s
}

func TestApply(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{ProcessingPolls: 1}, func(t *testing.T, h *cmdtest.Harness) {
		h.Server.AddUser("bob")
		dir, manifest := project(t)

		r, s := run(t, h, "-f", manifest, "--parallel", "3")
		if r.Code != 0 || s.Created != 7 || s.Failed != 0 || len(s.Publications) != 7 {
			t.Fatalf("first apply: want 7 created:\n%s", r)
		}
		for _, p := range s.Publications {
			if p.Status != "COMPLETE" {
				t.Errorf("%s %s ended %s", p.Kind, p.Name, p.Status)
			}
		}
		if !strings.Contains(r.Stderr, "+ layer alice:rivers (create)") || !strings.Contains(r.Stderr, "Plan: 7 to create") {
			t.Errorf("the plan comes first on stderr:\n%s", r.Stderr)
		}
		info, _ := h.Server.Publication("layer:" + ws + ":rivers")
		if info.Title != "Rivers" || strings.Join(info.Read, ",") != "EVERYONE" {
			t.Errorf("rivers on the server: %+v", info)
		}
		if _, err := os.Stat(filepath.Join(dir, "layman.state.json")); err != nil {
			t.Errorf("no state file beside the manifest: %v", err)
		}

		h.Server.ResetRequests()
		r, s = run(t, h, "-f", manifest)
		if r.Code != 0 || s.Unchanged != 7 || len(h.Writes()) > 0 {
			t.Errorf("second apply: want 7 unchanged and nothing sent, got %v:\n%s", h.Writes(), r)
		}
		if d := h.Run("diff", "-f", manifest); d.Code != 0 {
			t.Errorf("diff of an applied manifest: want exit 0:\n%s", d)
		}

		// One title and one data file change: exactly two PATCHes.
		write(t, dir, "layman.yaml", strings.Replace(manifestText, "title: Lakes", "title: Ponds", 1))
		write(t, dir, "dem.tif", strings.Repeat("new", 1000))
		d := h.Run("diff", "-f", manifest)
		if d.Code != 1 || !strings.Contains(d.Stdout, "~ layer alice:lakes (update: title)") || !strings.Contains(d.Stdout, "~ layer alice:dem (update: data)") {
			t.Errorf("diff: want exit 1 and the two updates:\n%s", d)
		}
		h.Server.ResetRequests()
		r, s = run(t, h, "-f", manifest)
		w := h.Writes()
		if r.Code != 0 || s.Updated != 2 || s.Unchanged != 5 || len(w) != 2 || !strings.HasPrefix(w[0], "PATCH ") || !strings.HasPrefix(w[1], "PATCH ") {
			t.Errorf("edit: want 2 updated with 2 PATCHes, got %v:\n%s", w, r)
		}
		if got, _ := h.Server.FileSHA256("layer:"+ws+":dem", "dem.tif"); got == "" {
			t.Error("dem.tif not on the server")
		}

		// The manifest drops roads: --prune deletes it, nothing else.
		write(t, dir, "layman.yaml", strings.Replace(strings.Replace(manifestText, "title: Lakes", "title: Ponds", 1),
			"  - {workspace: alice, name: roads, files: [roads.geojson], title: Roads, read: [alice, bob], write: [alice]}\n", "", 1))
		h.Server.ResetRequests()
		r = h.Run("apply", "-f", manifest, "--dry-run", "--prune")
		if r.Code != 0 || len(h.Writes()) > 0 || !strings.Contains(r.Stdout, "- layer alice:roads (delete)") {
			t.Errorf("--dry-run sent %v:\n%s", h.Writes(), r)
		}
		r, s = run(t, h, "-f", manifest)
		if s.Deleted != 0 || len(h.Writes()) > 0 {
			t.Errorf("without --prune nothing is deleted:\n%s", r)
		}
		r, s = run(t, h, "-f", manifest, "--prune")
		w = h.Writes()
		if r.Code != 0 || s.Deleted != 1 || len(w) != 1 || !strings.HasPrefix(w[0], "DELETE ") {
			t.Errorf("prune: want one DELETE, got %v:\n%s", w, r)
		}
		if _, ok := h.Server.Publication("layer:" + ws + ":roads"); ok {
			t.Error("roads is still on the server")
		}
		var st struct{ Publications []struct{ Name string } }
		data, _ := os.ReadFile(filepath.Join(dir, "layman.state.json"))
		if json.Unmarshal(data, &st) != nil || len(st.Publications) != 6 {
			t.Errorf("state after prune: want 6 records:\n%s", data)
		}
	})
}

// Manifest mistakes are located and nothing is sent.
func TestApplyManifestErrors(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{Generation: 3})
	dir, manifest := project(t)
	cases := map[string]struct{ text, want string }{
		"syntax":        {"layers:\n  - {workspace: alice, name: a\n", "layman.yaml:"},
		"unknown key":   {"layers:\n  - workspace: alice\n    name: a\n    files: [rivers.geojson]\n    titel: A\n", "layman.yaml:5:5"},
		"missing file":  {"layers:\n  - workspace: alice\n    name: a\n    files: [nothere.geojson]\n", "layman.yaml:4:12"},
		"no name":       {"layers:\n  - workspace: alice\n    files: [rivers.geojson]\n", "layman.yaml:2:5"},
		"bad name":      {"maps:\n  - workspace: alice\n    name: Bad-Name\n    file: city.json\n", "layman.yaml:3:11"},
		"twice":         {"layers:\n  - {workspace: alice, name: a, files: [rivers.geojson]}\n  - {workspace: alice, name: a, files: [lakes.geojson]}\n", "layman.yaml:3:5"},
		"bad shapefile": {"layers:\n  - workspace: alice\n    name: a\n    files: [parcels.shp]\n", "layman.yaml:4:12"},
	}
	for name, c := range cases {
		write(t, dir, "layman.yaml", c.text)
		h.Server.ResetRequests()
		for _, cmd := range []string{"apply", "diff"} {
			r := h.Run(cmd, "-f", manifest)
			if r.Code != 2 || !strings.Contains(r.Stderr, c.want) {
				t.Errorf("%s (%s): want exit 2 and %q:\n%s", name, cmd, c.want, r)
			}
		}
		h.ExpectNoRequests()
	}
}

// A map declared by its layers is composed as `maps create` does; a
// changed layer list sends a new composition.
func TestApplyMapFromLayers(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{Generation: 3})
	dir, _ := project(t)
	text := `layers:
  - {workspace: alice, name: rivers, files: [rivers.geojson], title: Rivers}
  - {workspace: alice, name: lakes, files: [lakes.geojson], title: Lakes}
maps:
  - {workspace: alice, name: water, title: Water, layers: ["alice:rivers", "alice:lakes"], read: [EVERYONE]}
`
	write(t, dir, "water.yaml", text)
	manifest := filepath.Join(dir, "water.yaml")
	r, s := run(t, h, "-f", manifest)
	if r.Code != 0 || s.Created != 3 {
		t.Fatalf("want 3 created:\n%s", r)
	}
	if info, ok := h.Server.Publication("map:" + ws + ":water"); !ok || info.Title != "Water" {
		t.Errorf("map water on the server: %+v", info)
	}
	h.Server.ResetRequests()
	if r, s = run(t, h, "-f", manifest); s.Unchanged != 3 || len(h.Writes()) > 0 {
		t.Errorf("second apply: want 3 unchanged:\n%s", r)
	}
	write(t, dir, "water.yaml", strings.Replace(text, `["alice:rivers", "alice:lakes"]`, `["alice:rivers"]`, 1))
	r, s = run(t, h, "-f", manifest)
	if r.Code != 0 || s.Updated != 1 || len(s.Publications) != 3 || strings.Join(s.Publications[2].Changes, ",") != "data" {
		t.Errorf("want the map updated (data):\n%s", r)
	}
	write(t, dir, "water.yaml", strings.Replace(text, "title: Water, ", "", 1))
	if r := h.Run("apply", "-f", manifest); r.Code != 2 || !strings.Contains(r.Stderr, "water.yaml:5:") || !strings.Contains(r.Stderr, "title") {
		t.Errorf("layers without a title: want exit 2 at line 5:\n%s", r)
	}
}

// A manifest that lists nothing (empty, or truncated) with --prune would
// delete everything the state file records: refused, exit 2, nothing sent.
func TestApplyPruneEmptyManifest(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{Generation: 3})
	dir, _ := project(t)
	manifest := filepath.Join(dir, "water.yaml")
	write(t, dir, "water.yaml", "layers:\n  - {workspace: alice, name: rivers, files: [rivers.geojson], title: Rivers}\n")
	if r, s := run(t, h, "-f", manifest); r.Code != 0 || s.Created != 1 {
		t.Fatalf("want 1 created:\n%s", r)
	}
	state, _ := os.ReadFile(filepath.Join(dir, "water.state.json"))
	for _, text := range []string{"", "layers: []\nmaps: []\n"} {
		write(t, dir, "water.yaml", text)
		h.Server.ResetRequests()
		for _, args := range [][]string{{"apply", "--prune"}, {"apply", "--prune", "--dry-run"}, {"diff", "--prune"}} {
			r := h.Run(append(args, "-f", manifest)...)
			if r.Code != 2 || !strings.Contains(r.Stderr, "water.yaml lists no publication, so --prune would delete every publication") ||
				!strings.Contains(r.Stderr, "laymanctl layers delete") || len(h.Writes()) > 0 {
				t.Errorf("%q %v: want exit 2 and no change sent, got %v:\n%s", text, args, h.Writes(), r)
			}
		}
		h.ExpectNoRequests() // refused before any request, reads included
	}
	if _, ok := h.Server.Publication("layer:" + ws + ":rivers"); !ok {
		t.Error("rivers was deleted")
	}
	if now, _ := os.ReadFile(filepath.Join(dir, "water.state.json")); string(now) != string(state) || len(state) == 0 {
		t.Errorf("the state file changed:\n%s", now)
	}
}

// Pruning a layer whose chunked upload (here a `layers update`) was
// interrupted drops that upload's journal records: nothing is left to
// resume. So does a prune whose DELETE answer was lost, and which found
// the layer gone when it tried again.
func TestPruneDropsTheUploadsJournalRecords(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		journal := filepath.Join(h.Dir, "state", "laymanctl", "uploads")
		for _, lost := range []bool{false, true} {
			dir := t.TempDir()
			write(t, dir, "rivers.geojson", fmt.Sprintf(geojson, 1))
			write(t, dir, "dem.geojson", fmt.Sprintf(geojson, 2))
			write(t, dir, "layman.yaml", "layers:\n  - {workspace: alice, name: rivers, files: [rivers.geojson]}\n  - {workspace: alice, name: dem, files: [dem.geojson]}\n")
			if r := h.Run("apply", "-f", filepath.Join(dir, "layman.yaml")); r.Code != 0 {
				t.Fatalf("apply:\n%s", r)
			}
			write(t, dir, "big.tif", strings.Repeat("tif", 1<<19))
			write(t, dir, "big.tfw", "1\n0\n0\n-1\n0\n0\n")
			var chunks atomic.Int32
			h.Server.SetFault(func(r *http.Request) laymantest.Fault {
				if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/chunk") && chunks.Add(1) > 2 {
					return laymantest.Fault{Status: http.StatusForbidden, Body: laymantest.ErrorJSON(32, nil)}
				}
				return laymantest.Fault{}
			})
			r := h.Run("layers", "update", ws+":dem", filepath.Join(dir, "big.tif"), filepath.Join(dir, "big.tfw"), "--chunk-size", "64KiB", "--parallel", "1", "--no-wait")
			if r.Code != 1 || !strings.Contains(r.Stderr, "laymanctl layers resume") {
				t.Fatalf("the interrupted update should exit 1 with a resume command:\n%s", r)
			}
			h.Server.SetFault(nil)
			if entries, _ := os.ReadDir(journal); len(entries) != 2 {
				t.Fatalf("%d journal records after the interrupted update, want 2 (by UUID and by name)", len(entries))
			}

			var deletes atomic.Int32
			h.Server.SetFault(func(r *http.Request) laymantest.Fault {
				return laymantest.Fault{LoseAnswer: lost && r.Method == http.MethodDelete && deletes.Add(1) == 1}
			})
			write(t, dir, "layman.yaml", "layers:\n  - {workspace: alice, name: rivers, files: [rivers.geojson]}\n")
			if r := h.Run("apply", "-f", filepath.Join(dir, "layman.yaml"), "--prune"); r.Code != 0 || !strings.Contains(r.Stderr, "layer alice:dem deleted") {
				t.Fatalf("apply --prune (answer lost: %v):\n%s", lost, r)
			}
			h.Server.SetFault(nil)
			if entries, err := os.ReadDir(journal); err != nil || len(entries) != 0 {
				t.Errorf("journal after pruning the layer (answer lost: %v): %v (%v), want an empty directory", lost, entries, err)
			}
		}
	})
}
