package upload

import (
	"errors"
	"testing"
)

func TestParseSize(t *testing.T) {
	good := map[string]int64{"4MiB": 4 * MiB, "512KiB": 512 * KiB, "1GiB": GiB, "2MB": 2e6, "10kb": 1e4, "1048576": MiB, "100B": 100, " 1 MiB ": MiB}
	for in, want := range good {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "-1MiB", "2GiB", "lots", "MiB", "4XB"} {
		_, err := ParseSize(in)
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("ParseSize(%q) err = %v, want *ValidationError", in, err)
		}
	}
	for _, n := range []int64{MiB, 3 * KiB, 1000, 5 * GiB / 5} {
		if got, err := ParseSize(FormatSize(n)); err != nil || got != n {
			t.Errorf("ParseSize(FormatSize(%d)) = %d, %v", n, got, err)
		}
	}
}

func TestChunkSizeFor(t *testing.T) {
	cases := []struct{ requested, size, want int64 }{
		{0, 10 * MiB, DefaultChunkSize},
		{MiB, 999 * MiB, MiB},
		{MiB, 999*MiB + 1, MiB + 64*KiB},
		{MiB, 2 * GiB, 2112 * KiB},
		{4 * MiB, 100 * MiB, 4 * MiB},
	}
	for _, c := range cases {
		got := ChunkSizeFor(c.requested, c.size)
		if got != c.want {
			t.Errorf("ChunkSizeFor(%d, %d) = %d, want %d", c.requested, c.size, got, c.want)
		}
		if n := chunkCount(c.size, got); n > MaxChunks {
			t.Errorf("ChunkSizeFor(%d, %d) gives %d chunks", c.requested, c.size, n)
		}
	}
	if chunkCount(0, MiB) != 1 {
		t.Error("an empty file must still be one chunk")
	}
}
