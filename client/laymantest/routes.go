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

// unauthenticated are the endpoints Layman serves without looking at the
// Authorization header: no @authenticate in src/layman/user/rest_users.py,
// src/layman/user/rest_roles.py and src/layman/rest_about.py (master and v2.4.0).
var unauthenticated = map[string]bool{"/rest/users": true, "/rest/roles": true, "/rest/about/version": true}

// buildRoutes lists the endpoints of doc/rest.md for the configured
// generation (master for 3.x, tag v2.4.0 for 2.x).
func (s *Server) buildRoutes() routeTable {
	var t routeTable
	get, post, patch, del := http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete
	t.add("/rest/publications", map[string]handlerFunc{get: s.listPublications(kindAny)})
	t.add("/rest/workspaces/{ws}/layers/{name}/metadata-comparison", map[string]handlerFunc{get: s.byName(kindLayer, s.metadataComparison)})
	t.add("/rest/workspaces/{ws}/maps/{name}/metadata-comparison", map[string]handlerFunc{get: s.byName(kindMap, s.metadataComparison)})
	u := s.opts.URLs
	if s.opts.Generation == 2 {
		u = URLsBeforeUUID // v2.4.0 has the same URLs
	}
	s.addCollection(&t, kindLayer, u.layersUnified())
	s.addCollection(&t, kindMap, u.mapsUnified())
	s.addItem(&t, kindLayer, u.layerUUID(), map[string]map[string]pubHandler{
		"":           {get: s.getPublication, patch: s.patchLayer, del: s.deletePublication},
		"/thumbnail": {get: s.getThumbnail}, "/style": {get: s.getStyle},
	})
	s.addItem(&t, kindLayer, u.chunkUUID(), map[string]map[string]pubHandler{"/chunk": {get: s.getChunk, post: s.postChunk}})
	s.addItem(&t, kindMap, u.mapUUID(), map[string]map[string]pubHandler{
		"":      {get: s.getPublication, patch: s.patchMap, del: s.deletePublication},
		"/file": {get: s.getMapFile}, "/thumbnail": {get: s.getThumbnail},
	})
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

// addItem adds the routes of one publication of kind and its
// sub-resources (path suffix → method → handler), by UUID or by workspace
// and name.
func (s *Server) addItem(t *routeTable, kind pubKind, byUUID bool, subs map[string]map[string]pubHandler) {
	base, bind := "/rest/workspaces/{ws}/"+kind.String()+"s/{name}", s.byName
	if byUUID {
		base, bind = "/rest/"+kind.String()+"s/{uuid}", s.byUUID
	}
	for suffix, handlers := range subs {
		methods := map[string]handlerFunc{}
		for m, h := range handlers {
			methods[m] = bind(kind, h)
		}
		t.add(base+suffix, methods)
	}
}

// addCollection adds the list, create and delete-all routes of kind:
// /rest/<kind>s with the workspace in the query or form when unified, else
// /rest/workspaces/<ws>/<kind>s beside a plain /rest/<kind>s list.
func (s *Server) addCollection(t *routeTable, kind pubKind, unified bool) {
	plural := "/rest/" + kind.String() + "s"
	all := map[string]handlerFunc{
		http.MethodGet: s.listWorkspacePublications(kind), http.MethodDelete: s.deleteWorkspacePublications(kind),
		http.MethodPost: s.postLayer,
	}
	if kind == kindMap {
		all[http.MethodPost] = s.postMap
	}
	if unified {
		all[http.MethodGet] = s.listPublications(kind)
		t.add(plural, all)
		return
	}
	t.add(plural, map[string]handlerFunc{http.MethodGet: s.listPublications(kind)})
	t.add("/rest/workspaces/{ws}"+plural[len("/rest"):], all)
}

// URLSet names a master build of Layman whose URLs a generation-3 fake
// serves. Master reported 3.0.0-dev for a year while the UUID API landed in
// pieces (LayerManager/layman history, src/layman/__init__.py blueprints).
type URLSet string

const (
	// URLsMaster is master ed229ddd: every UUID route, POST /rest/layers.
	URLsMaster URLSet = ""
	// URLsBeforeUUID is master 690218ba..5fbcc2ee: 3.0.0-dev with the 2.x URLs.
	URLsBeforeUUID URLSet = "690218ba"
	// URLsMapUUID is master 5fbcc2ee..0a9b7420: /rest/maps/<uuid>, layers by name.
	URLsMapUUID URLSet = "5fbcc2ee"
	// URLsLayerUUID is master 0a9b7420..81de9534: /rest/layers/<uuid>, but
	// GET /rest/layers ignores ?workspace= and layers are created, listed by
	// workspace and chunked under /rest/workspaces/<ws>/layers.
	URLsLayerUUID URLSet = "0a9b7420"
	// URLsUnifiedLayers is master 81de9534..eb8052f8: POST/DELETE
	// /rest/layers, GET ?workspace=; the chunk endpoint still by name.
	URLsUnifiedLayers URLSet = "81de9534"
	// URLsUnifiedMaps is branch unify-workspace-maps-with-maps-endpoint
	// (a43e39a7): master plus GET/DELETE /rest/maps?workspace= and POST
	// /rest/maps; no /rest/workspaces/<ws>/maps.
	URLsUnifiedMaps URLSet = "a43e39a7"
)

func (u URLSet) mapUUID() bool   { return u != URLsBeforeUUID }
func (u URLSet) layerUUID() bool { return u != URLsBeforeUUID && u != URLsMapUUID }
func (u URLSet) layersUnified() bool {
	return u == URLsMaster || u == URLsUnifiedLayers || u == URLsUnifiedMaps
}
func (u URLSet) chunkUUID() bool   { return u == URLsMaster || u == URLsUnifiedMaps }
func (u URLSet) mapsUnified() bool { return u == URLsUnifiedMaps }
