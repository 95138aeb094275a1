package client

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestListQueryAndPaging(t *testing.T) {
	ts := newTestServer(t)
	ts.handle("GET /rest/publications", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Range", "items 11-12/300")
		jsonAnswer(200, "["+pubJSON("layer", "ws", "a", uuid1)+","+pubJSON("map", "ws", "b", uuid2)+"]")(w, r)
	})
	page, err := ts.client.Publications.List(ctxT(t), &ListOptions{
		FullTextFilter: "roads and rivers", BboxFilter: "1,2,3,4", BboxFilterCRS: "EPSG:4326",
		OrderBy: OrderByBbox, OrderingBbox: "0,0,10,10", OrderingBboxCRS: "EPSG:3857", Limit: 2, Offset: 10,
	})
	if err != nil {
		t.Fatal(err)
	}
	ts.expectRequests("GET /prefix/rest/publications?bbox_filter=1%2C2%2C3%2C4&bbox_filter_crs=EPSG%3A4326&full_text_filter=roads+and+rivers&limit=2&offset=10&order_by=bbox&ordering_bbox=0%2C0%2C10%2C10&ordering_bbox_crs=EPSG%3A3857")
	if page.Total != 300 || len(page.Items) != 2 {
		t.Fatalf("page: total %d, %d items", page.Total, len(page.Items))
	}
	p := page.Items[0]
	if p.Workspace != "ws" || p.Type != TypeLayer || p.UUID != uuid1 || p.UpdatedAt.Year() != 2024 ||
		p.AccessRights.Read[0] != "EVERYONE" || p.BoundingBox[0] != 1.5 || p.NativeCRS != "EPSG:4326" || p.WFSWMSStatus != "AVAILABLE" {
		t.Errorf("decoded %+v", p)
	}
	if p.Ref() != (Ref{UUID: uuid1, Workspace: "ws", Name: "a"}) {
		t.Errorf("Ref() = %+v", p.Ref())
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(page.Raw, &raw); err != nil || len(raw) != 2 {
		t.Fatalf("page raw: %v", err)
	}
	if b, _ := json.Marshal(p); string(b) != string(raw[0]) {
		t.Errorf("marshalled item is not the server's JSON:\n%s\n%s", b, raw[0])
	}
}

// Bad input is refused before anything reaches the server.
func TestListRejectsBadOptions(t *testing.T) {
	ts := newTestServer(t)
	for _, o := range []ListOptions{
		{Workspace: "Bad-Name"}, {BboxFilter: "1,2,3"}, {BboxFilter: "3,2,1,4"}, {OrderingBbox: "a,b,c,d"},
		{OrderBy: "size"}, {Limit: -1}, {Offset: -5},
	} {
		if _, err := ts.client.Layers.List(ctxT(t), &o); err == nil {
			t.Errorf("%+v accepted", o)
		}
		for _, err := range ts.client.Maps.All(ctxT(t), &o) {
			if err == nil {
				t.Errorf("All %+v accepted", o)
			}
		}
	}
	if _, err := ts.client.Publications.List(ctxT(t), &ListOptions{Workspace: "ws"}); err == nil {
		t.Error("publications with a workspace filter accepted")
	}
	ts.expectRequests()
}

// Lists without a workspace, and map lists of a workspace, have the same URL
// in both generations: they cost exactly one request, no version probe.
func TestListNeedsNoProbe(t *testing.T) {
	ts := newTestServer(t)
	ts.json("GET /rest/layers", 200, "[]")
	ts.json("GET /rest/workspaces/ws/maps", 200, "[]")
	if _, err := ts.client.Layers.List(ctxT(t), nil); err != nil {
		t.Fatal(err)
	}
	page, err := ts.client.Maps.List(ctxT(t), &ListOptions{Workspace: "ws"})
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != -1 {
		t.Errorf("total without headers = %d, want -1", page.Total)
	}
	ts.expectRequests("GET /prefix/rest/layers", "GET /prefix/rest/workspaces/ws/maps")
}

func TestLayersListWorkspaceBothGenerations(t *testing.T) {
	ts := newTestServer(t)
	ts.json("GET /rest/layers", 200, "[]")
	ts.json("GET /rest/workspaces/ws/layers", 200, "[]")
	for _, g := range []Generation{Gen3, Gen2} {
		if _, err := ts.gen(g).Layers.List(ctxT(t), &ListOptions{Workspace: "ws", Limit: 5}); err != nil {
			t.Fatal(err)
		}
	}
	ts.expectRequests("GET /prefix/rest/layers?limit=5&workspace=ws", "GET /prefix/rest/workspaces/ws/layers?limit=5")
}

// pagedLayers serves total layers in pages, honouring limit and offset.
func pagedLayers(total int, headers func(h http.Header, offset, n int)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		if limit == 0 {
			limit = total
		}
		end := min(offset+limit, total)
		var b strings.Builder
		b.WriteString("[")
		for i := offset; i < end; i++ {
			if i > offset {
				b.WriteString(",")
			}
			b.WriteString(pubJSON("layer", "ws", fmt.Sprintf("layer_%d", i), uuid1))
		}
		b.WriteString("]")
		headers(w.Header(), offset, end-offset)
		jsonAnswer(200, b.String())(w, r)
	}
}

func TestAllPages(t *testing.T) {
	for _, tt := range []struct {
		name    string
		headers func(h http.Header, offset, n int)
	}{
		{"X-Total-Count", func(h http.Header, offset, n int) { h.Set("X-Total-Count", "7") }},
		{"Content-Range", func(h http.Header, offset, n int) {
			h.Set("Content-Range", fmt.Sprintf("items %d-%d/7", offset+1, offset+n))
		}},
		{"no count", func(h http.Header, offset, n int) {}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t)
			ts.handle("GET /rest/layers", pagedLayers(7, tt.headers))
			var names []string
			for p, err := range ts.client.Layers.All(ctxT(t), &ListOptions{Limit: 3, Offset: 1}) {
				if err != nil {
					t.Fatal(err)
				}
				names = append(names, p.Name)
			}
			if want := "layer_1 layer_2 layer_3 layer_4 layer_5 layer_6"; strings.Join(names, " ") != want {
				t.Errorf("got %v", names)
			}
			want := []string{"GET /prefix/rest/layers?limit=3&offset=1", "GET /prefix/rest/layers?limit=3&offset=4"}
			if tt.name == "no count" {
				want = append(want, "GET /prefix/rest/layers?limit=3&offset=7")
			}
			ts.expectRequests(want...)
		})
	}
}

func TestAllStopsWhenConsumerStops(t *testing.T) {
	ts := newTestServer(t)
	ts.handle("GET /rest/layers", pagedLayers(100, func(h http.Header, _, _ int) { h.Set("X-Total-Count", "100") }))
	n := 0
	for _, err := range ts.client.Layers.All(ctxT(t), &ListOptions{Limit: 10}) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 15 {
			break
		}
	}
	// At most the page asked ahead while the second was read (its request
	// is cancelled when the consumer stops, maybe before it left).
	want := []string{"GET /prefix/rest/layers?limit=10", "GET /prefix/rest/layers?limit=10&offset=10",
		"GET /prefix/rest/layers?limit=10&offset=20"}
	if got := ts.got(); !slices.Equal(got, want) && !slices.Equal(got, want[:2]) {
		t.Errorf("requests:\n got  %q\n want %q, the last maybe not", got, want)
	}
}

func TestAllTwentyThousand(t *testing.T) {
	const total = 20000
	ts := newTestServer(t)
	ts.handle("GET /rest/layers", pagedLayers(total, func(h http.Header, _, _ int) { h.Set("X-Total-Count", strconv.Itoa(total)) }))
	seen := make(map[string]bool, total)
	for p, err := range ts.client.Layers.All(ctxT(t), nil) {
		if err != nil {
			t.Fatal(err)
		}
		seen[p.Name] = true
	}
	if len(seen) != total {
		t.Errorf("streamed %d distinct layers, want %d", len(seen), total)
	}
	if n := len(ts.got()); n != total/DefaultPageSize {
		t.Errorf("%d requests, want %d", n, total/DefaultPageSize)
	}
}

func TestAllReportsErrors(t *testing.T) {
	ts := newTestServer(t)
	ts.json("GET /rest/maps", 400, `{"code":2,"message":"Wrong parameter value","detail":{"parameter":"limit"}}`)
	var errs []error
	for _, err := range ts.client.Maps.All(ctxT(t), nil) {
		errs = append(errs, err)
	}
	if len(errs) != 1 || errs[0] == nil || !strings.Contains(errs[0].Error(), "Layman error 2 (HTTP 400)") {
		t.Fatalf("errors %v", errs)
	}
}

func TestParseBbox(t *testing.T) {
	if b, err := ParseBbox("-10.5,20,30,40.25"); err != nil || b != [4]float64{-10.5, 20, 30, 40.25} {
		t.Errorf("got %v, %v", b, err)
	}
	// Layman's BBOX_PATTERN refuses spaces, exponents, '+' and a leading '.'
	// with error 2: refused here before any request.
	for _, s := range []string{"", "1,2,3", "1,2,3,4,5", "a,2,3,4", "NaN,1,2,3", "1,2,Inf,4", "5,0,1,1", "0,5,1,1",
		" -10.5, 20 ,30,40.25", "1e6,2,3e6,4", "+1,2,3,4", ".5,1,2,3", "1.,2,3,4"} {
		if _, err := ParseBbox(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

func TestParseTotal(t *testing.T) {
	for _, tt := range []struct {
		xtc, cr string
		want    int
		ok, err bool
	}{
		{"247", "", 247, true, false},
		{"", "items 1-20/247", 247, true, false},
		{"", "items 0-0/0", 0, true, false},
		{"5", "items 1-20/247", 5, true, false},
		{"", "", 0, false, false},
		{"", "items */*", 0, false, false},
		{"x", "", 0, false, true},
		{"-1", "", 0, false, true},
		{"", "bytes 1-2/3", 0, false, true},
		{"", "items 1-20", 0, false, true},
		{"", "items 20-1/30", 0, false, true},
	} {
		h := http.Header{}
		if tt.xtc != "" {
			h.Set("X-Total-Count", tt.xtc)
		}
		if tt.cr != "" {
			h.Set("Content-Range", tt.cr)
		}
		n, ok, err := ParseTotal(h)
		if n != tt.want || ok != tt.ok || (err != nil) != tt.err {
			t.Errorf("%q %q: got %d %v %v", tt.xtc, tt.cr, n, ok, err)
		}
	}
}

func FuzzParseTotal(f *testing.F) {
	for _, s := range [][2]string{{"247", ""}, {"", "items 1-20/247"}, {"", "items 0-0/0"}, {"", "items */10"}, {"x", "y"}, {"", "items 1-2/-3"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, xtc, cr string) {
		h := http.Header{}
		h.Set("X-Total-Count", xtc)
		h.Set("Content-Range", cr)
		n, ok, err := ParseTotal(h)
		if err != nil && ok {
			t.Fatalf("ok with error %v", err)
		}
		if n < 0 || (!ok && n != 0) {
			t.Fatalf("n = %d, ok = %v", n, ok)
		}
	})
}

func BenchmarkListDecode(b *testing.B) {
	items := make([]string, 1000)
	for i := range items {
		items[i] = pubJSON("layer", "ws", fmt.Sprintf("layer_%d", i), uuid1)
	}
	body := []byte("[" + strings.Join(items, ",") + "]")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var page []Publication
		if err := json.Unmarshal(body, &page); err != nil || len(page) != 1000 {
			b.Fatal(err)
		}
	}
}
