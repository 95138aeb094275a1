package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"testing"
)

// benchItems is a list --all stream of n layer-like items.
func benchItems(n int) (iter.Seq2[json.RawMessage, error], int) {
	raws := make([]json.RawMessage, n)
	size := 0
	for i := range raws {
		raws[i] = json.RawMessage(fmt.Sprintf(`{"workspace":"bench","publication_type":"layer","name":"layer_%05d","title":"Layer %d","uuid":"0e8d3b5a-1f2c-4d6e-8a9b-0c1d2e3f4a5b","updated_at":"2024-03-18T09:29:53.769233+00:00","access_rights":{"read":["EVERYONE"],"write":["EVERYONE"]},"bounding_box":[1.5,2,3,4],"geodata_type":"vector","wfs_wms_status":"AVAILABLE"}`, i, i))
		size += len(raws[i])
	}
	return func(yield func(json.RawMessage, error) bool) {
		for _, r := range raws {
			if !yield(r, nil) {
				return
			}
		}
	}, size
}

func benchmarkPrintList(b *testing.B, format, jq string) {
	items, size := benchItems(5000)
	streams := &IOStreams{Out: io.Discard, ErrOut: io.Discard}
	p, err := NewPrinter(streams, format, jq)
	if err != nil {
		b.Fatal(err)
	}
	row := func(json.RawMessage) ([]string, error) {
		return []string{"bench", "layer", "Layer", "vector", "AVAILABLE"}, nil
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		if err := PrintList(p, items, rawJSON, []string{"WORKSPACE", "NAME", "TITLE", "TYPE", "STATUS"}, row); err != nil {
			b.Fatal(err)
		}
	}
}

// The output side of `list --all`: items stream through without being held.
func BenchmarkPrintListJSON(b *testing.B)  { benchmarkPrintList(b, "json", "") }
func BenchmarkPrintListTable(b *testing.B) { benchmarkPrintList(b, "table", "") }
func BenchmarkPrintListYAML(b *testing.B)  { benchmarkPrintList(b, "yaml", "") }

// --jq starting with .[] runs per item; other expressions hold the list.
func BenchmarkPrintListJQ(b *testing.B)      { benchmarkPrintList(b, "", ".[].uuid") }
func BenchmarkPrintListJQWhole(b *testing.B) { benchmarkPrintList(b, "", "map(.uuid)") }
