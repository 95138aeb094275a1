package laymantest

import (
	"bytes"
	"embed"
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// The map-composition schemas Layman validates against (hslayers/map-compositions,
// tags 2.0.0 and 3.0.0; MIT licence in mapschema/LICENSE). Layman downloads the
// exact version a file names; the fake has these two and validates every
// 2.x.x and 3.x.x file against the one of its major version.
//
//go:embed mapschema/*/schema.json
var mapSchemaFiles embed.FS

// schemaURLPattern and acceptedSchemaMajors are SCHEMA_URL_PATTERN and
// _ACCEPTED_SCHEMA_MAJOR_VERSION_LIST (src/layman/map/util.py).
var schemaURLPattern = regexp.MustCompile(`^https://raw.githubusercontent.com/hslayers/map-compositions/(([0-9]{1,}.[0-9]{1,}.[0-9]{1,})|([a-zA-Z]*?))/schema.json$`)

var acceptedSchemaMajors = []string{"2", "3"}

// mapSchemas compiles the embedded schemas once, by major version; the
// jsonschema library validates Draft 7 as Layman's Draft7Validator does.
var mapSchemas = sync.OnceValue(func() map[string]*jsonschema.Schema {
	out := map[string]*jsonschema.Schema{}
	for _, v := range []string{"2.0.0", "3.0.0"} {
		b, err := mapSchemaFiles.ReadFile("mapschema/" + v + "/schema.json")
		if err != nil {
			panic(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			panic(err)
		}
		url := "https://raw.githubusercontent.com/hslayers/map-compositions/" + v + "/schema.json"
		c := jsonschema.NewCompiler()
		c.DefaultDraft(jsonschema.Draft7)
		if err := c.AddResource(url, doc); err != nil {
			panic(err)
		}
		out[v[:1]] = c.MustCompile(url)
	}
	return out
})

var englishPrinter = message.NewPrinter(language.English)

// parseComposition is check_file (src/layman/map/util.py): JSON syntax,
// describedBy, schema URL and version, schema validation (error 2 with
// validation-errors), internal layers named by workspace (59), and the
// map's CRS among the input CRSs (4). The messages of validation errors
// are the jsonschema library's, not Python jsonschema's.
func (s *Server) parseComposition(base string, sf smallFile) (*composition, *laymanError) {
	var doc map[string]any
	if err := json.Unmarshal(sf.content, &doc); err != nil {
		return nil, newError(2, map[string]any{"parameter": "file", "reason": "Invalid JSON syntax"})
	}
	url, ok := doc["describedBy"].(string)
	if !ok {
		return nil, newError(2, map[string]any{"parameter": "file", "reason": "Missing key `describedBy`",
			"expected": "JSON file according schema `https://github.com/hslayers/map-compositions`, version " + strings.Join(acceptedSchemaMajors, " or ")})
	}
	if !schemaURLPattern.MatchString(url) {
		return nil, newError(2, map[string]any{"parameter": "file", "reason": "Invalid schema url", "regular_expression": schemaURLPattern.String()})
	}
	parts := strings.Split(url, "/")
	major, _, _ := strings.Cut(parts[len(parts)-2], ".")
	if !slices.Contains(acceptedSchemaMajors, major) {
		return nil, newError(2, map[string]any{"parameter": "file", "reason": "Invalid schema version", "expected": "2.x.x or 3.x.x"})
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(sf.content))
	if err != nil {
		return nil, newError(2, map[string]any{"parameter": "file", "reason": "Invalid JSON syntax"})
	}
	if err := mapSchemas()[major].Validate(inst); err != nil {
		ve, ok := err.(*jsonschema.ValidationError)
		if !ok {
			return nil, newError(2, map[string]any{"parameter": "file", "reason": err.Error()})
		}
		return nil, newError(2, map[string]any{"parameter": "file", "reason": "JSON not valid against schema " + url,
			"validation-errors": validationErrors(ve, nil)})
	}
	var c composition
	if err := json.Unmarshal(sf.content, &c); err != nil {
		return nil, newError(2, map[string]any{"parameter": "file", "reason": err.Error()})
	}
	if lerr := s.checkInternalLayerRefs(base, &c); lerr != nil {
		return nil, lerr
	}
	// get_crs_from_json: the projection, upper-cased.
	if crs := c.crs(); !slices.Contains(inputCRS, crs) {
		return nil, newError(4, map[string]any{"found": crs, "supported_values": inputCRS})
	}
	return &c, nil
}

// workspaceOnGeoServer is WORKSPACE_NAME_ONLY_PATTERN (src/layman/util.py).
const workspaceOnGeoServer = `[a-z][a-z0-9]*(?:_[a-z0-9]+)*`

// checkInternalLayerRefs is check_no_internal_workspace_name_layer
// (src/layman/publication_relation/util.py) over get_internal_gs_layers_from_json
// (src/layman/map/util.py): a WMS or WFS layer of this Layman's GeoServer
// named <workspace>:<name> (or in a workspace URL) instead of l_<uuid>,
// when that layer exists, is error 59. URLs are taken as sent (Layman
// unquotes them first).
func (s *Server) checkInternalLayerRefs(base string, c *composition) *laymanError {
	gsURL := regexp.MustCompile(`^` + regexp.QuoteMeta(base) + `(?:/[a-z0-9_-]+)*/geoserver/(?:(` + workspaceOnGeoServer + `)/)?(?:ows|wms|wfs)`)
	wsName := regexp.MustCompile(`^` + workspaceOnGeoServer + `$`)
	var wrong []any
	for i, l := range c.Layers {
		var url, names string
		switch l.ClassName[strings.LastIndex(l.ClassName, ".")+1:] {
		case "WMS":
			url, _ = l.URL.(string)
			names, _ = l.Params["LAYERS"].(string)
		case "Vector":
			if f := l.Protocol.Format; f[strings.LastIndex(f, ".")+1:] == "WFS" {
				url = l.Protocol.URL
			}
			names = l.Name
		}
		m := gsURL.FindStringSubmatch(url)
		if m == nil {
			continue
		}
		for _, full := range strings.Split(names, ",") {
			gsWS, gsName := m[1], full
			if gsWS == "" {
				var ok bool
				if gsWS, gsName, ok = strings.Cut(full, ":"); !ok || strings.Contains(gsName, ":") || !wsName.MatchString(gsWS) {
					continue
				}
			}
			// geoserver_layername_to_uuid (src/layman/layer/geoserver/__init__.py)
			if (gsWS == "layman" || gsWS == "layman_wms") && strings.HasPrefix(gsName, "l_") && isUUID(gsName[2:]) {
				continue
			}
			if gsName == "" || !s.nameTaken(kindLayer, strings.TrimSuffix(gsWS, "_wms"), gsName) {
				continue
			}
			wrong = append(wrong, map[string]any{"layer_index": i, "workspace": gsWS, "layer_name": gsName})
		}
	}
	if wrong != nil {
		return newError(59, map[string]any{"wrongly_referenced_layers": wrong})
	}
	return nil
}

// validationErrors lists the leaves of a validation error tree as
// Layman's {message, absolute_path} items; array indices become numbers.
func validationErrors(ve *jsonschema.ValidationError, out []any) []any {
	if len(ve.Causes) > 0 {
		for _, c := range ve.Causes {
			out = validationErrors(c, out)
		}
		return out
	}
	path := make([]any, len(ve.InstanceLocation))
	for i, tok := range ve.InstanceLocation {
		if n, err := strconv.Atoi(tok); err == nil {
			path[i] = n
		} else {
			path[i] = tok
		}
	}
	return append(out, map[string]any{"message": ve.ErrorKind.LocalizedString(englishPrinter), "absolute_path": path})
}
