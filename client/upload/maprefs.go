package upload

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// workspaceName is Layman's WORKSPACE_NAME_ONLY_PATTERN (util.py).
const workspaceName = `[a-z][a-z0-9]*(?:_[a-z0-9]+)*`

var workspaceNameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^` + workspaceName + `$`) })

// gsPath is what follows Layman's own address in a URL of its GeoServer
// proxy: any proxy path (CLIENT_PROXY_ONLY_PATTERN), LAYMAN_GS_PATH, an
// optional GeoServer workspace, then an OWS endpoint.
var gsPath = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(?:/[a-z0-9_-]+)*/geoserver/(?:(` + workspaceName + `)/)?(?:ows|wms|wfs)`)
})

// nameRef is a map layer that references a layer of this Layman's
// GeoServer by workspace and name.
type nameRef struct {
	index           int
	workspace, name string
}

// nameRefs finds, as Layman's error-59 check does (map/util.py
// get_internal_gs_layers_from_json and publication_relation/util.py
// check_no_internal_workspace_name_layer, the same in master and 2.4), the
// WMS LAYERS and WFS names of layers on the GeoServer of the Layman at
// server (its scheme and host; other GeoServers are not Layman's) given as
// workspace and name, in the URL or as workspace:name, except Layman's own
// form layman:l_<uuid> and layman_wms:l_<uuid>.
func nameRefs(layers []json.RawMessage, server *url.URL) []nameRef {
	origin := server.Scheme + "://" + server.Host
	var out []nameRef
	for i, raw := range layers {
		var l struct {
			ClassName string `json:"className"`
			URL       string `json:"url"`
			Name      string `json:"name"`
			Params    struct {
				Layers string `json:"LAYERS"`
			} `json:"params"`
			Protocol struct {
				URL    string `json:"url"`
				Format string `json:"format"`
			} `json:"protocol"`
		}
		if json.Unmarshal(raw, &l) != nil {
			continue
		}
		if strings.HasPrefix(l.URL, "http%3A") || strings.HasPrefix(l.URL, "https%3A") {
			if u, err := url.QueryUnescape(l.URL); err == nil { // input_file.unquote_urls
				l.URL = u
			}
		}
		var u, names string
		switch l.ClassName[strings.LastIndex(l.ClassName, ".")+1:] {
		case "WMS":
			u, names = l.URL, l.Params.Layers
		case "Vector":
			if f := l.Protocol.Format; f[strings.LastIndex(f, ".")+1:] != "WFS" {
				continue
			}
			u, names = l.Protocol.URL, l.Name
		default:
			continue
		}
		rest, ok := strings.CutPrefix(u, origin)
		m := gsPath().FindStringSubmatch(rest)
		if !ok || m == nil {
			continue
		}
		for _, n := range strings.Split(names, ",") {
			ws, name := m[1], n
			if ws == "" {
				parts := strings.Split(n, ":")
				if len(parts) != 2 || !workspaceNameRE().MatchString(parts[0]) {
					continue
				}
				ws, name = parts[0], parts[1]
			}
			if n == "" || laymanGSName(ws, name) {
				continue
			}
			out = append(out, nameRef{index: i, workspace: ws, name: name})
		}
	}
	return out
}

// laymanGSName is Layman's GeoServer name of its layers: l_<uuid> in the
// workspace layman (WFS) or layman_wms (layer/geoserver
// geoserver_layername_to_uuid; the UUID as Python's UUID() reads it).
func laymanGSName(workspace, name string) bool {
	if workspace != "layman" && workspace != "layman_wms" {
		return false
	}
	id, ok := strings.CutPrefix(name, "l_")
	if !ok {
		return false
	}
	id = strings.ReplaceAll(strings.ReplaceAll(id, "urn:", ""), "uuid:", "")
	id = strings.ReplaceAll(strings.Trim(id, "{}"), "-", "")
	if len(id) != 32 {
		return false
	}
	for _, c := range strings.ToLower(id) {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

// nameRefWarnings explains the references that Layman took (it refuses a
// map, error 59, only when such a name is one of its layers): Layman's
// GeoServer serves its layers only under their l_<uuid> names.
func (mf *MapFile) nameRefWarnings(server *url.URL) []string {
	var out []string
	for _, r := range nameRefs(mf.layers, server) {
		out = append(out, fmt.Sprintf("map layer %d references %s:%s on this Layman's GeoServer by workspace and name; Layman serves its layers there only as layman_wms:l_<uuid> (WMS) and layman:l_<uuid> (WFS), so this reference shows no Layman layer", r.index, r.workspace, r.name))
	}
	return out
}
