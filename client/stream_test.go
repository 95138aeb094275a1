package client

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// An item is handed over as soon as it arrived, before the rest of the
// answer was even sent: lists are never held whole.
func TestStreamHandsOverItemsAsTheyArrive(t *testing.T) {
	got := make(chan struct{})
	var early bool
	ts := newTestServer(t)
	ts.handle("GET /rest/layers", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Total-Count", "2")
		fmt.Fprintf(w, "[%s,", pubJSON("layer", "ws", "first", uuid1))
		w.(http.Flusher).Flush()
		select {
		case <-got:
			early = true
		case <-time.After(30 * time.Second): // a client that waits for the end
		}
		fmt.Fprintf(w, "%s]", pubJSON("layer", "ws", "second", uuid1))
	})
	st := ts.client.Layers.Stream(ctxT(t), nil, false)
	var names []string
	for it, err := range st.Items {
		if err != nil {
			t.Fatal(err)
		}
		p, err := it.Publication()
		if err != nil {
			t.Fatal(err)
		}
		if names = append(names, p.Name); len(names) == 1 {
			close(got)
		}
	}
	if !early {
		t.Error("the first item was handed over only after the whole answer arrived")
	}
	if strings.Join(names, ",") != "first,second" || st.Total != 2 {
		t.Errorf("items %v, total %d", names, st.Total)
	}
}

// The raw item is the server's JSON, byte for byte.
func TestStreamKeepsTheServersJSON(t *testing.T) {
	ts := newTestServer(t)
	item := `{ "name" : "a\u00e9<b>",  "uuid":"x", "n": 1.50E+3, "extra": {"k": [1, 2]}, "q": "say \"}]\" \\", "e": "" }`
	ts.json("GET /rest/maps", 200, " [ "+item+" ,\n"+item+"] \n")
	n := 0
	for it, err := range ts.client.Maps.Stream(ctxT(t), nil, true).Items {
		if err != nil {
			t.Fatal(err)
		}
		if n++; string(it.Raw) != strings.TrimSpace(item) {
			t.Errorf("raw item %s, want %s", it.Raw, item)
		}
	}
	if n != 2 {
		t.Errorf("%d items, want 2", n)
	}
}

// A server that ignores paging answers everything at once: one request,
// every item, read one at a time.
func TestStreamServerIgnoringPaging(t *testing.T) {
	const total = 20000
	ts := newTestServer(t)
	all := pagedLayers(total, func(http.Header, int, int) {})
	ts.handle("GET /rest/layers", func(w http.ResponseWriter, r *http.Request) {
		r.URL.RawQuery = "" // ignore limit and offset
		all(w, r)
	})
	n := 0
	for _, err := range ts.client.Layers.Stream(ctxT(t), &ListOptions{Limit: 100}, true).Items {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != total {
		t.Errorf("%d items, want %d", n, total)
	}
	ts.expectRequests("GET /prefix/rest/layers?limit=100")
}

// Once the server has shown that it pages, the next page is asked for
// while this one is read: the server prepares it while items are printed.
func TestStreamRequestsTheNextPageAhead(t *testing.T) {
	third := make(chan struct{})
	var early bool
	ts := newTestServer(t)
	page := pagedLayers(6, func(h http.Header, _, _ int) { h.Set("X-Total-Count", "6") })
	ts.handle("GET /rest/layers", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("offset") {
		case "2":
			w.Header().Set("X-Total-Count", "6")
			fmt.Fprintf(w, "[%s,", pubJSON("layer", "ws", "layer_2", uuid1))
			w.(http.Flusher).Flush()
			select {
			case <-third:
				early = true
			case <-time.After(30 * time.Second): // a client that asks page by page
			}
			fmt.Fprintf(w, "%s]", pubJSON("layer", "ws", "layer_3", uuid1))
		case "4":
			close(third)
			page(w, r)
		default:
			page(w, r)
		}
	})
	var names []string
	for p, err := range ts.client.Layers.All(ctxT(t), &ListOptions{Limit: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, p.Name)
	}
	if want := "layer_0,layer_1,layer_2,layer_3,layer_4,layer_5"; strings.Join(names, ",") != want {
		t.Errorf("items %v, want %s", names, want)
	}
	if !early {
		t.Error("the third page was asked for only after the second was read")
	}
}

// A page shorter than asked (items deleted meanwhile) moves the offset: the
// page asked ahead is dropped and every remaining item still comes once.
func TestStreamShortPageDropsThePageAskedAhead(t *testing.T) {
	ts := newTestServer(t)
	page := pagedLayers(7, func(h http.Header, _, _ int) { h.Set("X-Total-Count", "7") })
	ts.handle("GET /rest/layers", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("offset") == "3" {
			r.URL.RawQuery = "limit=2&offset=3"
		}
		page(w, r)
	})
	var names []string
	for p, err := range ts.client.Layers.All(ctxT(t), &ListOptions{Limit: 3}) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, p.Name)
	}
	if want := "layer_0,layer_1,layer_2,layer_3,layer_4,layer_5,layer_6"; strings.Join(names, ",") != want {
		t.Errorf("items %v, want %s", names, want)
	}
	got := ts.got()
	if !slices.Contains(got, "GET /prefix/rest/layers?limit=3&offset=5") {
		t.Errorf("requests %q: the items after the short page were not asked for", got)
	}
}

// A server that ignores paging but counts its items is asked once: no page
// is asked ahead before one came back as full as asked.
func TestStreamServerIgnoringPagingWithTotal(t *testing.T) {
	ts := newTestServer(t)
	all := pagedLayers(50, func(h http.Header, _, _ int) { h.Set("X-Total-Count", "50") })
	ts.handle("GET /rest/layers", func(w http.ResponseWriter, r *http.Request) {
		r.URL.RawQuery = ""
		all(w, r)
	})
	n := 0
	for _, err := range ts.client.Layers.Stream(ctxT(t), &ListOptions{Limit: 10}, true).Items {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 50 {
		t.Errorf("%d items, want 50", n)
	}
	ts.expectRequests("GET /prefix/rest/layers?limit=10")
}

func TestStreamMalformedAnswers(t *testing.T) {
	for body, want := range map[string]string{
		`[{"name":"a"},{"na`: "the answer ends in the middle of the list",
		`{"name":"a"}`:       "want a JSON array of items, got an object",
		`[{"name":"a"}] x`:   "invalid character 'x'",
		`[{"name":"a"}] 7`:   "a number after the list",
		`["a"]`:              "want an object for each item, got a string",
		`null`:               "want a JSON array of items, got null",
	} {
		ts := newTestServer(t)
		ts.json("GET /rest/layers", 200, body)
		var names []string
		var errs []error
		for it, err := range ts.client.Layers.Stream(ctxT(t), nil, false).Items {
			if err != nil {
				errs = append(errs, err)
				continue
			}
			p, _ := it.Publication()
			names = append(names, p.Name)
		}
		if len(errs) != 1 || !strings.Contains(errs[0].Error(), "decoding answer to GET ") || !strings.Contains(errs[0].Error(), want) {
			t.Errorf("%s: errors %v, want one with %q", body, errs, want)
		}
		if len(names) > 1 || len(names) == 1 && names[0] != "a" {
			t.Errorf("%s: items %v", body, names)
		}
	}
}

// BenchmarkStreamList reads one 5,000-layer answer item by item: raw items
// (what -o json prints) and items decoded for a table.
func BenchmarkStreamList(b *testing.B) {
	const total = 5000
	items := make([]string, total)
	for i := range items {
		items[i] = pubJSON("layer", "ws", fmt.Sprintf("layer_%05d", i), uuid1)
	}
	body := []byte("[" + strings.Join(items, ",") + "]")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Total-Count", strconv.Itoa(total))
		_, _ = w.Write(body)
	}))
	b.Cleanup(srv.Close)
	c, err := New(srv.URL)
	if err != nil {
		b.Fatal(err)
	}
	for _, decode := range []bool{false, true} {
		b.Run(map[bool]string{false: "raw", true: "decoded"}[decode], func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				n := 0
				for it, err := range c.Layers.Stream(b.Context(), nil, false).Items {
					if err == nil && decode {
						_, err = it.Publication()
					}
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
				if n != total {
					b.Fatalf("%d items", n)
				}
			}
		})
	}
}
