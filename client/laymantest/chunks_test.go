package laymantest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// startChunked posts a layer with file names only and returns its URL.
func startChunked(t *testing.T, s *Server, names ...string) (layerURL string, toUpload []any) {
	t.Helper()
	parts := []part{{name: "workspace", content: "alice"}}
	for _, n := range names {
		parts = append(parts, part{name: "file", content: n})
	}
	r := postParts(t, "POST", s.URL+"/rest/layers", "tok-alice", parts...)
	var posted []map[string]any
	r.json(t, &posted)
	if r.status != 200 {
		t.Fatalf("POST names: %d %s", r.status, r.body)
	}
	toUpload, _ = posted[0]["files_to_upload"].([]any)
	return posted[0]["url"].(string), toUpload
}

func sendChunk(t *testing.T, layerURL, file string, n, total int, content string) response {
	t.Helper()
	return postParts(t, "POST", layerURL+"/chunk", "tok-alice",
		part{name: "resumableChunkNumber", content: fmt.Sprint(n)},
		part{name: "resumableTotalChunks", content: fmt.Sprint(total)},
		part{name: "resumableFilename", content: file},
		part{name: "layman_original_parameter", content: "file"},
		part{name: "file", filename: "blob", content: content})
}

func probeChunk(t *testing.T, layerURL, file string, n int) response {
	t.Helper()
	q := url.Values{"resumableChunkNumber": {fmt.Sprint(n)}, "resumableFilename": {file}, "layman_original_parameter": {"file"}}
	return get(t, layerURL+"/chunk?"+q.Encode(), "tok-alice")
}

func TestChunkedUpload(t *testing.T) {
	s := New(t, Options{Validator: testTokens, Strict: true})
	// A side file not named after the main file is not accepted.
	layerURL, toUpload := startChunked(t, s, "rivers.shp", "rivers.shx", "rivers.dbf", "rivers.prj", "other.txt")
	if fmt.Sprint(toUpload) != "[map[file:rivers.shp layman_original_parameter:file] map[file:rivers.shx layman_original_parameter:file] map[file:rivers.dbf layman_original_parameter:file] map[file:rivers.prj layman_original_parameter:file]]" {
		t.Fatalf("files_to_upload %v", toUpload)
	}
	uuid := layerURL[strings.LastIndex(layerURL, "/")+1:]

	if r := probeChunk(t, layerURL, "rivers.shp", 1); r.status != 404 {
		t.Fatalf("probe before upload: %d", r.status)
	}
	probeChunk(t, layerURL, "other.txt", 1).wantError(t, 400, 21)
	sendChunk(t, layerURL, "other.txt", 1, 1, "x").wantError(t, 400, 21)

	contents := map[string][]string{
		"rivers.shp": {"aaa", "bbb", "ccc"},
		"rivers.shx": {"shx"},
		"rivers.dbf": {"dbf"},
		"rivers.prj": {"prj"},
	}
	// Out of order and in parallel; chunk 3 is sent twice with different bytes.
	if r := sendChunk(t, layerURL, "rivers.shp", 3, 3, "old"); r.status != 200 {
		t.Fatalf("chunk: %d %s", r.status, r.body)
	}
	var wg sync.WaitGroup
	for name, chunks := range contents {
		for i, c := range chunks {
			if name == "rivers.shp" && i == 0 {
				continue // sent last, below
			}
			wg.Go(func() {
				if r := sendChunk(t, layerURL, name, i+1, len(chunks), c); r.status != 200 {
					t.Errorf("chunk %s/%d: %d %s", name, i+1, r.status, r.body)
				}
			})
		}
	}
	wg.Wait()
	if r := probeChunk(t, layerURL, "rivers.shp", 3); r.status != 200 {
		t.Fatalf("probe uploaded chunk: %d", r.status)
	}
	if info, _ := s.Publication(uuid); info.Status != StatusUpdating || !info.ChunkActive {
		t.Fatalf("before last chunk %+v", info)
	}
	sendChunk(t, layerURL, "rivers.shp", 1, 3, "aaa")

	info := waitStatus(t, layerURL, "tok-alice")
	if info["layman_metadata"].(map[string]any)["publication_status"] != StatusComplete {
		t.Fatalf("after upload %v", info)
	}
	for name, chunks := range contents {
		if got, _ := s.FileSHA256(uuid, name); got != sha(strings.Join(chunks, "")) {
			t.Errorf("%s sha %s, want sha of %q", name, got, strings.Join(chunks, ""))
		}
	}
	sendChunk(t, layerURL, "rivers.shp", 1, 3, "aaa").wantError(t, 400, 20)
	probeChunk(t, layerURL, "rivers.shp", 1).wantError(t, 400, 20)
	if n := s.ChunkRequests(uuid); n != 9 {
		t.Fatalf("ChunkRequests %d, want 9", n)
	}
}

func TestChunkLimits(t *testing.T) {
	s := New(t, Options{Validator: testTokens, MaxChunks: 999})
	layerURL, _ := startChunked(t, s, "big.geojson")
	e := sendChunk(t, layerURL, "big.geojson", 1, 1000, "x").wantError(t, 400, 2)
	if e["detail"].(map[string]any)["parameter"] != "resumableTotalChunks" {
		t.Fatalf("detail %v", e["detail"])
	}
	if r := sendChunk(t, layerURL, "big.geojson", 999, 999, "x"); r.status != 200 {
		t.Fatalf("chunk 999/999: %d %s", r.status, r.body)
	}
	// Layman never checks the chunk number (input_chunk.save_layer_file_chunk).
	if r := sendChunk(t, layerURL, "big.geojson", 1000, 999, "x"); r.status != 200 {
		t.Fatalf("chunk 1000/999: %d %s", r.status, r.body)
	}
	// Anonymous caller cannot write to alice's layer.
	body, ct := multipartBody(t, part{name: "resumableTotalChunks", content: "1"}, part{name: "file", filename: "b", content: "x"})
	do(t, "POST", layerURL+"/chunk", "", body, ct).wantError(t, 404, 15)
	// A layer published with file content has no chunk session.
	r := postParts(t, "POST", s.URL+"/rest/layers", "tok-alice", part{name: "workspace", content: "alice"},
		part{name: "file", filename: "small.geojson", content: geojson})
	var posted []map[string]any
	r.json(t, &posted)
	sendChunk(t, posted[0]["url"].(string), "small.geojson", 1, 1, "x").wantError(t, 400, 20)
}

func TestChunkInactivityTimeout(t *testing.T) {
	clock := newFakeClock()
	s := New(t, Options{Validator: testTokens, Clock: clock.Now, InactivityTimeout: 300 * time.Second})
	layerURL, _ := startChunked(t, s, "slow.geojson")
	sendChunk(t, layerURL, "slow.geojson", 1, 3, "a")
	clock.Advance(200 * time.Second)
	sendChunk(t, layerURL, "slow.geojson", 2, 3, "b") // new chunk: timer restarts
	clock.Advance(200 * time.Second)
	sendChunk(t, layerURL, "slow.geojson", 2, 3, "b") // re-sent: no restart
	clock.Advance(101 * time.Second)

	// The upload is dead, but the endpoint still answers like a live one
	// (layer/filesystem/tasks.py deletes only input_file/).
	info := waitStatus(t, layerURL, "tok-alice")
	file := info["file"].(map[string]any)
	if info["layman_metadata"].(map[string]any)["publication_status"] != StatusIncomplete || file["status"] != "FAILURE" ||
		file["error"].(map[string]any)["code"] != float64(22) {
		t.Fatalf("after timeout %v", info)
	}
	if r := probeChunk(t, layerURL, "slow.geojson", 1); r.status != 200 {
		t.Errorf("GET of a chunk saved before the timeout: %d %s", r.status, r.body)
	}
	if r := probeChunk(t, layerURL, "slow.geojson", 3); r.status != 404 {
		t.Errorf("GET of a missing chunk: %d %s", r.status, r.body)
	}
	if r := sendChunk(t, layerURL, "slow.geojson", 3, 3, "c"); r.status != 200 {
		t.Errorf("POST after the timeout: %d %s", r.status, r.body)
	}
	if r := probeChunk(t, layerURL, "slow.geojson", 3); r.status != 200 {
		t.Errorf("GET of the late chunk: %d %s", r.status, r.body)
	}
	if info := waitStatus(t, layerURL, "tok-alice"); info["layman_metadata"].(map[string]any)["publication_status"] != StatusIncomplete {
		t.Errorf("the late chunks revived the upload: %v", info)
	}
}

// A chunk re-sent after its file was assembled, while other files are still
// uploading, is saved again; master appends the re-assembled file to the
// target (input_chunk.py "ab"), 2.4 overwrites it ("wb").
func TestChunkResentAfterAssembly(t *testing.T) {
	for gen, want := range map[int]string{3: "prjprj", 2: "prj"} {
		t.Run(fmt.Sprint(gen), func(t *testing.T) {
			s := New(t, Options{Validator: testTokens, Generation: gen, ProcessingPolls: -1})
			s.AddUser("alice", WithSub("1"))
			var layerURL string
			if gen == 3 {
				layerURL, _ = startChunked(t, s, "r.shp", "r.shx", "r.dbf", "r.prj")
			} else {
				r := postParts(t, "POST", s.URL+"/rest/workspaces/alice/layers", "tok-alice", part{name: "file", content: "r.shp"},
					part{name: "file", content: "r.shx"}, part{name: "file", content: "r.dbf"}, part{name: "file", content: "r.prj"})
				var posted []map[string]any
				r.json(t, &posted)
				layerURL = posted[0]["url"].(string)
			}
			sendChunk(t, layerURL, "r.prj", 1, 1, "prj")
			s.assembling.Wait()
			sendChunk(t, layerURL, "r.prj", 1, 1, "prj")
			for _, n := range []string{"r.shp", "r.shx", "r.dbf"} {
				sendChunk(t, layerURL, n, 1, 1, "x")
			}
			s.assembling.Wait()
			info := waitStatus(t, layerURL, "tok-alice")
			ref := info["uuid"].(string)
			got, _ := s.FileSHA256(ref, "r.prj")
			if sum := sha256.Sum256([]byte(want)); got != hex.EncodeToString(sum[:]) {
				t.Errorf("r.prj after a re-sent chunk: sha %s, want that of %q", got, want)
			}
		})
	}
}

func TestPatchOpensChunkSession(t *testing.T) {
	s := New(t, Options{Validator: testTokens, Generation: 2, ProcessingPolls: -1})
	s.AddUser("alice", WithSub("1"))
	s.AddLayer("alice", "roads", Access([]string{"alice"}, []string{"alice"}))
	layerURL := s.URL + "/rest/workspaces/alice/layers/roads"
	r := postParts(t, "PATCH", layerURL, "tok-alice", part{name: "file", content: "roads.zip"})
	var patched map[string]any
	r.json(t, &patched)
	if r.status != 200 || fmt.Sprint(patched["files_to_upload"]) != "[map[file:roads.zip layman_original_parameter:file]]" {
		t.Fatalf("PATCH names: %d %s", r.status, r.body)
	}
	if r := sendChunk(t, layerURL, "roads.zip", 1, 1, "PK"); r.status != 200 {
		t.Fatalf("chunk: %d %s", r.status, r.body)
	}
	waitStatus(t, layerURL, "tok-alice")
	if got, ok := s.FileSHA256("alice:roads", "roads.zip"); !ok || got != sha("PK") {
		t.Fatalf("sha %q", got)
	}
}

// A chunk the fake cannot store is answered with Layman's error 2, not
// acknowledged as saved.
func TestChunkNotSavedIsAnError(t *testing.T) {
	s := New(t, Options{Validator: testTokens, Strict: true})
	layerURL, _ := startChunked(t, s, "rivers.geojson")
	uuid := layerURL[strings.LastIndex(layerURL, "/")+1:]
	// A file where the chunk directory goes: nobody, root included, can create it.
	blocked := filepath.Join(s.dataDir, "layers", uuid, "input_chunk", "chunks")
	if err := os.MkdirAll(filepath.Dir(blocked), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(blocked, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	sendChunk(t, layerURL, "rivers.geojson", 1, 2, "{}").wantError(t, 400, 2)
	if r := probeChunk(t, layerURL, "rivers.geojson", 1); r.status != 404 {
		t.Errorf("probe of the chunk not saved: %d %s", r.status, r.body)
	}
}
