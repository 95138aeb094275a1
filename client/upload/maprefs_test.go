package upload

import (
	"encoding/json"
	"fmt"
	"net/url"
	"testing"
)

// The references Layman's error-59 check looks at (map/util.py
// get_internal_gs_layers_from_json, publication_relation/util.py), for a
// Layman at https://layman.test.
func TestNameRefs(t *testing.T) {
	const id = "l_0b7c6a4e-1234-4abc-8def-000000000000"
	wms := func(u, layers string) string {
		return fmt.Sprintf(`{"className":"HSLayers.Layer.WMS","url":%q,"params":{"LAYERS":%q}}`, u, layers)
	}
	wfs := func(u, name, format string) string {
		return fmt.Sprintf(`{"className":"OpenLayers.Layer.Vector","name":%q,"protocol":{"url":%q,"format":%q}}`, name, u, format)
	}
	server, _ := url.Parse("https://layman.test/")
	for _, c := range []struct {
		name, layer, want string
	}{
		{"workspace:name in LAYERS", wms("https://layman.test/geoserver/ows", "alice:roads"), "alice:roads"},
		{"workspace in the URL", wms("https://layman.test/geoserver/alice_wms/ows", "roads"), "alice_wms:roads"},
		{"workspace in a WFS URL", wfs("https://layman.test/geoserver/alice/wfs", "roads", "hs.format.WFS"), "alice:roads"},
		{"behind a proxy path", wms("https://layman.test/client/x/geoserver/wms?SERVICE=WMS", "alice:roads,bob:rivers"), "alice:roads bob:rivers"},
		{"URL-encoded", wms("https%3A%2F%2Flayman.test%2Fgeoserver%2Fows", "alice:roads"), "alice:roads"},
		{"master's own form", wms("https://layman.test/geoserver/layman_wms/ows", id), ""},
		{"own form in LAYERS", wms("https://layman.test/geoserver/ows", "layman_wms:"+id+",layman:"+id), ""},
		{"l_ but no UUID", wms("https://layman.test/geoserver/ows", "layman_wms:l_rivers"), "layman_wms:l_rivers"},
		{"external GeoServer", wms("https://gs.example.com/geoserver/ows", "alice:roads"), ""},
		{"Layman's host on another port", wms("https://layman.test:8443/geoserver/ows", "alice:roads"), ""},
		{"other scheme", wms("http://layman.test/geoserver/ows", "alice:roads"), ""},
		{"not an OWS endpoint", wms("https://layman.test/geoserver/rest/layers", "alice:roads"), ""},
		{"no workspace", wms("https://layman.test/geoserver/ows", "roads"), ""},
		{"workspace not a Layman name", wms("https://layman.test/geoserver/ows", "Alice:roads"), ""},
		{"WFS in another format", wfs("https://layman.test/geoserver/wfs", "alice:roads", "hs.format.GeoJSON"), ""},
		{"other class", `{"className":"XYZ","url":"https://layman.test/geoserver/ows","params":{"LAYERS":"alice:roads"}}`, ""},
	} {
		got := ""
		for _, r := range nameRefs([]json.RawMessage{json.RawMessage(c.layer)}, server) {
			if got != "" {
				got += " "
			}
			got += r.workspace + ":" + r.name
		}
		if got != c.want {
			t.Errorf("%s: nameRefs = %q, want %q", c.name, got, c.want)
		}
	}
}
