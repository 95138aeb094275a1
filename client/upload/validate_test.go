package upload

import (
	"archive/zip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFiles creates files (name → content) in a temp dir and returns paths.
func writeFiles(t *testing.T, files map[string]string) map[string]string {
	t.Helper()
	dir := t.TempDir()
	paths := map[string]string{}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		paths[name] = p
	}
	return paths
}

func writeZip(t *testing.T, path string, names ...string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("x"))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

const sld = `<?xml version="1.0"?><!-- c --><sld:StyledLayerDescriptor xmlns:sld="http://www.opengis.net/sld" version="1.0.0"/>`
const qml = `<!DOCTYPE qgis><qgis version="3.28"></qgis>`

func TestValidateLayer(t *testing.T) {
	p := writeFiles(t, map[string]string{
		"roads.geojson": "{}", "b.shp": "x", "b.shx": "x", "b.dbf": "x", "b.prj": "x", "b.cpg": "x",
		"c.shp": "x", "c.shx": "x", "c.dbf": "x",
		"r.tif": "x", "r.tfw": "x", "other.tfw": "x", "img.png": "x", "img.png.aux.xml": "x",
		"s_20200101.tif": "x", "s_20200102.tif": "x", "s_20200101.png": "x",
		"style.sld": sld, "style.qml": qml, "bad.xml": "<foo/>", "broken.xml": "not xml",
		"readme.txt": "x", "data.zip": "", "data2.zip": "", "empty.zip": "",
	})
	dir := filepath.Dir(p["b.shp"])
	writeZip(t, p["data.zip"], "in/b.shp", "in/b.shx", "in/b.dbf", "in/b.prj")
	writeZip(t, p["data2.zip"], "r.tif")
	writeZip(t, p["empty.zip"], "readme.txt")
	if err := os.WriteFile(filepath.Join(dir, "notzip.zip"), []byte("nope"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := func(files ...string) LayerParams {
		lp := LayerParams{Workspace: "alice"}
		for _, f := range files {
			if strings.HasPrefix(f, "/") {
				lp.Files = append(lp.Files, f)
			} else {
				lp.Files = append(lp.Files, filepath.Join(dir, f))
			}
		}
		return lp
	}
	with := func(lp LayerParams, fn func(*LayerParams)) LayerParams { fn(&lp); return lp }

	ok := []struct {
		name   string
		params LayerParams
		patch  bool
		typ    string
	}{
		{"geojson", base("roads.geojson"), false, Vector},
		{"shapefile with side files", base("b.shp", "b.shx", "b.dbf", "b.prj", "b.cpg"), false, Vector},
		{"shapefile without prj but crs", with(base("c.shp", "c.shx", "c.dbf"), func(l *LayerParams) { l.CRS = "EPSG:5514" }), false, Vector},
		{"geotiff with world file", base("r.tif", "r.tfw"), false, Raster},
		{"png with aux.xml", base("img.png", "img.png.aux.xml"), false, Raster},
		{"zip", base("data.zip"), false, Vector},
		{"time series", with(base("s_20200101.tif", "s_20200102.tif"), func(l *LayerParams) { l.TimeRegex = `[0-9]{8}` }), false, Raster},
		{"sld style and rights", with(base("roads.geojson"), func(l *LayerParams) {
			l.StylePath = filepath.Join(dir, "style.sld")
			l.Read = []string{"EVERYONE"}
			l.Write = []string{"alice", " bob_2", "ROLE_ONE"}
		}), false, Vector},
		{"external table", LayerParams{Workspace: "alice", ExternalTableURI: "postgresql://u:p@db:5432/gis?schema=public&table=roads"}, false, ""},
		{"external table, postgres scheme", LayerParams{Workspace: "alice", ExternalTableURI: "postgres://u:p@db:5432/gis?schema=public&table=roads"}, false, ""},
		{"mosaic without time regex (2.4)", base("s_20200101.tif", "s_20200102.tif"), false, Raster},
		{"file path (2.4)", LayerParams{Workspace: "alice", FilePath: "ortho/2024"}, false, ""},
		{"patch metadata only", LayerParams{Title: "New"}, true, ""},
	}
	for _, tc := range ok {
		t.Run(tc.name, func(t *testing.T) {
			plan, err := ValidateLayer(tc.params, tc.patch)
			if err != nil {
				t.Fatalf("ValidateLayer: %v", err)
			}
			if plan.Type != tc.typ {
				t.Errorf("Type = %q, want %q", plan.Type, tc.typ)
			}
		})
	}

	bad := []struct {
		name   string
		params LayerParams
		patch  bool
		want   string
	}{
		{"missing file", base("nothing.geojson"), false, "does not exist"},
		{"directory", base(dir), false, "is a directory, not a file"},
		{"unsupported extension", base("readme.txt"), false, "no data file"},
		{"shapefile without dbf", base("c.shp", "c.shx"), false, ".dbf"},
		{"shapefile without prj", base("c.shp", "c.shx", "c.dbf"), false, "--crs"},
		{"two zips", base("data.zip", "data2.zip"), false, "at most one ZIP"},
		{"zip and loose", base("data.zip", "roads.geojson"), false, "not both"},
		{"zip without data", base("empty.zip"), false, "holds no data file"},
		{"not a zip", base("notzip.zip"), false, "not a readable ZIP"},
		{"side file not named after main", base("r.tif", "other.tfw"), false, "not named after"},
		{"vector and raster mains without time regex", base("roads.geojson", "r.tif"), false, "--time-regex"},
		{"file path with files", with(base("r.tif"), func(l *LayerParams) { l.FilePath = "ortho" }), false, "cannot be combined"},
		{"absolute file path", with(base(), func(l *LayerParams) { l.FilePath = "/data/ortho.tif" }), false, "relative"},
		{"append when publishing", with(base("r.tif"), func(l *LayerParams) { l.Append = true }), false, "only when updating"},
		{"append with a time regex", with(base("s_20200101.tif"), func(l *LayerParams) { l.Append, l.TimeRegex = true, "[0-9]{8}" }), true, "layer's own"},
		{"time series mixed extensions", with(base("s_20200101.tif", "s_20200101.png"), func(l *LayerParams) { l.TimeRegex = `[0-9]{8}` }), false, "one extension"},
		{"time regex no match", with(base("s_20200101.tif", "s_20200102.tif"), func(l *LayerParams) { l.TimeRegex = `^x` }), false, "does not match"},
		{"vector time series", with(base("roads.geojson"), func(l *LayerParams) { l.TimeRegex = `[0-9]{8}` }), false, "vector"},
		{"bad workspace", with(base("roads.geojson"), func(l *LayerParams) { l.Workspace = "Bad-Name" }), false, "workspace"},
		{"missing workspace", with(base("roads.geojson"), func(l *LayerParams) { l.Workspace = "" }), false, "workspace"},
		{"name too long", with(base("roads.geojson"), func(l *LayerParams) { l.Name = strings.Repeat("n", 211) }), false, "210"},
		{"no input", LayerParams{Workspace: "alice"}, false, "give data files"},
		{"files and external table", with(base("roads.geojson"), func(l *LayerParams) { l.ExternalTableURI = "postgresql://h/db?schema=s&table=t" }), false, "cannot be combined"},
		{"external table scheme", LayerParams{Workspace: "alice", ExternalTableURI: "mysql://h/db?schema=s&table=t"}, false, "postgresql"},
		{"external table without table", LayerParams{Workspace: "alice", ExternalTableURI: "postgresql://h/db?schema=s"}, false, "table"},
		{"bad crs", with(base("roads.geojson"), func(l *LayerParams) { l.CRS = "4326" }), false, "EPSG"},
		{"crs without file", LayerParams{CRS: "EPSG:4326"}, true, "needs data files"},
		{"strptime format", with(base("s_20200101.tif", "s_20200102.tif"), func(l *LayerParams) { l.TimeRegex, l.TimeRegexFormat = `[0-9]{8}`, "%Y%m%d" }), false, "Java SimpleDateFormat pattern: use yyyyMMdd"},
		{"strptime format with literals", with(base("s_20200101.tif", "s_20200102.tif"), func(l *LayerParams) { l.TimeRegex, l.TimeRegexFormat = `[0-9]{8}`, "%Y-%m-%dT%H%%" }), false, "use yyyy-MM-dd'T'HH%"},
		{"strptime format without equivalent", with(base("s_20200101.tif", "s_20200102.tif"), func(l *LayerParams) { l.TimeRegex, l.TimeRegexFormat = `[0-9]{8}`, "%G%V" }), false, "e.g. yyyyMMdd"},
		{"format without regex", with(base("r.tif"), func(l *LayerParams) { l.TimeRegexFormat = "yyyyMMdd" }), false, "--time-regex"},
		{"unknown resampling", with(base("r.tif"), func(l *LayerParams) { l.OverviewResampling = "best" }), false, "not one of"},
		{"resampling on vector", with(base("roads.geojson"), func(l *LayerParams) { l.OverviewResampling = "nearest" }), false, "vector"},
		{"qml on raster", with(base("r.tif"), func(l *LayerParams) { l.StylePath = filepath.Join(dir, "style.qml") }), false, "QML"},
		{"unknown style root", with(base("roads.geojson"), func(l *LayerParams) { l.StylePath = filepath.Join(dir, "bad.xml") }), false, "neither"},
		{"style not xml", with(base("roads.geojson"), func(l *LayerParams) { l.StylePath = filepath.Join(dir, "broken.xml") }), false, "style"},
		{"lower-case role", with(base("roads.geojson"), func(l *LayerParams) { l.Read = []string{"Alice"} }), false, "neither a username"},
		{"lower-case everyone", with(base("roads.geojson"), func(l *LayerParams) { l.Read = []string{"everyone"} }), false, "did you mean EVERYONE"},
		{"internal user role", with(base("roads.geojson"), func(l *LayerParams) { l.Write = []string{"alice", "USER_BOB"} }), false, "did you mean the user bob"},
		{"admin role", with(base("roads.geojson"), func(l *LayerParams) { l.Read = []string{"ADMIN"} }), false, "administrators' role"},
		{"geoserver admin role", with(base("roads.geojson"), func(l *LayerParams) { l.Read = []string{"ROLE_ADMINISTRATOR"} }), false, "administrators' role"},
		{"external table without host", with(base(), func(l *LayerParams) { l.ExternalTableURI = "postgres://u:p@/db?schema=s&table=t" }), false, "host is required"},
		{"empty right", with(base("roads.geojson"), func(l *LayerParams) { l.Write = []string{"alice", ""} }), false, "empty name"},
		{"same file name twice", base("roads.geojson", filepath.Join(t.TempDir(), "roads.geojson")), false, "same name"},
	}
	// the last case needs its second file to exist
	if err := os.WriteFile(bad[len(bad)-1].params.Files[1], []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ValidateLayer(tc.params, tc.patch)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want *ValidationError", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %q, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestDetectStyle(t *testing.T) {
	// Layman's own SLD (what `layers style` saves) declares us-ascii, which
	// lxml writes; QGIS may write ISO-8859-1.
	layman := `<?xml version='1.0' encoding='us-ascii'?>` + "\n" + `<ns0:StyledLayerDescriptor xmlns:ns0="http://www.opengis.net/sld" version="1.0.0"/>`
	latin1 := `<?xml version="1.0" encoding="ISO-8859-1"?><!DOCTYPE qgis><qgis version="3.28"/>`
	for in, want := range map[string]string{sld: StyleSLD, qml: StyleQML, layman: StyleSLD, latin1: StyleQML} {
		got, err := styleType(strings.NewReader(in))
		if err != nil || got != want {
			t.Errorf("styleType(%.30q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestValidateMap(t *testing.T) {
	p := writeFiles(t, map[string]string{
		"ok.json":      `{"describedBy":"https://raw.githubusercontent.com/hslayers/map-compositions/2.0.0/schema.json","layers":[]}`,
		"v3.json":      `{"describedBy":"https://raw.githubusercontent.com/hslayers/map-compositions/3.0.0/schema.json","layers":[{"className":"HSLayers.Layer.WMS","url":"https://x.org/geoserver/ows","params":{"LAYERS":"alice:roads"}},{"className":"WMS","url":"https://x.org/geoserver/ows","params":{"LAYERS":"l_0b7c6a4e-0000-4000-8000-000000000000"}}]}`,
		"notjson.json": `{"describedBy":`,
		"nodesc.json":  `{"layers":[]}`,
		"badurl.json":  `{"describedBy":"https://example.com/schema.json"}`,
		"v1.json":      `{"describedBy":"https://raw.githubusercontent.com/hslayers/map-compositions/1.0.0/schema.json"}`,
	})
	if _, err := ValidateMap(p["ok.json"]); err != nil {
		t.Fatal(err)
	}
	if _, err := ValidateMap(p["v3.json"]); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"notjson.json", "nodesc.json", "badurl.json", "v1.json", "missing.json"} {
		_, err := ValidateMap(filepath.Join(filepath.Dir(p["ok.json"]), name))
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("%s: err = %v, want *ValidationError", name, err)
		}
	}
}
