package laymantest

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// Behaviours the fake follows from Layman's code rather than its docs
// (spec/layman-audit.md, section 10).

func TestListOrderIsWorkspaceNameType(t *testing.T) {
	s := New(t, Options{})
	s.AddLayer("zoe", "alpha", Title("Údolí"))
	s.AddMap("alice", "rivers", Title("b"))
	s.AddLayer("alice", "rivers", Title("b"))
	s.AddLayer("alice", "lakes", Title("Ulice"))
	names := func(query string) []string {
		var items []map[string]any
		get(t, s.URL+"/rest/publications"+query, "").json(t, &items)
		var out []string
		for _, it := range items {
			out = append(out, it["workspace"].(string)+":"+it["name"].(string)+":"+it["publication_type"].(string))
		}
		return out
	}
	// Created zoe first, yet listed last; a layer before a map of the same name.
	if got, want := names(""), []string{"alice:lakes:layer", "alice:rivers:layer", "alice:rivers:map", "zoe:alpha:layer"}; !slices.Equal(got, want) {
		t.Errorf("default order %v, want %v", got, want)
	}
	// Titles compare without accents ("Údolí" as "udoli"), ties by workspace, name, type.
	if got, want := names("?order_by=title"), []string{"alice:rivers:layer", "alice:rivers:map", "zoe:alpha:layer", "alice:lakes:layer"}; !slices.Equal(got, want) {
		t.Errorf("order_by=title %v, want %v", got, want)
	}
}

func TestPublishInPublicWorkspaceFollowsGrants(t *testing.T) {
	post := func(s *Server, token, ws string) response {
		return postParts(t, "POST", s.URL+"/rest/layers", token, part{name: "workspace", content: ws},
			part{name: "file", filename: "a.geojson", content: geojson})
	}
	// Layman's own settings (GRANT_*=EVERYONE): anyone, even without a
	// token, publishes in a public workspace, new or not; the layer is
	// then everyone's.
	s := New(t, Options{Validator: testTokens, ProcessingPolls: -1})
	s.AddUser("alice", WithSub("1"))
	if r := post(s, "", "town"); r.status != 200 {
		t.Fatalf("anonymous POST into a new public workspace: %d %s", r.status, r.body)
	}
	if p, ok := s.Publication("town:a"); !ok || !slices.Equal(p.Read, []string{everyone}) || !slices.Equal(p.Write, []string{everyone}) {
		t.Errorf("anonymous layer: %+v", p)
	}
	post(s, "", "alice").wantError(t, 403, 30)

	// Grants for a role: others get 30; creating needs its own grant.
	s = New(t, Options{Validator: testTokens, ProcessingPolls: -1,
		GrantPublishInPublicWorkspace: []string{"alice", "EDITORS"}, GrantCreatePublicWorkspace: []string{"EDITORS"}})
	s.AddUser("alice", WithSub("1"))
	s.AddUser("bob", WithSub("2"), WithRoles("EDITORS"))
	post(s, "", "town").wantError(t, 403, 30)
	post(s, "tok-alice", "town").wantError(t, 403, 30)
	if r := post(s, "tok-bob", "town"); r.status != 200 {
		t.Fatalf("bob (EDITORS) creates a public workspace: %d %s", r.status, r.body)
	}
	if r := postParts(t, "POST", s.URL+"/rest/layers", "tok-alice", part{name: "workspace", content: "town"},
		part{name: "name", content: "b"}, part{name: "file", filename: "b.geojson", content: geojson}); r.status != 200 {
		t.Fatalf("alice publishes in the existing public workspace: %d %s", r.status, r.body)
	}
}

func TestDeleteUserLeavesPublicWorkspaces(t *testing.T) {
	s := New(t, Options{Validator: testTokens, ProcessingPolls: -1})
	s.AddUser("alice", WithSub("1"))
	s.AddUser("bob", WithSub("2"))
	s.AddLayer("town", "only_alice", Access([]string{"alice"}, []string{"alice"}))
	s.AddLayer("town", "with_bob", Access([]string{"alice", "bob"}, []string{"alice", "bob"}))
	roles := s.AddMap("town", "roles_write", Access([]string{"alice", "bob"}, []string{"alice", "EDITORS"}))

	// bob still reads roles_write, and only a role would be left to write it.
	e := do(t, "DELETE", s.URL+"/rest/users/alice", "tok-alice", nil, "").wantError(t, 403, 58)
	detail, _ := e["detail"].(map[string]any)
	list, _ := detail["unable_to_delete_publications"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["uuid"] != roles || list[0].(map[string]any)["type"] != "layman.map" {
		t.Fatalf("58 detail: %v", e)
	}
	var users []map[string]any
	get(t, s.URL+"/rest/users", "").json(t, &users)
	if _, ok := s.Publication("town:only_alice"); !ok || len(users) != 2 {
		t.Fatalf("a refused DELETE changed something: users %v", users)
	}

	postParts(t, "PATCH", s.URL+"/rest/maps/"+roles, "tok-alice", part{name: "access_rights.write", content: "alice,bob"})
	if r := do(t, "DELETE", s.URL+"/rest/users/alice", "tok-alice", nil, ""); r.status != 200 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	if _, ok := s.Publication("town:only_alice"); ok {
		t.Error("a public layer only alice could read and write survived her")
	}
	for _, ref := range []string{"town:with_bob", "town:roles_write"} {
		p, ok := s.Publication(ref)
		if !ok || !slices.Equal(p.Read, []string{"bob"}) || slices.Contains(p.Write, "alice") {
			t.Errorf("%s after alice left: %+v", ref, p)
		}
	}
}

func TestExternalTable(t *testing.T) {
	s := New(t, Options{Validator: testTokens, ProcessingPolls: -1})
	s.AddUser("alice", WithSub("1"))
	post := func(uri string) response {
		return postParts(t, "POST", s.URL+"/rest/layers", "tok-alice", part{name: "workspace", content: "alice"},
			part{name: "external_table_uri", content: uri})
	}
	r := post("postgresql://gis:secret@db.example:5432/gis?schema=public&table=Rivers&geo_column=geom")
	var created []map[string]any
	r.json(t, &created)
	if r.status != 200 || len(created) != 1 || created[0]["name"] != "rivers" {
		t.Fatalf("POST: %d %s", r.status, r.body)
	}
	var info map[string]any
	get(t, created[0]["url"].(string), "tok-alice").json(t, &info)
	db, _ := info["db"].(map[string]any)
	if info["original_data_source"] != "database_table" || info["file"] != nil || db["table"] != "Rivers" || db["geo_column"] != "geom" ||
		db["external_uri"] != "postgresql://gis@db.example:5432/gis" {
		t.Errorf("layer: original_data_source %v, file %v, db %v", info["original_data_source"], info["file"], db)
	}
	for uri, message := range map[string]string{
		"mysql://db.example/gis?schema=public&table=rivers":             "URI scheme",
		"postgresql:///gis?schema=public&table=rivers":                  "`host` part",
		"postgresql://db.example/gis?table=rivers":                      "`host` part",
		"postgresql://db.example/gis?schema=public&table=rivers%3Bdrop": "regular expression",
	} {
		e := post(uri).wantError(t, 400, 2)
		if d, _ := e["detail"].(map[string]any); !strings.Contains(d["message"].(string), message) {
			t.Errorf("%s: %v", uri, e)
		}
	}
}

func TestMapFileIsCheckedAsLaymanDoes(t *testing.T) {
	s := New(t, Options{Validator: testTokens, ProcessingPolls: -1})
	s.AddUser("alice", WithSub("1"))
	rivers := s.AddLayer("alice", "rivers")
	post := func(name string, m map[string]any) response {
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		parts := []part{{name: "file", filename: "any_stem.json", content: string(b)}}
		if name != "" {
			parts = append(parts, part{name: "name", content: name})
		}
		return postParts(t, "POST", s.URL+"/rest/workspaces/alice/maps", "tok-alice", parts...)
	}
	valid := func(change func(m map[string]any)) map[string]any {
		m := map[string]any{
			"describedBy":    "https://raw.githubusercontent.com/hslayers/map-compositions/3.0.0/schema.json",
			"schema_version": "3.0.0", "abstract": "", "title": "Řeky a silnice", "projection": "epsg:3857",
			"extent": []float64{14, 50, 15, 51}, "nativeExtent": []float64{1.5e6, 6.4e6, 1.7e6, 6.6e6}, "layers": []any{},
		}
		change(m)
		return m
	}
	wms := func(url, layers string) []any {
		return []any{map[string]any{"className": "WMS", "title": "x", "url": url, "params": map[string]any{"LAYERS": layers}, "metadata": map[string]any{}, "visibility": true}}
	}
	name := func(r response) string {
		t.Helper()
		var created []map[string]any
		r.json(t, &created)
		if r.status != 200 || len(created) != 1 {
			t.Fatalf("POST map: %d %s", r.status, r.body)
		}
		return created[0]["name"].(string)
	}

	// The name: the form's, else the file's name, else its title, never the file name.
	if got := name(post("", valid(func(map[string]any) {}))); got != "reky_a_silnice" {
		t.Errorf("name from the title: %s", got)
	}
	if got := name(post("", valid(func(m map[string]any) { m["name"] = "" }))); got != "map" {
		t.Errorf("empty name in the file: %s", got)
	}
	// Layers by UUID, or of a workspace this Layman does not have, pass.
	name(post("by_uuid", valid(func(m map[string]any) { m["layers"] = wms(s.URL+"/geoserver/layman_wms/ows", "l_"+rivers) })))
	name(post("elsewhere", valid(func(m map[string]any) { m["layers"] = wms(s.URL+"/geoserver/ows", "bob:rivers") })))

	e := post("m2", valid(func(m map[string]any) { delete(m, "nativeExtent"); m["extent"] = "everywhere" })).wantError(t, 400, 2)
	detail, _ := e["detail"].(map[string]any)
	var paths []string
	for _, ve := range detail["validation-errors"].([]any) {
		b, _ := json.Marshal(ve.(map[string]any)["absolute_path"])
		paths = append(paths, string(b))
	}
	slices.Sort(paths)
	if !slices.Equal(paths, []string{`["extent"]`, `[]`}) {
		t.Errorf("validation errors at %v: %v", paths, e)
	}
	post("m3", valid(func(m map[string]any) { m["projection"] = "epsg:2065" })).wantError(t, 400, 4)
	e = post("m4", valid(func(m map[string]any) { m["layers"] = wms(s.URL+"/geoserver/ows", "alice:rivers") })).wantError(t, 400, 59)
	if b, _ := json.Marshal(e["detail"]); string(b) != `{"wrongly_referenced_layers":[{"layer_index":0,"layer_name":"rivers","workspace":"alice"}]}` {
		t.Errorf("59 detail: %s", b)
	}
	post("m5", valid(func(m map[string]any) { m["layers"] = wms(s.URL+"/geoserver/alice_wms/wms", "rivers") })).wantError(t, 400, 59)
	post("m6", valid(func(m map[string]any) { m["describedBy"] = "https://example.com/schema.json" })).wantError(t, 400, 2)
}

func TestBBoxInAnyOutputCRS(t *testing.T) {
	s := New(t, Options{})
	s.AddLayer("alice", "brno", BBox(1.84e6, 6.30e6, 1.85e6, 6.31e6))
	s.AddLayer("alice", "prague", BBox(1.60e6, 6.45e6, 1.61e6, 6.47e6))
	var items []map[string]any
	// Around Brno in S-JTSK.
	get(t, s.URL+"/rest/layers?bbox_filter=-608350,-1181470,-590255,-1149870&bbox_filter_crs=EPSG:5514", "").json(t, &items)
	if len(items) != 1 || items[0]["name"] != "brno" {
		t.Errorf("EPSG:5514 filter: %v", items)
	}
	// Around Prague in UTM 33N.
	get(t, s.URL+"/rest/layers?bbox_filter=450000,5540000,465000,5555000&bbox_filter_crs=EPSG:32633", "").json(t, &items)
	if len(items) != 1 || items[0]["name"] != "prague" {
		t.Errorf("EPSG:32633 filter: %v", items)
	}
	get(t, s.URL+"/rest/layers?bbox_filter=0,0,1,1&bbox_filter_crs=EPSG:3035", "").wantError(t, 400, 2)
}
