package laymantest

import (
	"bytes"
	"fmt"
	"image/png"
	"net/http"
	"strings"
	"sync"
	"testing"
)

const geojson = `{"type":"FeatureCollection","features":[]}`

func TestGen3LayerLifecycle(t *testing.T) {
	s := New(t, Options{Generation: 3, Validator: testTokens, Strict: true})
	r := postParts(t, "POST", s.URL+"/rest/layers", "tok-alice",
		part{name: "workspace", content: "alice"},
		part{name: "file", filename: "Řeky ČR.geojson", content: geojson},
		part{name: "title", content: "Rivers"})
	if r.status != 200 {
		t.Fatalf("POST: %d %s", r.status, r.body)
	}
	var posted []map[string]any
	r.json(t, &posted)
	if len(posted) != 1 || posted[0]["name"] != "reky_cr" || posted[0]["files_to_upload"] != nil {
		t.Fatalf("POST answer %s", r.body)
	}
	uuid := posted[0]["uuid"].(string)
	url := posted[0]["url"].(string)
	if url != s.URL+"/rest/layers/"+uuid {
		t.Fatalf("url %s", url)
	}

	// The first GET sees UPDATING (ProcessingPolls 1), and PATCH is refused meanwhile.
	postParts(t, "PATCH", url, "tok-alice", part{name: "title", content: "x"}).wantError(t, 400, 49)
	var info map[string]any
	get(t, url, "tok-alice").json(t, &info)
	if st := info["layman_metadata"].(map[string]any)["publication_status"]; st != StatusUpdating {
		t.Fatalf("first GET status %v", st)
	}
	info = waitStatus(t, url, "tok-alice")
	if info["layman_metadata"].(map[string]any)["publication_status"] != StatusComplete || info["title"] != "Rivers" ||
		info["geodata_type"] != "vector" || info["wfs"] == nil {
		t.Fatalf("GET layer %v", info)
	}
	rights := info["access_rights"].(map[string]any)
	if fmt.Sprint(rights["read"], rights["write"]) != "[alice] [alice]" {
		t.Fatalf("default rights %v", rights)
	}
	if got, ok := s.FileSHA256(uuid, "Řeky ČR.geojson"); !ok || got != sha(geojson) {
		t.Fatalf("sha %q %v", got, ok)
	}

	r = postParts(t, "PATCH", url, "tok-alice", part{name: "title", content: "Big rivers"},
		part{name: "access_rights.read", content: "alice, EVERYONE"})
	if r.status != 200 {
		t.Fatalf("PATCH %d %s", r.status, r.body)
	}
	info = waitStatus(t, url, "tok-alice")
	if info["title"] != "Big rivers" {
		t.Fatalf("patched title %v", info["title"])
	}

	thumb := get(t, url+"/thumbnail", "")
	if _, err := png.Decode(bytes.NewReader(thumb.body)); err != nil || thumb.header.Get("Content-Type") != "image/png" {
		t.Fatalf("thumbnail: %v %s", err, thumb.header)
	}
	if st := get(t, url+"/style", ""); !strings.Contains(string(st.body), "StyledLayerDescriptor") {
		t.Fatalf("style %s", st.body)
	}

	r = do(t, "DELETE", url, "tok-alice", nil, "")
	if r.status != 200 || !strings.Contains(string(r.body), uuid) {
		t.Fatalf("DELETE %d %s", r.status, r.body)
	}
	get(t, url, "tok-alice").wantError(t, 404, 15)
	get(t, s.URL+"/rest/layers/not-a-uuid", "").wantError(t, 400, 2)
}

func TestGen2Routes(t *testing.T) {
	s := New(t, Options{Generation: 2, Validator: testTokens, ProcessingPolls: -1, Strict: true})
	base := s.URL + "/rest/workspaces/alice"
	r := postParts(t, "POST", base+"/layers", "tok-alice", part{name: "file", filename: "roads.geojson", content: geojson})
	var posted []map[string]any
	r.json(t, &posted)
	if r.status != 200 || posted[0]["url"] != base+"/layers/roads" {
		t.Fatalf("POST %d %s", r.status, r.body)
	}
	postParts(t, "POST", base+"/layers", "tok-alice", part{name: "file", filename: "roads.geojson", content: geojson}).
		wantError(t, 409, 17)
	info := waitStatus(t, base+"/layers/roads", "tok-alice")
	// Since Layman 2.0.0 GeoServer names are l_<uuid>, as on 3.x.
	if info["wms"].(map[string]any)["name"] != "l_"+info["uuid"].(string) {
		t.Fatalf("2.x wms name %v", info["wms"])
	}
	for _, sub := range []string{"/thumbnail", "/style", "/metadata-comparison"} {
		if r := get(t, base+"/layers/roads"+sub, "tok-alice"); r.status != 200 {
			t.Fatalf("GET %s: %d", sub, r.status)
		}
	}

	r = postParts(t, "POST", base+"/maps", "tok-alice",
		part{name: "file", filename: "m.json", content: `{"describedBy":"https://raw.githubusercontent.com/hslayers/map-compositions/2.0.0/schema.json","schema_version":"2.0.0",` +
			`"name":"My Map","title":"My map","abstract":"A","groups":{"guest":"r"},"projection":"epsg:3857","extent":[14,49,15,50],"nativeExtent":[1.5e6,6.3e6,1.7e6,6.4e6],"layers":[]}`})
	r.json(t, &posted)
	if r.status != 200 || posted[0]["name"] != "my_map" {
		t.Fatalf("POST map %d %s", r.status, r.body)
	}
	var file map[string]any
	get(t, base+"/maps/my_map/file", "tok-alice").json(t, &file)
	if file["name"] != "my_map" || file["groups"] != nil || file["user"].(map[string]any)["name"] != "alice" {
		t.Fatalf("map file %v", file)
	}
	get(t, base+"/maps/nope", "tok-alice").wantError(t, 404, 26)

	var pubs []map[string]any
	r = get(t, s.URL+"/rest/publications", "tok-alice")
	r.json(t, &pubs)
	if len(pubs) != 2 || r.header.Get("X-Total-Count") != "2" || r.header.Get("Content-Range") != "items 1-2/2" {
		t.Fatalf("publications %s %v", r.body, r.header)
	}
	// By name: alice's my_map before her roads.
	if _, hasType := pubs[0]["geodata_type"]; hasType || pubs[0]["publication_type"] != "map" {
		t.Fatalf("map list item %v", pubs[0])
	}

	r = do(t, "DELETE", base+"/layers", "tok-alice", nil, "")
	if r.status != 200 || !strings.Contains(string(r.body), `"roads"`) {
		t.Fatalf("DELETE layers %d %s", r.status, r.body)
	}
	get(t, s.URL+"/rest/workspaces/nobody/layers", "").wantError(t, 404, 40)

	var version map[string]any
	get(t, s.URL+"/rest/about/version", "").json(t, &version)
	if v := version["about"].(map[string]any)["applications"].(map[string]any)["layman"].(map[string]any)["version"]; v != "2.4.0" {
		t.Fatalf("version %v", v)
	}
}

func TestGenerationsDoNotShareRoutes(t *testing.T) {
	s2 := New(t, Options{Generation: 2})
	s3 := New(t, Options{Generation: 3})
	if r := get(t, s2.URL+"/rest/layers/3fa85f64-5717-4562-b3fc-2c963f66afa6", ""); r.status != 404 || !strings.Contains(string(r.body), "<title>404 Not Found</title>") {
		t.Fatalf("2.x uuid route: %d %s", r.status, r.body)
	}
	if r := get(t, s3.URL+"/rest/workspaces/alice/layers/x", ""); r.status != 404 {
		t.Fatalf("3.x workspace layer route: %d", r.status)
	}
	if r := do(t, "PUT", s3.URL+"/rest/layers", "", nil, ""); r.status != 405 {
		t.Fatalf("PUT /rest/layers: %d", r.status)
	}
}

func TestListPaging(t *testing.T) {
	s := New(t, Options{})
	s.SeedLayers("big", 20000)
	r := get(t, s.URL+"/rest/layers?limit=20&offset=40", "")
	var items []map[string]any
	r.json(t, &items)
	if len(items) != 20 || items[0]["name"] != "layer_00041" || r.header.Get("X-Total-Count") != "20000" ||
		r.header.Get("Content-Range") != "items 41-60/20000" {
		t.Fatalf("page: %d items, first %v, headers %v", len(items), items[0]["name"], r.header)
	}
	r = get(t, s.URL+"/rest/layers?offset=20000", "")
	if string(bytes.TrimSpace(r.body)) != "[]" || r.header.Get("Content-Range") != "items 0-0/20000" {
		t.Fatalf("past the end: %s %v", r.body, r.header)
	}
	r = get(t, s.URL+"/rest/layers?workspace=big&full_text_filter=Layer%2012345", "")
	r.json(t, &items)
	if items[0]["title"] != "Layer 12345" {
		t.Fatalf("full text first %v", items[0]["title"])
	}
	r = get(t, s.URL+"/rest/layers?order_by=title&limit=2", "")
	r.json(t, &items)
	if items[0]["title"] != "Layer 1" || items[1]["title"] != "Layer 10" {
		t.Fatalf("order_by=title %v %v", items[0]["title"], items[1]["title"])
	}
	r = get(t, s.URL+"/rest/layers?bbox_filter=0,0,1000,1000", "")
	if r.header.Get("X-Total-Count") != "100" {
		t.Fatalf("bbox_filter total %s", r.header.Get("X-Total-Count"))
	}
	get(t, s.URL+"/rest/layers?limit=-1", "").wantError(t, 400, 2)
	get(t, s.URL+"/rest/layers?order_by=full_text", "").wantError(t, 400, 48)
	get(t, s.URL+"/rest/layers?bbox_filter=1,1,0,0", "").wantError(t, 400, 2)
	get(t, s.URL+"/rest/layers?workspace=nobody", "").wantError(t, 404, 40)
}

func TestAccessRights(t *testing.T) {
	s := New(t, Options{Validator: testTokens, ProcessingPolls: -1})
	s.AddUser("alice", WithSub("1"))
	s.AddUser("bob", WithSub("2"), WithRoles("EDITORS"))
	public := s.AddLayer("alice", "public", Access([]string{everyone}, []string{"alice"}))
	private := s.AddLayer("alice", "private", Access([]string{"alice"}, []string{"alice"}))
	byRole := s.AddLayer("alice", "shared", Access([]string{everyone}, []string{"alice", "EDITORS"}))

	postParts(t, "PATCH", s.URL+"/rest/layers/"+public, "tok-bob", part{name: "title", content: "x"}).wantError(t, 403, 30)
	get(t, s.URL+"/rest/layers/"+private, "tok-bob").wantError(t, 404, 15)
	get(t, s.URL+"/rest/layers/"+private, "").wantError(t, 404, 15)
	if r := postParts(t, "PATCH", s.URL+"/rest/layers/"+byRole, "tok-bob", part{name: "title", content: "x"}); r.status != 200 {
		t.Fatalf("role writer PATCH %d %s", r.status, r.body)
	}
	// Anonymous and foreign-workspace writes.
	postParts(t, "POST", s.URL+"/rest/layers", "", part{name: "workspace", content: "alice"},
		part{name: "file", filename: "a.geojson", content: geojson}).wantError(t, 403, 30)
	postParts(t, "POST", s.URL+"/rest/layers", "tok-bob", part{name: "workspace", content: "alice"},
		part{name: "file", filename: "a.geojson", content: geojson}).wantError(t, 403, 30)
	// Rights axioms: unknown user, writer who cannot read.
	postParts(t, "POST", s.URL+"/rest/layers", "tok-bob", part{name: "workspace", content: "bob"},
		part{name: "file", filename: "a.geojson", content: geojson}, part{name: "access_rights.read", content: "bob,carol"}).wantError(t, 400, 43)
	postParts(t, "POST", s.URL+"/rest/layers", "tok-bob", part{name: "workspace", content: "bob"},
		part{name: "file", filename: "a.geojson", content: geojson}, part{name: "access_rights.write", content: "bob,alice"}).wantError(t, 400, 43)

	var items []map[string]any
	get(t, s.URL+"/rest/layers", "tok-bob").json(t, &items)
	if len(items) != 2 {
		t.Fatalf("bob sees %d layers, want 2", len(items))
	}
	if r := do(t, "DELETE", s.URL+"/rest/layers?workspace=alice", "tok-bob", nil, ""); !strings.Contains(string(r.body), "shared") || strings.Contains(string(r.body), `"public"`) {
		t.Fatalf("bob's DELETE Layers removed %s", r.body)
	}
}

func TestFileChecks(t *testing.T) {
	s := New(t, Options{Validator: testTokens})
	post := func(parts ...part) response {
		return postParts(t, "POST", s.URL+"/rest/layers", "tok-alice", append([]part{{name: "workspace", content: "alice"}}, parts...)...)
	}
	e := post(part{name: "file", filename: "a.shp", content: "x"}, part{name: "file", filename: "a.shx", content: "x"}).wantError(t, 400, 18)
	if fmt.Sprint(e["detail"].(map[string]any)["missing_extensions"]) != "[.dbf .prj]" {
		t.Fatalf("detail %v", e["detail"])
	}
	post(part{name: "file", filename: "a.shp", content: "x"}, part{name: "file", filename: "a.shx", content: "x"},
		part{name: "file", filename: "a.dbf", content: "x"}, part{name: "crs", content: "EPSG:4326"})
	post(part{name: "file", filename: "a.geojson", content: "x"}, part{name: "file", filename: "b.geojson", content: "x"}).wantError(t, 400, 2)
	post(part{name: "file", filename: "a.zip", content: "x"}, part{name: "file", filename: "b.zip", content: "x"}).wantError(t, 400, 2)
	post(part{name: "file", filename: "a.txt", content: "x"}).wantError(t, 400, 2)
	post(part{name: "title", content: "no file"}).wantError(t, 400, 1)
	post(part{name: "file", filename: "a.geojson", content: "x"}, part{name: "crs", content: "EPSG:1"}).wantError(t, 400, 2)
	post(part{name: "file", filename: "a.geojson", content: "x"}, part{name: "name", content: strings.Repeat("a", 211)}).wantError(t, 400, 2)
	post(part{name: "file", filename: "a.geojson", content: "x"}, part{name: "style", filename: "s.txt", content: "nope"}).wantError(t, 400, 46)
	postParts(t, "POST", s.URL+"/rest/layers", "tok-alice", part{name: "file", filename: "a.geojson", content: "x"}).wantError(t, 400, 2)
}

func TestStrictReportsUnimplementedRoutes(t *testing.T) {
	ft := &fakeTB{TB: t}
	s := New(ft, Options{Strict: true})
	get(t, s.URL+"/rest/about/version", "")
	get(t, s.URL+"/rest/no-such-thing", "")
	ft.runCleanups()
	if len(ft.errors) != 1 || !strings.Contains(ft.errors[0], "GET /rest/no-such-thing") {
		t.Fatalf("strict errors %q", ft.errors)
	}

	ft = &fakeTB{TB: t}
	s = New(ft, Options{Strict: true})
	get(t, s.URL+"/rest/about/version", "")
	ft.runCleanups()
	if len(ft.errors) != 0 {
		t.Fatalf("strict errors on implemented routes: %q", ft.errors)
	}
}

// fakeTB records Errorf and cleanups so Strict can be observed.
type fakeTB struct {
	testing.TB
	mu       sync.Mutex
	errors   []string
	cleanups []func()
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}

func (f *fakeTB) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }

func (f *fakeTB) runCleanups() {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
}

func TestFaults(t *testing.T) {
	s := New(t, Options{})
	var mu sync.Mutex
	n := 0
	s.SetFault(func(r *http.Request) Fault {
		mu.Lock()
		defer mu.Unlock()
		n++
		switch n {
		case 1:
			return Fault{Status: 503, Body: "<html><title>Service Unavailable</title></html>"}
		case 2:
			return Fault{Drop: true}
		}
		return Fault{}
	})
	if r := get(t, s.URL+"/rest/about/version", ""); r.status != 503 || !strings.Contains(string(r.body), "Service Unavailable") {
		t.Fatalf("fault 503: %d %s", r.status, r.body)
	}
	if _, err := testClient.Get(s.URL + "/rest/about/version"); err == nil {
		t.Fatal("dropped connection answered")
	}
	if r := get(t, s.URL+"/rest/about/version", ""); r.status != 200 {
		t.Fatalf("after faults: %d", r.status)
	}
	reqs := s.Requests()
	if len(reqs) != 3 || !reqs[0].Fault || reqs[0].Status != 503 || !reqs[1].Fault || reqs[1].Status != 0 || reqs[2].Fault {
		t.Fatalf("requests %+v", reqs)
	}
	if s.CountRequests("GET", "/rest/about") != 3 {
		t.Fatal("CountRequests")
	}
	s.ResetRequests()
	if len(s.Requests()) != 0 {
		t.Fatal("ResetRequests")
	}
}

func TestSetIncomplete(t *testing.T) {
	s := New(t, Options{Validator: testTokens})
	s.SetIncomplete("alice:broken", "db", ErrorJSON(2, map[string]any{"parameter": "file"}))
	r := postParts(t, "POST", s.URL+"/rest/layers", "tok-alice", part{name: "workspace", content: "alice"},
		part{name: "file", filename: "broken.geojson", content: geojson})
	var posted []map[string]any
	r.json(t, &posted)
	info := waitStatus(t, posted[0]["url"].(string), "tok-alice")
	db := info["db"].(map[string]any)
	if info["layman_metadata"].(map[string]any)["publication_status"] != StatusIncomplete || db["status"] != "FAILURE" ||
		db["error"].(map[string]any)["code"] != float64(2) {
		t.Fatalf("incomplete layer %v", info)
	}
}

func TestDeleteUser(t *testing.T) {
	s := New(t, Options{Validator: testTokens, ProcessingPolls: -1, GrantDeleteOtherUser: []string{"ADMINS"}})
	s.AddUser("alice", WithSub("1"))
	s.AddUser("bob", WithSub("2"), WithRoles("ADMINS"))
	s.AddUser("carol", WithSub("4"))
	s.AddLayer("carol", "roads")

	do(t, "DELETE", s.URL+"/rest/users/nobody", "tok-bob", nil, "").wantError(t, 404, 57)
	do(t, "DELETE", s.URL+"/rest/users/carol", "tok-alice", nil, "").wantError(t, 403, 30)
	do(t, "DELETE", s.URL+"/rest/users/carol", "", nil, "").wantError(t, 403, 30)
	if r := do(t, "DELETE", s.URL+"/rest/users/carol", "tok-bob", nil, ""); r.status != 200 || !strings.Contains(string(r.body), `"username":"carol"`) {
		t.Fatalf("admin delete: %d %s", r.status, r.body)
	}
	if _, ok := s.Publication("carol:roads"); ok {
		t.Error("the deleted user's layer survived")
	}
	if r := do(t, "DELETE", s.URL+"/rest/users/alice", "tok-alice", nil, ""); r.status != 200 {
		t.Fatalf("self delete: %d %s", r.status, r.body)
	}
	var users []map[string]any
	get(t, s.URL+"/rest/users", "tok-bob").json(t, &users)
	if len(users) != 1 || users[0]["username"] != "bob" {
		t.Errorf("users left: %v", users)
	}
}
