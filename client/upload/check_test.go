package upload

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/client/laymantest"
)

// --time-regex is compiled locally: what neither Python's re (Layman's)
// nor Go's regexp accepts, or what only Go accepts, is refused; what only
// Python accepts is left to the server.
func TestTimeRegexCheckedLocally(t *testing.T) {
	for _, c := range []struct {
		expr string
		bad  string // part of the message; "" means accepted
	}{
		{`[0-9]{8}`, ""},
		{`^.*_(\d{8})\.tif$`, ""},
		{`(?P<d>\d{8})`, ""},
		{`(?<=_)\d{8}`, ""}, // lookbehind: Python only
		{`(\d)\1`, ""},      // backreference: Python only
		{`(\d{8}`, "missing closing )"},
		{`[0-9`, "missing closing ]"},
		{`*abc`, "missing argument to repetition operator"},
		{`\d{8}\z`, `\z`},
		{`\pL`, `\p`},
		{`(?<d>\d{8})`, "(?P<name>...)"},
		{`\\z`, ""}, // an escaped backslash, then z
	} {
		err := checkTimeRegex(c.expr)
		var ve *ValidationError
		switch {
		case c.bad == "" && err != nil:
			t.Errorf("%s refused: %v", c.expr, err)
		case c.bad != "" && (!errors.As(err, &ve) || ve.Field != "time-regex" || !strings.Contains(err.Error(), c.bad)):
			t.Errorf("%s: %v, want a time-regex error saying %q", c.expr, err, c.bad)
		}
	}
}

func TestGeoJSONChecked(t *testing.T) {
	for _, c := range []struct {
		name, content, bad string
	}{
		{"collection", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":null}]}` + "\n", ""},
		{"geometry", `{"coordinates":[1,2],"type":"Point"}`, ""},
		{"empty", ``, "it is empty"},
		{"blank", " \n", "it is empty"},
		{"truncated", `{"type":"FeatureCollection","features":[{"type":"Feature"`, "truncated"},
		{"truncated in a string", `{"type":"FeatureCollection","features":[{"type":"Feat`, "truncated"},
		{"not JSON", `<kml/>`, "is not valid JSON"},
		{"array", `[1,2]`, "not a JSON object"},
		{"no type", `{"features":[]}`, `no "type"`},
		{"other type", `{"type":"Topology"}`, `"Topology" is not a GeoJSON type`},
		{"features not an array", `{"type":"FeatureCollection","features":{}}`, `"features" is not an array`},
		{"two objects", `{"type":"Point","coordinates":[1,2]}{}`, "more data follows"},
		{"bad feature", `{"type":"FeatureCollection","features":[{"type":}]}`, "is not valid JSON"},
	} {
		path := writeFiles(t, map[string]string{"a.geojson": c.content})["a.geojson"]
		err := checkGeoJSONFile(File{Path: path, Name: "a.geojson"})
		var ve *ValidationError
		switch {
		case c.bad == "" && err != nil:
			t.Errorf("%s refused: %v", c.name, err)
		case c.bad != "" && (!errors.As(err, &ve) || !strings.Contains(err.Error(), c.bad)):
			t.Errorf("%s: %v, want a validation error saying %q", c.name, err, c.bad)
		}
	}
}

// Features are checked in runs of the reader's buffer: an error deep in a
// file of many, between runs or inside one, is found and placed at its byte,
// and features holding commas between objects pass.
func TestManyFeaturesChecked(t *testing.T) {
	const gc = `{"type":"Feature","properties":{"l":[{"a":1},{"b":2}]},"geometry":{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]},{"type":"Point","coordinates":[3,4]}]}}`
	features := slices.Repeat([]string{gc}, 20000) // 3.7 MB
	good := `{"type":"FeatureCollection","features":[` + strings.Join(features, ",\n") + "]}"
	if err := checkGeoJSON(strings.NewReader(good)); err != nil {
		t.Fatalf("valid file refused: %v", err)
	}
	for _, i := range []int{0, 1, 1500, 1501, 12345, 19999} {
		bad := slices.Clone(features)
		bad[i] = strings.Replace(gc, `"b":2`, `"b":tru`, 1)
		content := `{"type":"FeatureCollection","features":[` + strings.Join(bad, ",\n") + "]}"
		// encoding/json's offset counts the bytes read, the "}" included.
		want := fmt.Sprintf("(at byte %d)", strings.Index(content, "tru}")+4)
		err := geoJSONError("a.geojson", checkGeoJSON(strings.NewReader(content)))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("feature %d invalid: %v, want an error %s", i, err, want)
		}
	}
}

// A large GeoJSON file is checked as its chunks are read: when it is not
// valid JSON the upload stops before the last chunk, and the layer the
// command created for it is deleted.
func TestChunkedGeoJSONCheckedBeforeLastChunk(t *testing.T) {
	generations(t, func(t *testing.T, gen int) {
		e := newEnv(t, gen)
		journal := t.TempDir()
		e.up.Journal = NewFileJournal(journal)
		good := laymantest.GeoJSON(3*MiB, 1)
		bad := append(good[:len(good)-2:len(good)-2], `,`...) // truncated near the end
		bad = append(bad, make([]byte, 2)...)
		path := writeFiles(t, map[string]string{"big.geojson": string(bad)})["big.geojson"]
		_, err := e.up.Publish(context.Background(), LayerParams{Workspace: "alice", Name: "big", Files: []string{path}})
		var ve *ValidationError
		if !errors.As(err, &ve) || !strings.Contains(err.Error(), "is not valid JSON") || !strings.Contains(err.Error(), "was deleted") {
			t.Fatalf("err = %v, want a validation error saying that the layer was deleted", err)
		}
		chunks := 0
		for _, r := range e.srv.Requests() {
			if r.Method == "POST" && strings.HasSuffix(r.Path, "/chunk") {
				chunks++
			}
		}
		if want := int(int64(len(bad))/DefaultChunkSize) + 1; chunks >= want {
			t.Errorf("%d chunk requests, want fewer than the file's %d chunks", chunks, want)
		}
		if _, ok := e.srv.Publication("layer:alice:big"); ok {
			t.Error("the layer created for the refused file is still there")
		}
		// Nothing to resume: no journal record of the deleted layer stays.
		if left, _ := os.ReadDir(journal); len(left) > 0 {
			t.Errorf("%d journal record(s) of the deleted layer left behind", len(left))
		}

		path = writeFiles(t, map[string]string{"big.geojson": string(good)})["big.geojson"]
		if _, err := e.up.Publish(context.Background(), LayerParams{Workspace: "alice", Name: "big", Files: []string{path}}); err != nil {
			t.Fatalf("valid file: %v", err)
		}
	})
}
