package publish_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

// A re-run of publish fails by default with advice, skips with skip, and
// patches with update.
func TestPublishIfExists(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		path := write(t, t.TempDir(), "rivers.geojson", []byte(geojson))
		if r := h.Run("layers", "publish", "-w", ws, "--title", "One", path); r.Code != 0 {
			t.Fatalf("first publish:\n%s", r)
		}
		r := h.Run("layers", "publish", "-w", ws, path)
		if r.Code != 1 || !strings.Contains(r.Stderr, "already exists") || !strings.Contains(r.Stderr, "laymanctl layers update "+ws+":rivers") || !strings.Contains(r.Stderr, "--if-exists update") {
			t.Errorf("default: want exit 1 naming the update command:\n%s", r)
		}

		h.Server.ResetRequests()
		r = h.Run("layers", "publish", "-w", ws, "--if-exists", "skip", "-o", "json", path)
		if name, _ := published(t, r); r.Code != 0 || name != "rivers" || len(h.Writes()) > 0 {
			t.Errorf("skip: want exit 0, the layer, and no write (got %v):\n%s", h.Writes(), r)
		}

		h.Server.ResetRequests()
		r = h.Run("layers", "publish", "-w", ws, "--if-exists", "update", "--title", "Two", path)
		info, _ := h.Server.Publication("layer:" + ws + ":rivers")
		if r.Code != 0 || info.Title != "Two" || len(h.Writes()) != 1 || !strings.HasPrefix(h.Writes()[0], "PATCH ") {
			t.Errorf("update: want one PATCH and title Two (title %q, writes %v):\n%s", info.Title, h.Writes(), r)
		}

		// A name laymanctl cannot derive (Layman transliterates it): the
		// advice takes the name from Layman's answer, and --if-exists needs
		// --name then.
		other := write(t, t.TempDir(), "řeka.geojson", []byte(geojson))
		if r := h.Run("layers", "publish", "-w", ws, other); r.Code != 0 {
			t.Fatalf("first publish of řeka.geojson:\n%s", r)
		}
		r = h.Run("layers", "publish", "-w", ws, other)
		if r.Code != 1 || !strings.Contains(r.Stderr, "laymanctl layers update "+ws+":reka FILE") || !strings.Contains(r.Stderr, "--name reka --if-exists update") {
			t.Errorf("non-ASCII file name: want exit 1 naming the layer Layman derived:\n%s", r)
		}

		// A new name is simply published, whatever --if-exists says.
		other = write(t, t.TempDir(), "lakes.geojson", []byte(geojson))
		if r := h.Run("layers", "publish", "-w", ws, "--if-exists", "update", other); r.Code != 0 {
			t.Errorf("update of a missing layer publishes it:\n%s", r)
		}
		if _, ok := h.Server.Publication("layer:" + ws + ":lakes"); !ok {
			t.Error("lakes was not published")
		}
	})
}

// A map whose name is taken: the advice names maps update.
func TestMapsPublishExistingNamesUpdate(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{})
	h.SeedMap("city", "City")
	comp := write(t, t.TempDir(), "city.json", []byte(`{"describedBy":"https://raw.githubusercontent.com/hslayers/map-compositions/3.0.0/schema.json","schema_version":"3.0.0","name":"city","title":"City","abstract":"","projection":"epsg:3857","extent":[14,50,15,51],"nativeExtent":[1558472.87,6446275.84,1669792.36,6621293.72],"layers":[]}`))
	r := h.Run("maps", "publish", "-w", ws, comp)
	if r.Code != 1 || !strings.Contains(r.Stderr, "Map already exists") || !strings.Contains(r.Stderr, "laymanctl maps update "+ws+":city FILE.json") {
		t.Errorf("publish of an existing map: want exit 1 naming maps update:\n%s", r)
	}
}

type plan struct {
	Action, Kind, Workspace, Name, Generation, Method, Path string
	Fields                                                  []string
	Chunks                                                  int
	Files                                                   []struct {
		Name string
		Size int64
	}
	Read, Write []string
}

// --dry-run reads what it must and prints the plan; it writes nothing.
func TestDryRun(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		dir := t.TempDir()
		small := write(t, dir, "Rivers Map.geojson", []byte(geojson))
		big := []string{write(t, dir, "dem.tif", data(1<<20+5, 9)), write(t, dir, "dem.tfw", []byte("1\n0\n0\n-1\n0\n0\n"))}
		h.SeedLayer("lakes", "Lakes")
		h.Server.AddUser("bob")
		gen := map[int]string{2: "2.x", 3: "3.x"}[h.Generation]

		var p plan
		decode := func(r cmdtest.Result) {
			t.Helper()
			p = plan{}
			if r.Code != 0 || json.Unmarshal([]byte(r.Stdout), &p) != nil {
				t.Fatalf("want exit 0 and a JSON plan:\n%s", r)
			}
			if w := h.Writes(); len(w) > 0 {
				t.Errorf("dry run wrote: %v", w)
			}
		}
		decode(h.Run("layers", "publish", "-w", ws, "--dry-run", "-o", "json", "--title", "R", small))
		if p.Action != "create" || p.Name != "rivers_map" || p.Method != "POST" || p.Chunks != 0 || p.Generation != gen || !slices.Contains(p.Fields, "title") || len(p.Files) != 1 {
			t.Errorf("small publish plan: %+v", p)
		}
		decode(h.Run(append([]string{"layers", "publish", "-w", ws, "--dry-run", "-o", "json", "--chunk-size", "256KiB"}, big...)...))
		if p.Action != "create" || p.Name != "dem" || p.Chunks != 6 {
			t.Errorf("chunked plan: want 5+1 chunks: %+v", p)
		}
		lakes := write(t, dir, "lakes.geojson", []byte(geojson))
		decode(h.Run("layers", "publish", "-w", ws, "--dry-run", "-o", "json", "--if-exists", "update", lakes))
		if p.Action != "update" || p.Method != "PATCH" || p.Name != "lakes" {
			t.Errorf("if-exists update plan: %+v", p)
		}
		decode(h.Run("layers", "update", ws+":lakes", "--dry-run", "-o", "json", "--add-read", "bob"))
		if p.Action != "update" || !reflect.DeepEqual(p.Read, []string{ws, "bob"}) || !slices.Contains(p.Fields, "access_rights.read") {
			t.Errorf("rights plan: %+v", p)
		}
		r := h.Run("layers", "delete", ws+":lakes", ws+":nothing", "--dry-run", "--ignore-not-found", "-o", "json")
		var plans []plan
		if r.Code != 0 || json.Unmarshal([]byte(r.Stdout), &plans) != nil || len(plans) != 1 || plans[0].Action != "delete" || plans[0].Name != "lakes" {
			t.Errorf("delete plan: want lakes only:\n%s", r)
		}
		if _, ok := h.Server.Publication("layer:" + ws + ":lakes"); !ok || len(h.Writes()) > 0 {
			t.Errorf("delete --dry-run deleted: %v", h.Writes())
		}
		// A person gets a table.
		r = h.RunWith(cmdtest.RunOptions{OutTTY: true}, "layers", "publish", "-w", ws, "--dry-run", small)
		if r.Code != 0 || !strings.Contains(r.Stdout, "ACTION") || !strings.Contains(r.Stdout, "create") || !strings.Contains(r.Stdout, "1 file(s)") {
			t.Errorf("table plan:\n%s", r)
		}
	})
}

// --add-*/--remove-* edit the current lists; a result Layman would refuse
// is refused before anything is sent.
func TestUpdateRightsEdit(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{Generation: 3})
	h.SeedLayer("rivers", "Rivers")
	h.Server.AddUser("bob")
	r := h.Run("layers", "update", ws+":rivers", "--add-read", "bob,EVERYONE", "--add-write", "bob")
	info, _ := h.Server.Publication("layer:" + ws + ":rivers")
	if r.Code != 0 || !reflect.DeepEqual(info.Read, []string{ws, "bob", "EVERYONE"}) || !reflect.DeepEqual(info.Write, []string{ws, "bob"}) {
		t.Fatalf("add: read %v write %v:\n%s", info.Read, info.Write, r)
	}
	r = h.Run("layers", "update", ws+":rivers", "--remove-read", "EVERYONE", "--remove-write", "bob")
	info, _ = h.Server.Publication("layer:" + ws + ":rivers")
	if r.Code != 0 || !reflect.DeepEqual(info.Read, []string{ws, "bob"}) || !reflect.DeepEqual(info.Write, []string{ws}) {
		t.Fatalf("remove: read %v write %v:\n%s", info.Read, info.Write, r)
	}
	for _, bad := range [][]string{{"--remove-write", ws}, {"--add-write", "bob", "--remove-read", "bob"}, {"--remove-read", ws + ",bob"}} {
		h.Server.ResetRequests()
		r = h.Run(append([]string{"layers", "update", ws + ":rivers"}, bad...)...)
		if r.Code != 2 || len(h.Writes()) > 0 {
			t.Errorf("%v: want exit 2 and nothing sent (%v):\n%s", bad, h.Writes(), r)
		}
	}
}

func TestDeleteIgnoreNotFound(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{Generation: 3})
	h.SeedLayer("rivers", "Rivers")
	r := h.Run("layers", "delete", "--yes", ws+":nothing")
	if r.Code != 1 {
		t.Errorf("missing layer without the flag: want exit 1:\n%s", r)
	}
	r = h.Run("layers", "delete", "--yes", "--ignore-not-found", ws+":nothing", ws+":rivers")
	if _, ok := h.Server.Publication("layer:" + ws + ":rivers"); r.Code != 0 || ok {
		t.Errorf("want exit 0 and rivers deleted:\n%s", r)
	}
}

// -o json is the publication as Layman returns it, with or without --wait;
// only its state differs.
func TestJSONSameWithAndWithoutWait(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{ProcessingPolls: 1}, func(t *testing.T, h *cmdtest.Harness) {
		path := write(t, t.TempDir(), "rivers.geojson", []byte(geojson))
		keys := func(args ...string) (map[string]json.RawMessage, string) {
			t.Helper()
			r := h.Run(args...)
			var doc map[string]json.RawMessage
			var meta struct {
				Status string `json:"publication_status"`
			}
			if r.Code != 0 || json.Unmarshal([]byte(r.Stdout), &doc) != nil || json.Unmarshal(doc["layman_metadata"], &meta) != nil {
				t.Fatalf("want exit 0 and a JSON object:\n%s", r)
			}
			return doc, meta.Status
		}
		noWait, st1 := keys("layers", "publish", "-w", ws, "--name", "a", "--no-wait", "-o", "json", path)
		waited, st2 := keys("layers", "publish", "-w", ws, "--name", "b", "--wait", "-q", "-o", "json", path)
		if st1 != "UPDATING" || st2 != "COMPLETE" {
			t.Errorf("states %s and %s, want UPDATING and COMPLETE", st1, st2)
		}
		for _, k := range []string{"name", "uuid", "title", "access_rights", "layman_metadata", "url"} {
			if noWait[k] == nil || waited[k] == nil {
				t.Errorf("key %q: without wait %s, with wait %s", k, noWait[k], waited[k])
			}
		}
		updated, _ := keys("layers", "update", ws+":a", "--title", "A", "--no-wait", "-o", "json")
		if string(updated["title"]) != `"A"` || updated["access_rights"] == nil {
			t.Errorf("update -o json is not the layer: %v", updated)
		}
	})
}

// --template renders the JSON with Go templates and gh's helpers.
func TestTemplate(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{Generation: 3})
	h.SeedLayer("rivers", "Rivers of Bohemia")
	h.SeedLayer("lakes", "Lakes")
	r := h.Run("layers", "list", "--template", `{{range .}}{{tablerow .name (truncate 8 .title) (json .access_rights.read)}}{{end}}`)
	// Layman lists by workspace and name when no order is asked.
	want := "lakes   Lakes     [\"alice\"]\nrivers  River...  [\"alice\"]\n"
	if r.Code != 0 || r.Stdout != want {
		t.Errorf("want aligned rows %q:\n%s", want, r)
	}
	r = h.Run("layers", "get", ws+":rivers", "-t", `{{.name}} {{timeago .updated_at}}`)
	if r.Code != 0 || r.Stdout != "rivers less than a minute ago" {
		t.Errorf("timeago:\n%s", r)
	}
	for _, bad := range [][]string{{"-t", "{{.name"}, {"-t", "{{.name}}", "--jq", ".name"}, {"-t", "{{.name}}", "-o", "yaml"}} {
		h.Server.ResetRequests()
		r = h.Run(append([]string{"layers", "get", ws + ":rivers"}, bad...)...)
		if r.Code != 2 {
			t.Errorf("%v: want exit 2:\n%s", bad, r)
		}
		h.ExpectNoRequests()
	}
}
