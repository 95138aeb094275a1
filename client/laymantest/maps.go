package laymantest

import (
	"net/http"
	"strings"
)

// composition is the part of a map-composition JSON the fake reads.
type composition struct {
	Name       *string   `json:"name"`
	Title      string    `json:"title"`
	Abstract   string    `json:"abstract"`
	Extent     []float64 `json:"extent"`
	Projection string    `json:"projection"`
	Layers     []struct {
		ClassName string         `json:"className"`
		URL       any            `json:"url"`
		Params    map[string]any `json:"params"`
		Name      string         `json:"name"`
		Protocol  struct {
			URL    string `json:"url"`
			Format string `json:"format"`
		} `json:"protocol"`
	} `json:"layers"`
}

func (c *composition) bbox() *[4]float64 {
	if len(c.Extent) != 4 {
		return nil
	}
	return toMercator(&[4]float64{c.Extent[0], c.Extent[1], c.Extent[2], c.Extent[3]}, "EPSG:4326")
}

func (c *composition) crs() string {
	if c.Projection == "" {
		return "EPSG:3857"
	}
	return strings.ToUpper(c.Projection)
}

// postMap is POST Workspace Maps (both generations,
// src/layman/map/rest_workspace_maps.py).
func (s *Server) postMap(w http.ResponseWriter, r *http.Request, a *actor, ps params) *laymanError {
	ws, inPath := ps["ws"]
	if inPath {
		if lerr := s.authorizePublish(ws, a); lerr != nil {
			return lerr
		}
	}
	form, err := s.readUploadForm(r, false)
	if err != nil {
		return newError(2, map[string]any{"parameter": "file", "message": err.Error()})
	}
	if !inPath {
		// POST /rest/maps takes a required workspace field (map/rest_maps.py, branch a43e39a7).
		ws = form.values.Get("workspace")
		if lerr := checkWorkspaceName(ws); lerr != nil {
			return lerr
		}
		if lerr := s.authorizePublish(ws, a); lerr != nil {
			return lerr
		}
	}
	sf, ok := form.small["file"]
	if !ok || sf.name == "" {
		return newError(1, map[string]any{"parameter": "file"})
	}
	c, lerr := s.parseComposition(s.baseURL(r), sf)
	if lerr != nil {
		return lerr
	}
	id, lerr := s.inputUUID(form)
	if lerr != nil {
		return lerr
	}
	unsafe := form.values.Get("name")
	if unsafe == "" {
		// get_unsafe_mapname (src/layman/map/filesystem/input_file.py): the
		// file's name, else its title; to_safe_name makes "" "map".
		unsafe = c.Title
		if c.Name != nil {
			unsafe = *c.Name
		}
	}
	name := toSafeName(unsafe, "map")
	if lerr := checkPublicationName("mapname", name); lerr != nil {
		return lerr
	}
	if s.nameTaken(kindMap, ws, name) {
		return newError(24, map[string]any{"mapname": name})
	}
	p := &publication{
		kind: kindMap, uuid: id, workspace: ws, name: name,
		title:       cmpOr(form.values.Get("title"), cmpOr(c.Title, name)),
		description: cmpOr(form.values.Get("description"), c.Abstract),
		updatedAt:   s.now(), mapFile: sf.content, bbox: c.bbox(), nativeCRS: c.crs(),
		pollsLeft: s.opts.ProcessingPolls,
	}
	p.read = rightsOrDefault(form.values.Get("access_rights.read"), a)
	p.write = rightsOrDefault(form.values.Get("access_rights.write"), a)
	s.users.ensureWorkspace(ws)
	if lerr := s.checkRights(p, p.read, p.write, a.username); lerr != nil {
		return lerr
	}
	s.mu.Lock()
	if s.store.byName[nameKey(kindMap, ws, name)] != nil {
		s.mu.Unlock()
		return newError(24, map[string]any{"mapname": name})
	}
	s.store.add(p)
	result := map[string]any{"name": name, "uuid": id, "url": s.pubURL(s.baseURL(r), p)}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, []any{result})
	return nil
}

// patchMap is PATCH Map / PATCH Workspace Map (src/layman/map/rest_map.py;
// v2.4.0 rest_workspace_map.py).
func (s *Server) patchMap(w http.ResponseWriter, r *http.Request, a *actor, p *publication) *laymanError {
	if lerr := s.lockForPatch(p); lerr != nil {
		return lerr
	}
	defer s.unlockPatch(p)
	form, err := s.readUploadForm(r, false)
	if err != nil {
		return newError(2, map[string]any{"parameter": "file", "message": err.Error()})
	}
	var c *composition
	sf, hasFile := form.small["file"]
	if hasFile && sf.name != "" {
		var lerr *laymanError
		if c, lerr = s.parseComposition(s.baseURL(r), sf); lerr != nil {
			return lerr
		}
	}
	read, write := s.patchedRights(p, form)
	if lerr := s.checkRights(p, read, write, a.username); lerr != nil {
		return lerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c != nil {
		p.mapFile, p.bbox, p.nativeCRS = sf.content, c.bbox(), c.crs()
		p.title, p.description = cmpOr(c.Title, p.title), cmpOr(c.Abstract, p.description)
	}
	p.title = cmpOr(form.values.Get("title"), p.title)
	p.description = cmpOr(form.values.Get("description"), p.description)
	p.read, p.write = read, write
	p.updatedAt, p.failure, p.pollsLeft = s.now(), nil, s.opts.ProcessingPolls
	writeJSON(w, http.StatusOK, map[string]any{"name": p.name, "uuid": p.uuid, "url": s.pubURL(s.baseURL(r), p)})
	return nil
}
