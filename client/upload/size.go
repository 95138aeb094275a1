package upload

import (
	"fmt"
	"strconv"
	"strings"
)

const (
	KiB = 1 << 10
	MiB = 1 << 20
	GiB = 1 << 30

	// DefaultChunkSize keeps every chunk request below the 1–2 MB body
	// limit common in reverse proxies in front of Layman.
	DefaultChunkSize = 1 * MiB
	// DefaultThreshold is the total size from which files go in chunks.
	DefaultThreshold = 1 * MiB
	// MaxChunks is Layman's limit of chunks per file (error 2 above it).
	MaxChunks = 999
	// chunkAlign is the granularity a chunk size is raised by.
	chunkAlign   = 64 * KiB
	maxChunkSize = 1 * GiB
)

var sizeUnits = []struct {
	suffix string
	factor int64
}{
	{"gib", GiB}, {"mib", MiB}, {"kib", KiB},
	{"gb", 1000 * 1000 * 1000}, {"mb", 1000 * 1000}, {"kb", 1000},
	{"b", 1},
}

// ParseSize reads a byte size such as "4MiB", "512KiB", "2MB" or "1048576".
func ParseSize(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	factor := int64(1)
	for _, u := range sizeUnits {
		if strings.HasSuffix(t, u.suffix) {
			t, factor = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.factor
			break
		}
	}
	n, err := strconv.ParseFloat(t, 64)
	if err != nil || t == "" {
		return 0, &ValidationError{Field: "chunk-size", Message: fmt.Sprintf("%q is not a size like 4MiB, 512KiB, 2MB or 1048576", s)}
	}
	v := n * float64(factor)
	if v < 1 || v > maxChunkSize {
		return 0, &ValidationError{Field: "chunk-size", Message: fmt.Sprintf("%q must be between 1 B and 1 GiB", s)}
	}
	return int64(v), nil
}

// FormatSize writes a size the way ParseSize reads it back exactly.
func FormatSize(n int64) string {
	switch {
	case n%GiB == 0:
		return strconv.FormatInt(n/GiB, 10) + "GiB"
	case n%MiB == 0:
		return strconv.FormatInt(n/MiB, 10) + "MiB"
	case n%KiB == 0:
		return strconv.FormatInt(n/KiB, 10) + "KiB"
	}
	return strconv.FormatInt(n, 10)
}

// ChunkSizeFor is the chunk size used for a file: the requested size, raised
// to a multiple of 64 KiB when the file would otherwise need more than 999
// chunks. It depends only on its inputs, so a resume splits files exactly
// as the interrupted upload did.
func ChunkSizeFor(requested, fileSize int64) int64 {
	if requested <= 0 {
		requested = DefaultChunkSize
	}
	if chunkCount(fileSize, requested) <= MaxChunks {
		return requested
	}
	need := (fileSize + MaxChunks - 1) / MaxChunks
	return (need + chunkAlign - 1) / chunkAlign * chunkAlign
}

// chunkCount is how many chunks a file of size is split in; an empty file
// is still one (empty) chunk, so that the server assembles it.
func chunkCount(size, chunk int64) int {
	if size == 0 {
		return 1
	}
	return int((size + chunk - 1) / chunk)
}
