package publish_test

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/client/laymantest"
	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

const ws = cmdtest.Username

// data is deterministic pseudo-random content, so a lost or reordered
// chunk changes the hash.
func data(size int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, size)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func write(t *testing.T, dir, name string, content []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, content, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const geojson = `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"n":1},"geometry":{"type":"Point","coordinates":[14.4,50.1]}}]}`

func zipOf(t *testing.T, path string, files map[string][]byte) string {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for name, content := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(content)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path
}

// published decodes `-o json` output: the server's answer naming the
// layer.
func published(t *testing.T, r cmdtest.Result) (name, uuid string) {
	t.Helper()
	var doc struct{ Name, UUID string }
	if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil || doc.Name == "" {
		t.Fatalf("stdout is not the publication's JSON (%v):\n%s", err, r)
	}
	return doc.Name, doc.UUID
}

// Every kind of input reaches the server byte for byte, directly when
// small and in chunks from the threshold on.
func TestPublishRoundTrip(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		dir := t.TempDir()
		cases := []struct {
			name    string
			files   []string
			extra   []string
			chunked bool
		}{
			{"rivers", []string{write(t, dir, "rivers.geojson", []byte(geojson))}, nil, false},
			{"roads", []string{
				write(t, dir, "roads.shp", data(3000, 1)), write(t, dir, "roads.shx", data(200, 2)),
				write(t, dir, "roads.dbf", data(900, 3)), write(t, dir, "roads.prj", []byte(`PROJCS["S-JTSK"]`)),
			}, nil, false},
			{"dem", []string{write(t, dir, "dem.tif", data(1<<20+12345, 4)), write(t, dir, "dem.tfw", []byte("1\n0\n0\n-1\n0\n0\n"))}, []string{"--chunk-size", "64KiB"}, true},
			{"zipped", []string{zipOf(t, filepath.Join(dir, "zipped.zip"), map[string][]byte{"parcels.geojson": []byte(geojson)})}, nil, false},
			{"series", []string{write(t, dir, "s2_20240101.tif", data(700_000, 5)), write(t, dir, "s2_20240201.tif", data(700_000, 6))},
				[]string{"--time-regex", "[0-9]{8}", "--time-regex-format", "yyyyMMdd", "--chunk-size", "100KiB", "--parallel", "3"}, true},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				h.T = t
				h.Server.ResetRequests()
				// --wait: Layman assembles chunks after the last one arrives.
				args := append([]string{"layers", "publish", "-q", "-o", "json", "--wait", "--workspace", ws, "--name", c.name}, c.extra...)
				r := h.Run(append(args, c.files...)...)
				if r.Code != 0 {
					t.Fatalf("publish failed:\n%s", r)
				}
				name, _ := published(t, r)
				ref := "layer:" + ws + ":" + name
				for _, p := range c.files {
					got, ok := h.Server.FileSHA256(ref, filepath.Base(p))
					if want := laymantest.SHA256File(t, p); !ok || got != want {
						t.Errorf("%s: server sha256 %q (stored %v), local %s", filepath.Base(p), got, ok, want)
					}
				}
				if chunks := h.Server.ChunkRequests(ref); (chunks > 0) != c.chunked {
					t.Errorf("chunk requests: %d, want chunked=%v", chunks, c.chunked)
				}
				if r.Stderr != "" {
					t.Errorf("stderr with --quiet should be empty:\n%s", r.Stderr)
				}
			})
		}
	})
}

// The default table for scripts is one tab-separated row.
func TestPublishTableOutput(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{Generation: 3})
	path := write(t, t.TempDir(), "rivers.geojson", []byte(geojson))
	r := h.Run("layers", "publish", "-w", ws, path)
	info, ok := h.Server.Publication("layer:" + ws + ":rivers")
	if r.Code != 0 || !ok {
		t.Fatalf("publish failed:\n%s", r)
	}
	if want := ws + "\trivers\t" + info.UUID + "\tUPDATING\n"; r.Stdout != want {
		t.Errorf("stdout %q, want %q", r.Stdout, want)
	}
}

func TestUpdateAndMaps(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		h.SeedLayer("rivers", "Rivers")
		dir := t.TempDir()
		big := write(t, dir, "rivers.geojson", laymantest.GeoJSON(1<<20+200, 1))
		r := h.Run("layers", "update", ws+":rivers", big, "--title", "Rivers 2024", "--chunk-size", "128KiB", "--wait")
		if r.Code != 0 {
			t.Fatalf("update failed:\n%s", r)
		}
		info, _ := h.Server.Publication("layer:" + ws + ":rivers")
		got, _ := h.Server.FileSHA256("layer:"+ws+":rivers", "rivers.geojson")
		if info.Title != "Rivers 2024" || got != laymantest.SHA256File(t, big) || h.Server.ChunkRequests("layer:"+ws+":rivers") == 0 {
			t.Errorf("update not applied in chunks: title %q, sha %s", info.Title, got)
		}
		if !strings.Contains(r.Stdout, "COMPLETE") {
			t.Errorf("--wait should print the final status:\n%s", r)
		}

		comp := write(t, dir, "city.json", []byte(`{"describedBy":"https://raw.githubusercontent.com/hslayers/map-compositions/3.0.0/schema.json","schema_version":"3.0.0","name":"city","title":"City","abstract":"","projection":"epsg:3857","extent":[14,50,15,51],"nativeExtent":[1558472.87,6446275.84,1669792.36,6621293.72],"layers":[]}`))
		r = h.Run("maps", "publish", comp, "-w", ws, "--read", "EVERYONE", "-o", "json")
		if r.Code != 0 {
			t.Fatalf("maps publish failed:\n%s", r)
		}
		name, _ := published(t, r)
		r = h.Run("maps", "update", ws+":"+name, "--title", "Town", "--wait")
		m, _ := h.Server.Publication("map:" + ws + ":" + name)
		if r.Code != 0 || m.Title != "Town" || m.Read[0] != "EVERYONE" {
			t.Errorf("maps update: %+v\n%s", m, r)
		}
	})
}

// Bad input exits 2 with a message, and the server sees nothing.
func TestBadInputSendsNothing(t *testing.T) {
	dir := t.TempDir()
	rivers := write(t, dir, "rivers.geojson", []byte(geojson))
	shp := write(t, dir, "roads.shp", []byte("x"))
	shx := write(t, dir, "roads.shx", []byte("x"))
	prj := write(t, dir, "roads.prj", []byte("x"))
	txt := write(t, dir, "notes.txt", []byte("x"))
	z1 := zipOf(t, filepath.Join(dir, "a.zip"), map[string][]byte{"a.geojson": []byte(geojson)})
	z2 := zipOf(t, filepath.Join(dir, "b.zip"), map[string][]byte{"b.geojson": []byte(geojson)})
	notJSON := write(t, dir, "city.json", []byte("<map/>"))
	tif := write(t, dir, "dem_20240101.tif", []byte("x"))
	empty := write(t, dir, "empty.geojson", nil)
	truncated := write(t, dir, "cut.geojson", []byte(geojson[:len(geojson)-20]))
	cases := []struct {
		name string
		args []string
		msg  string
	}{
		{"missing file", []string{"layers", "publish", "-w", ws, filepath.Join(dir, "nope.geojson")}, "does not exist"},
		{"directory as file", []string{"layers", "publish", "-w", ws, dir}, "is a directory, not a file"},
		{"unsupported extension", []string{"layers", "publish", "-w", ws, txt}, "no data file"},
		{"shapefile without dbf", []string{"layers", "publish", "-w", ws, shp, shx, prj}, ".dbf"},
		{"two zips", []string{"layers", "publish", "-w", ws, z1, z2}, "at most one ZIP"},
		{"bad workspace", []string{"layers", "publish", "-w", "Bad-Name", rivers}, "workspace"},
		{"no file and no workspace", []string{"layers", "publish", "--title", "T"}, "file"},
		{"long name", []string{"layers", "publish", "-w", ws, "--name", strings.Repeat("n", 211), rivers}, "at most 210"},
		{"bad chunk size", []string{"layers", "publish", "-w", ws, "--chunk-size", "big", rivers}, "chunk-size"},
		{"bad parallel", []string{"layers", "publish", "-w", ws, "--parallel", "0", rivers}, "--parallel"},
		{"too parallel", []string{"layers", "publish", "-w", ws, "--parallel", "64", rivers}, "--parallel"},
		{"map not JSON", []string{"maps", "publish", notJSON, "-w", ws}, "is not valid JSON: "},
		{"map bad workspace", []string{"maps", "publish", notJSON, "-w", "Bad-Name"}, "workspace"},
		{"update missing file", []string{"layers", "update", ws + ":rivers", filepath.Join(dir, "nope.geojson")}, "does not exist"},
		{"update map not JSON", []string{"maps", "update", ws + ":city", notJSON}, "is not valid JSON: "},
		{"resume directory", []string{"layers", "resume", ws + ":rivers", dir}, "is a directory, not a file"},
		{"resume bad ref", []string{"layers", "resume", "rivers", rivers}, "invalid publication reference"},
		{"time regex neither Python nor Go accepts", []string{"layers", "publish", "-w", ws, "--time-regex", `(\d{8}`, tif}, "not a valid regular expression"},
		{"time regex Python refuses", []string{"layers", "publish", "-w", ws, "--time-regex", `\d{8}\z`, tif}, "Python's re"},
		{"update time regex", []string{"layers", "update", ws + ":dem", "--time-regex", `[0-9`, tif}, "not a valid regular expression"},
		{"empty GeoJSON", []string{"layers", "publish", "-w", ws, empty}, "it is empty"},
		{"truncated GeoJSON", []string{"layers", "publish", "-w", ws, truncated}, "truncated"},
		{"update truncated GeoJSON", []string{"layers", "update", ws + ":rivers", truncated}, "truncated"},
		{"wait and no-wait", []string{"layers", "publish", "-w", ws, "--wait", "--no-wait", rivers}, "--no-wait"},
	}
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				h.T = t
				h.Server.ResetRequests()
				r := h.Run(c.args...)
				if r.Code != 2 || !strings.Contains(r.Stderr, c.msg) || r.Stdout != "" {
					t.Errorf("want exit 2 and %q:\n%s", c.msg, r)
				}
				h.ExpectNoRequests()
			})
		}
	})
}

func TestWait(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{ProcessingPolls: 2}, func(t *testing.T, h *cmdtest.Harness) {
		path := write(t, t.TempDir(), "rivers.geojson", []byte(geojson))
		r := h.Run("layers", "publish", "-w", ws, "--wait", "-o", "json", path)
		var doc struct {
			Meta struct {
				Status string `json:"publication_status"`
			} `json:"layman_metadata"`
		}
		if r.Code != 0 || json.Unmarshal([]byte(r.Stdout), &doc) != nil || doc.Meta.Status != "COMPLETE" {
			t.Fatalf("want exit 0 and the COMPLETE layer's JSON:\n%s", r)
		}

		h.Server.SetIncomplete(ws+":broken", "wms", laymantest.ErrorJSON(2, "GeoServer refused the style"))
		r = h.RunWith(cmdtest.RunOptions{ErrTTY: true}, "layers", "publish", "-w", ws, "--name", "broken", "-q", path)
		if r.Code != 5 || !strings.Contains(r.Stderr, "INCOMPLETE") || !strings.Contains(r.Stderr, "wms") || !strings.Contains(r.Stderr, "Wrong parameter value") {
			t.Errorf("want exit 5 naming the failed source and its error:\n%s", r)
		}
		if !strings.Contains(r.Stdout, "INCOMPLETE") {
			t.Errorf("the final state belongs on stdout:\n%s", r)
		}
	})
}

// Progress and status lines are drawn for a person at a terminal only.
func TestProgressOnlyOnTerminal(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{Generation: 3, ProcessingPolls: 1})
	dir := t.TempDir()
	files := []string{write(t, dir, "dem.tif", data(1<<20, 7)), write(t, dir, "dem.tfw", []byte("1\n0\n0\n-1\n0\n0\n"))}
	args := append([]string{"layers", "publish", "-w", ws, "--chunk-size", "128KiB", "--wait"}, files...)

	r := h.RunWith(cmdtest.RunOptions{ErrTTY: true}, append(args, "--name", "tty")...)
	if r.Code != 0 {
		t.Fatalf("publish failed:\n%s", r)
	}
	for _, want := range []string{"dem.tif", "dem.tfw", "total", "MiB", "layer " + ws + ":tty COMPLETE"} {
		if !strings.Contains(r.Stderr, want) {
			t.Errorf("stderr on a terminal lacks %q:\n%s", want, r.Stderr)
		}
	}
	if strings.Contains(r.Stdout, "dem.tif") {
		t.Errorf("progress leaked to stdout:\n%s", r.Stdout)
	}

	// A log gets plain lines, no bar drawing.
	r = h.Run(append(args, "--name", "log")...)
	for _, want := range []string{"uploading 2 file(s): 1.0 MiB of 1.0 MiB (100%)\n", "layer " + ws + ":log COMPLETE\n"} {
		if r.Code != 0 || !strings.Contains(r.Stderr, want) || strings.Contains(r.Stderr, "\r") || strings.Contains(r.Stderr, "\x1b") {
			t.Errorf("log lacks %q or holds terminal controls:\n%s", want, r)
		}
	}
	for _, o := range []cmdtest.RunOptions{{}, {ErrTTY: true}} {
		r = h.RunWith(o, append(args, "--name", fmt.Sprintf("quiet_%v", o.ErrTTY), "--quiet")...)
		if r.Code != 0 || r.Stderr != "" {
			t.Errorf("tty %v: want exit 0 and an empty stderr:\n%s", o.ErrTTY, r)
		}
	}
}

// An upload that cannot go on (here: the server stops accepting the token
// mid-upload) exits 1 and says once how to finish it.
func TestFailedUploadPrintsResume(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{Generation: 3})
	path := write(t, t.TempDir(), "rivers.geojson", laymantest.GeoJSON(1<<20, 8))
	h.Server.SetFault(func(r *http.Request) laymantest.Fault {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/chunk") {
			return laymantest.Fault{Status: http.StatusForbidden, Body: laymantest.ErrorJSON(32, nil)}
		}
		return laymantest.Fault{}
	})
	r := h.Run("layers", "publish", "-w", ws, "--chunk-size", "256KiB", path)
	info, _ := h.Server.Publication("layer:" + ws + ":rivers")
	want := "laymanctl layers resume " + info.UUID + " --chunk-size 256KiB " + path
	if r.Code != 1 || strings.Count(r.Stderr, want) != 1 || r.Stdout != "" {
		t.Errorf("want exit 1 and the resume command %q once:\n%s", want, r)
	}
}

// Waiting that runs out of time is an error that says the data is on the
// server and how to keep following it.
func TestWaitTimeout(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{Generation: 2, ProcessingPolls: 1 << 20})
	path := write(t, t.TempDir(), "rivers.geojson", []byte(geojson))
	r := h.Run("layers", "publish", "-w", ws, "--wait", "--timeout", "300ms", path)
	if r.Code != 1 || !strings.Contains(r.Stderr, "still processing after 300ms") || !strings.Contains(r.Stderr, "laymanctl layers wait "+ws+":rivers") {
		t.Errorf("want exit 1 with a `layers wait` hint:\n%s", r)
	}
	if _, ok := h.Server.Publication("layer:" + ws + ":rivers"); !ok {
		t.Error("the layer should exist on the server")
	}
}
