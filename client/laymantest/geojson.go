package laymantest

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"
)

// GeoJSON is a valid GeoJSON FeatureCollection of exactly size bytes (at
// least 128) whose features carry pseudo-random properties by seed, so that
// uploads of it can be checked byte for byte: laymanctl refuses GeoJSON
// files that are not JSON.
func GeoJSON(size int, seed uint64) []byte {
	const head, tail = `{"type":"FeatureCollection","features":[`, `]}`
	const open, close = `{"type":"Feature","geometry":null,"properties":{"p":"`, `"}}`
	if size < 128 {
		panic(fmt.Sprintf("laymantest.GeoJSON: %d bytes is too small", size))
	}
	r := rand.New(rand.NewPCG(seed, seed))
	var b strings.Builder
	b.Grow(size)
	b.WriteString(head)
	const padLen = 1024 // hex digits of a full feature
	empty := len(open) + len(close)
	raw := make([]byte, padLen)
	for first := true; ; first = false {
		left := size - b.Len() - len(tail)
		if !first {
			b.WriteByte(',')
			left--
		}
		for i := range raw {
			raw[i] = byte(r.Uint32())
		}
		pad := hex.EncodeToString(raw)
		if left-empty-padLen >= 1+empty {
			b.WriteString(open + pad[:padLen] + close)
			continue
		}
		b.WriteString(open + pad[:left-empty] + close)
		break
	}
	b.WriteString(tail)
	return []byte(b.String())
}
