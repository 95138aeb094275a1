package laymantest

import (
	"net/http"
	"strings"
)

// handlerFunc serves one route; a returned error is written as Layman's
// error JSON.
type handlerFunc func(w http.ResponseWriter, r *http.Request, a *actor, p params) *laymanError

// params are the path parameters of a matched route: ws, name, uuid.
type params map[string]string

type route struct {
	segments []string // literal, or {param}
	methods  map[string]handlerFunc
}

type routeTable []route

type boundRoute struct {
	fn     handlerFunc
	params params
}

func (b *boundRoute) serve(w http.ResponseWriter, r *http.Request, a *actor) *laymanError {
	return b.fn(w, r, a, b.params)
}

// match finds the handler for method and path; known reports whether the
// path exists for another method (HTTP 405 rather than 404).
func (t routeTable) match(method, path string) (h *boundRoute, known bool) {
	path = strings.TrimSuffix(path, "/")
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	for _, rt := range t {
		p, ok := rt.bind(segs)
		if !ok {
			continue
		}
		fn := rt.methods[method]
		if fn == nil {
			known = true
			continue
		}
		return &boundRoute{fn: fn, params: p}, true
	}
	return nil, known
}

func (rt route) bind(segs []string) (params, bool) {
	if len(segs) != len(rt.segments) {
		return nil, false
	}
	p := params{}
	for i, want := range rt.segments {
		if strings.HasPrefix(want, "{") {
			if segs[i] == "" {
				return nil, false
			}
			p[strings.Trim(want, "{}")] = segs[i]
			continue
		}
		if segs[i] != want {
			return nil, false
		}
	}
	return p, true
}

func (t *routeTable) add(pattern string, methods map[string]handlerFunc) {
	*t = append(*t, route{segments: strings.Split(strings.TrimPrefix(pattern, "/"), "/"), methods: methods})
}

// buildRoutes lists the endpoints of doc/rest.md for the configured
// generation (master for 3.x, tag v2.4.0 for 2.x).
func (s *Server) buildRoutes() routeTable {
	var t routeTable
	get, post, patch, del := http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete
	t.add("/rest/publications", map[string]handlerFunc{get: s.listPublications(kindAny)})
	t.add("/rest/maps", map[string]handlerFunc{get: s.listPublications(kindMap)})
	t.add("/rest/workspaces/{ws}/maps", map[string]handlerFunc{
		get: s.listWorkspacePublications(kindMap), post: s.postMap, del: s.deleteWorkspacePublications(kindMap),
	})
	t.add("/rest/workspaces/{ws}/layers/{name}/metadata-comparison", map[string]handlerFunc{get: s.byName(kindLayer, s.metadataComparison)})
	t.add("/rest/workspaces/{ws}/maps/{name}/metadata-comparison", map[string]handlerFunc{get: s.byName(kindMap, s.metadataComparison)})
	if s.opts.Generation == 2 {
		t.add("/rest/layers", map[string]handlerFunc{get: s.listPublications(kindLayer)})
		t.add("/rest/workspaces/{ws}/layers", map[string]handlerFunc{
			get: s.listWorkspacePublications(kindLayer), post: s.postLayer, del: s.deleteWorkspacePublications(kindLayer),
		})
		t.add("/rest/workspaces/{ws}/layers/{name}", map[string]handlerFunc{
			get: s.byName(kindLayer, s.getPublication), patch: s.byName(kindLayer, s.patchLayer), del: s.byName(kindLayer, s.deletePublication),
		})
		t.add("/rest/workspaces/{ws}/layers/{name}/thumbnail", map[string]handlerFunc{get: s.byName(kindLayer, s.getThumbnail)})
		t.add("/rest/workspaces/{ws}/layers/{name}/style", map[string]handlerFunc{get: s.byName(kindLayer, s.getStyle)})
		t.add("/rest/workspaces/{ws}/layers/{name}/chunk", map[string]handlerFunc{
			get: s.byName(kindLayer, s.getChunk), post: s.byName(kindLayer, s.postChunk),
		})
		t.add("/rest/workspaces/{ws}/maps/{name}", map[string]handlerFunc{
			get: s.byName(kindMap, s.getPublication), patch: s.byName(kindMap, s.patchMap), del: s.byName(kindMap, s.deletePublication),
		})
		t.add("/rest/workspaces/{ws}/maps/{name}/file", map[string]handlerFunc{get: s.byName(kindMap, s.getMapFile)})
		t.add("/rest/workspaces/{ws}/maps/{name}/thumbnail", map[string]handlerFunc{get: s.byName(kindMap, s.getThumbnail)})
	} else {
		t.add("/rest/layers", map[string]handlerFunc{
			get: s.listPublications(kindLayer), post: s.postLayer, del: s.deleteWorkspacePublications(kindLayer),
		})
		t.add("/rest/layers/{uuid}", map[string]handlerFunc{
			get: s.byUUID(kindLayer, s.getPublication), patch: s.byUUID(kindLayer, s.patchLayer), del: s.byUUID(kindLayer, s.deletePublication),
		})
		t.add("/rest/layers/{uuid}/thumbnail", map[string]handlerFunc{get: s.byUUID(kindLayer, s.getThumbnail)})
		t.add("/rest/layers/{uuid}/style", map[string]handlerFunc{get: s.byUUID(kindLayer, s.getStyle)})
		t.add("/rest/layers/{uuid}/chunk", map[string]handlerFunc{
			get: s.byUUID(kindLayer, s.getChunk), post: s.byUUID(kindLayer, s.postChunk),
		})
		t.add("/rest/maps/{uuid}", map[string]handlerFunc{
			get: s.byUUID(kindMap, s.getPublication), patch: s.byUUID(kindMap, s.patchMap), del: s.byUUID(kindMap, s.deletePublication),
		})
		t.add("/rest/maps/{uuid}/file", map[string]handlerFunc{get: s.byUUID(kindMap, s.getMapFile)})
		t.add("/rest/maps/{uuid}/thumbnail", map[string]handlerFunc{get: s.byUUID(kindMap, s.getThumbnail)})
	}
	t.add("/rest/users", map[string]handlerFunc{get: s.getUsers})
	t.add("/rest/users/{username}", map[string]handlerFunc{del: s.deleteUser})
	t.add("/rest/current-user", map[string]handlerFunc{get: s.getCurrentUser, patch: s.patchCurrentUser, del: s.deleteCurrentUser})
	t.add("/rest/roles", map[string]handlerFunc{get: s.getRoles})
	t.add("/rest/about/version", map[string]handlerFunc{get: s.getVersion})
	// Layman's authenticated proxy in front of GeoServer's workspace endpoints.
	t.add("/geoserver/{ws}/wfs", map[string]handlerFunc{get: s.wfs})
	t.add("/geoserver/{ws}/ows", map[string]handlerFunc{get: s.wms})
	return t
}
