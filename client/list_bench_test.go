package client

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkAllPages streams a 5,000-layer list in pages of DefaultPageSize
// from a server that answers from memory, so the figure is the client's
// paging loop: requests, reading, decoding and keeping each item's Raw.
func BenchmarkAllPages(b *testing.B) {
	const total = 5000
	items := make([]string, total)
	for i := range items {
		items[i] = pubJSON("layer", "ws", fmt.Sprintf("layer_%05d", i), uuid1)
	}
	pages := map[string][]byte{}
	size := 0
	for off := 0; off < total; off += DefaultPageSize {
		body := "[" + strings.Join(items[off:min(off+DefaultPageSize, total)], ",") + "]"
		pages[strconv.Itoa(off)] = []byte(body)
		size += len(body)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		off := r.URL.Query().Get("offset")
		if off == "" {
			off = "0"
		}
		body, ok := pages[off]
		if r.URL.Path != "/rest/layers" || !ok {
			http.Error(w, "unexpected request", http.StatusTeapot)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Total-Count", strconv.Itoa(total))
		_, _ = w.Write(body)
	}))
	b.Cleanup(srv.Close)
	c, err := New(srv.URL, WithGeneration(Gen3))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for p, err := range c.Layers.All(b.Context(), nil) {
			if err != nil || p.Raw == nil {
				b.Fatalf("item %d: %v", n, err)
			}
			n++
		}
		if n != total {
			b.Fatalf("streamed %d items, want %d", n, total)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*total), "ns/item")
}
