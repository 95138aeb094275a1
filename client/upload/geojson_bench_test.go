package upload

import (
	"bytes"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

// benchGeoJSON is a FeatureCollection of mib MiB of the LineString
// .ci/bench uploads.
func benchGeoJSON(mib int) []byte {
	f := `{"type":"Feature","properties":{"name":"Vltava","class":3},"geometry":{"type":"LineString","coordinates":[[14.4208,50.0880],[14.4312,50.0931],[14.4420,50.1017]]}}`
	n := mib << 20 / (len(f) + 2)
	return []byte(`{"type":"FeatureCollection","features":[` + strings.TrimSuffix(strings.Repeat(f+",\n", n), ",\n") + "]}\n")
}

// BenchmarkCheckGeoJSON is the check of a chunked GeoJSON upload; its
// reference, BenchmarkGJSONValid, the fastest check of a whole file held in
// memory.
func BenchmarkCheckGeoJSON(b *testing.B) {
	data := benchGeoJSON(64)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if err := checkGeoJSON(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGJSONValid(b *testing.B) {
	data := benchGeoJSON(64)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if !gjson.ValidBytes(data) {
			b.Fatal("invalid")
		}
	}
}
