package laymantest

import (
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"net/http"
	"os"
	"path"
	"slices"
	"strings"
	"sync"
	"time"
)

// pubHandler serves a request for one publication already authorized.
type pubHandler func(w http.ResponseWriter, r *http.Request, a *actor, p *publication) *laymanError

// byName resolves /rest/workspaces/<ws>/<layers|maps>/<name>/... (2.x).
func (s *Server) byName(kind pubKind, h pubHandler) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, a *actor, ps params) *laymanError {
		if lerr := checkWorkspaceName(ps["ws"]); lerr != nil {
			return lerr
		}
		if lerr := checkPublicationName(kind.String()+"name", ps["name"]); lerr != nil {
			return lerr
		}
		if !s.users.workspaceExists(ps["ws"]) {
			return newError(40, nil)
		}
		s.mu.Lock()
		p := s.store.byName[nameKey(kind, ps["ws"], ps["name"])]
		s.mu.Unlock()
		if p == nil {
			return newError(kind.notFound(), nil)
		}
		if lerr := s.authorizePublication(p, r.Method != http.MethodGet, a); lerr != nil {
			return lerr
		}
		return h(w, r, a, p)
	}
}

// byUUID resolves /rest/<layers|maps>/<uuid>/... (3.x).
func (s *Server) byUUID(kind pubKind, h pubHandler) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, a *actor, ps params) *laymanError {
		id := ps["uuid"]
		if !isUUID(id) {
			return newError(2, map[string]any{"parameter": "uuid", "message": "UUID `" + id + "` is not valid uuid"})
		}
		s.mu.Lock()
		p := s.store.byUUID[id]
		s.mu.Unlock()
		if p == nil || p.kind != kind {
			return newError(kind.notFound(), map[string]any{"uuid": id})
		}
		if lerr := s.authorizePublication(p, r.Method != http.MethodGet, a); lerr != nil {
			return lerr
		}
		return h(w, r, a, p)
	}
}

func (s *Server) baseURL(r *http.Request) string { return "http://" + r.Host }

func (s *Server) pubURL(base string, p *publication) string {
	if s.opts.Generation == 2 {
		return base + "/rest/workspaces/" + p.workspace + "/" + p.kind.String() + "s/" + p.name
	}
	return base + "/rest/" + p.kind.String() + "s/" + p.uuid
}

// formatTime renders updated_at like Layman: microseconds, +00:00.
func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000-07:00")
}

// getPublication is GET Layer / GET Map (src/layman/layer/rest_layer.py,
// src/layman/map/rest_map.py). A GET that sees UPDATING uses up
// one of the publication's processing polls.
func (s *Server) getPublication(w http.ResponseWriter, r *http.Request, _ *actor, p *publication) *laymanError {
	base := s.baseURL(r)
	s.mu.Lock()
	s.expireChunkSession(p)
	var body map[string]any
	if p.kind == kindMap {
		body = s.mapJSON(base, p)
	} else {
		body = s.layerJSON(base, p)
	}
	if p.pollsLeft > 0 && (p.chunk == nil || p.chunk.state != chunkActive) {
		p.pollsLeft--
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, body)
	return nil
}

// sourceOrder is the order of the Celery chain that fills each source:
// the info items of the internal sources in src/layman/layer/__init__.py
// and src/layman/map/__init__.py.
var sourceOrder = map[pubKind][]string{
	kindLayer: {"file", "db", "wfs", "wms", "style", "thumbnail", "metadata"},
	kindMap:   {"file", "thumbnail", "metadata"},
}

// source renders one source object with its status, as
// get_info_with_statuses in src/layman/util.py does: while processing, the
// chain's tasks are PENDING (the chunk upload STARTED; the fake does not
// step through the tasks); after a failure the failed task's source is
// FAILURE with the error and every later one NOT_AVAILABLE.
func (p *publication) source(name string, fields map[string]any) map[string]any {
	switch {
	case p.status() == StatusUpdating:
		if name == "file" && p.chunk != nil {
			fields["status"] = "STARTED"
		} else {
			fields["status"] = "PENDING"
		}
	case p.failure != nil && p.failure.source == name:
		fields["status"] = "FAILURE"
		fields["error"] = p.failure.error
	case p.failure != nil && p.after(name, p.failure.source):
		fields["status"] = "NOT_AVAILABLE"
	}
	return fields
}

// after reports whether source a comes after source b in the chain.
func (p *publication) after(a, b string) bool {
	ib := slices.Index(sourceOrder[p.kind], b)
	return ib >= 0 && slices.Index(sourceOrder[p.kind], a) > ib
}

func (s *Server) layerJSON(base string, p *publication) map[string]any {
	url := s.pubURL(base, p)
	dir := "layers/" + p.uuid
	// GeoServer names since Layman 2.0.0, on master and v2.4.0 alike:
	// l_<uuid> in workspaces layman and layman_wms (src/layman/layer/geoserver/__init__.py).
	wmsName, wmsURL, wfsURL := "l_"+p.uuid, base+"/geoserver/layman_wms/ows", base+"/geoserver/layman/wfs"
	var paths []string
	for _, f := range p.files {
		if mainExtensions[extOf(f.name)] != "" || extOf(f.name) == zipExtension {
			paths = append(paths, dir+"/input_file/"+p.uuid+extOf(f.name))
		}
	}
	if paths == nil {
		paths = []string{}
	}
	styleType := p.styleType
	if styleType == "" {
		styleType = "sld"
	}
	out := map[string]any{
		"name":                 p.name,
		"uuid":                 p.uuid,
		"layman_metadata":      map[string]any{"publication_status": p.status()},
		"url":                  url,
		"title":                p.title,
		"description":          p.description,
		"updated_at":           formatTime(p.updatedAt),
		"wms":                  p.source("wms", map[string]any{"name": wmsName, "url": wmsURL}),
		"thumbnail":            p.source("thumbnail", map[string]any{"url": url + "/thumbnail", "path": dir + "/thumbnail/" + p.uuid + ".png"}),
		"file":                 p.source("file", map[string]any{"paths": paths}),
		"style":                p.source("style", map[string]any{"url": url + "/style", "type": styleType}),
		"metadata":             p.source("metadata", s.metadataJSON(base, p)),
		"original_data_source": "file",
		"access_rights":        s.rightsOf(p),
		"bounding_box":         bboxJSON(p.bbox),
		"native_crs":           p.nativeCRS,
		"native_bounding_box":  bboxJSON(p.bbox),
		"geodata_type":         p.geodataType,
		"used_in_maps":         []any{},
	}
	switch p.geodataType {
	case "vector":
		out["wfs"] = p.source("wfs", map[string]any{"name": wmsName, "url": wfsURL})
		// Schema "layers", table layer_<uuid with underscores> (src/layman/layer/db/__init__.py).
		out["db"] = p.source("db", map[string]any{"schema": "layers", "table": "layer_" + strings.ReplaceAll(p.uuid, "-", "_"), "geo_column": "wkb_geometry"})
		if t := p.table; t != nil {
			// An external table has no file source (info_keys in layer/__init__.py);
			// db shows the table and its redacted URI (layer/db/table.py).
			delete(out, "file")
			out["original_data_source"] = "database_table"
			out["db"] = p.source("db", map[string]any{"schema": t.schema, "table": t.table, "geo_column": t.geoColumn, "external_uri": t.uri})
		}
	case "raster":
		out["image_mosaic"] = p.imageMosaic
	}
	return out
}

func (s *Server) metadataJSON(base string, p *publication) map[string]any {
	return map[string]any{
		"identifier":     "m-" + p.uuid,
		"record_url":     base + "/micka/record/basic/m-" + p.uuid,
		"csw_url":        base + "/micka/csw",
		"comparison_url": base + "/rest/workspaces/" + p.workspace + "/" + p.kind.String() + "s/" + p.name + "/metadata-comparison",
	}
}

func (s *Server) mapJSON(base string, p *publication) map[string]any {
	url := s.pubURL(base, p)
	dir := "maps/" + p.uuid
	return map[string]any{
		"name":                p.name,
		"uuid":                p.uuid,
		"layman_metadata":     map[string]any{"publication_status": p.status()},
		"url":                 url,
		"title":               p.title,
		"description":         p.description,
		"updated_at":          formatTime(p.updatedAt),
		"file":                p.source("file", map[string]any{"url": url + "/file", "path": dir + "/input_file/" + p.uuid + ".json"}),
		"thumbnail":           p.source("thumbnail", map[string]any{"url": url + "/thumbnail", "path": dir + "/thumbnail/" + p.uuid + ".png"}),
		"metadata":            p.source("metadata", s.metadataJSON(base, p)),
		"access_rights":       s.rightsOf(p),
		"bounding_box":        bboxJSON(p.bbox),
		"native_crs":          p.nativeCRS,
		"native_bounding_box": bboxJSON(p.bbox),
	}
}

var thumbnailPNG = sync.OnceValue(func() []byte {
	var buf bytes.Buffer
	_ = png.Encode(&buf, image.NewNRGBA(image.Rect(0, 0, 300, 300)))
	return buf.Bytes()
})

// getThumbnail is GET Thumbnail (src/layman/layer/rest_layer_thumbnail.py,
// src/layman/map/rest_map_thumbnail.py); the fake's PNG is blank.
func (s *Server) getThumbnail(w http.ResponseWriter, _ *http.Request, _ *actor, p *publication) *laymanError {
	s.mu.Lock()
	s.expireChunkSession(p)
	ready := p.status() != StatusUpdating && (p.failure == nil || p.failure.source != "thumbnail")
	s.mu.Unlock()
	if !ready {
		return newError(16, nil)
	}
	w.Header().Set("Content-Type", "image/png")
	_, _ = w.Write(thumbnailPNG())
	return nil
}

const defaultSLD = `<?xml version="1.0" encoding="UTF-8"?>
<sld:StyledLayerDescriptor xmlns:sld="http://www.opengis.net/sld" xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc" version="1.0.0">
  <sld:NamedLayer>
    <sld:Name>default</sld:Name>
    <sld:UserStyle>
      <sld:Name>default</sld:Name>
      <sld:FeatureTypeStyle>
        <sld:Rule><sld:PointSymbolizer/></sld:Rule>
      </sld:FeatureTypeStyle>
    </sld:UserStyle>
  </sld:NamedLayer>
</sld:StyledLayerDescriptor>
`

// getStyle is GET Layer Style (src/layman/layer/rest_layer_style.py).
func (s *Server) getStyle(w http.ResponseWriter, _ *http.Request, _ *actor, p *publication) *laymanError {
	s.mu.Lock()
	style, styleType := p.style, p.styleType
	s.mu.Unlock()
	if styleType == "qml" {
		w.Header().Set("Content-Type", "application/x-qgis-layer-settings")
	} else {
		w.Header().Set("Content-Type", "application/vnd.ogc.sld+xml")
	}
	if style == nil {
		style = []byte(defaultSLD)
	}
	_, _ = w.Write(style)
	return nil
}

// metadataComparison is GET Metadata Comparison
// (src/layman/layer/rest_workspace_layer_metadata_comparison.py); every property equal.
func (s *Server) metadataComparison(w http.ResponseWriter, r *http.Request, _ *actor, p *publication) *laymanError {
	s.mu.Lock()
	url, title := s.pubURL(s.baseURL(r), p), p.title
	s.mu.Unlock()
	// Sources are numbered s1, s2, ... (common/metadata.py transform_metadata_props_to_comparison).
	writeJSON(w, http.StatusOK, map[string]any{
		"metadata_sources": map[string]any{"s1": map[string]any{"url": url}},
		"metadata_properties": map[string]any{
			"title": map[string]any{"values": map[string]any{"s1": title}, "equal": true, "equal_or_null": true},
		},
	})
	return nil
}

// getMapFile is GET Map File (src/layman/map/rest_map_file.py): the stored composition with name, title,
// abstract and user rewritten and groups removed.
func (s *Server) getMapFile(w http.ResponseWriter, _ *http.Request, _ *actor, p *publication) *laymanError {
	s.mu.Lock()
	raw, name, title, desc, ws := p.mapFile, p.name, p.title, p.description, p.workspace
	s.mu.Unlock()
	doc := map[string]any{}
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &doc)
	}
	doc["name"], doc["title"], doc["abstract"] = name, title, desc
	doc["user"] = map[string]any{"name": ws, "email": ""}
	delete(doc, "groups")
	writeJSON(w, http.StatusOK, doc)
	return nil
}

// deletePublication is DELETE Layer / DELETE Map; a running upload or
// processing is aborted, as Layman does. 3.x answers {url, uuid}
// (src/layman/layer/rest_layer.py, src/layman/map/rest_map.py), 2.x adds
// the name (v2.4.0 src/layman/layer/rest_workspace_layer.py).
func (s *Server) deletePublication(w http.ResponseWriter, r *http.Request, _ *actor, p *publication) *laymanError {
	base := s.baseURL(r)
	s.mu.Lock()
	s.store.remove(p)
	body := map[string]any{"uuid": p.uuid, "url": s.pubURL(base, p)}
	if s.opts.Generation == 2 {
		body["name"] = p.name
	}
	s.mu.Unlock()
	s.removeFiles(p)
	writeJSON(w, http.StatusOK, body)
	return nil
}

func (s *Server) removeFiles(p *publication) {
	_ = os.RemoveAll(path.Join(s.dataDir, p.kind.String()+"s", p.uuid))
}

// deleteWorkspacePublications is DELETE Workspace Layers/Maps (2.x) and
// DELETE Layers with ?workspace= (3.x): only writable ones go
// (src/layman/layer/rest_layers.py, src/layman/map/rest_workspace_maps.py).
func (s *Server) deleteWorkspacePublications(kind pubKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, a *actor, ps params) *laymanError {
		ws := ps["ws"]
		if _, fromPath := ps["ws"]; !fromPath {
			ws = r.URL.Query().Get("workspace")
			if ws == "" {
				return newError(2, map[string]any{"parameter": "workspace", "expected": workspacePattern.String()})
			}
		}
		if lerr := checkWorkspaceName(ws); lerr != nil {
			return lerr
		}
		if !s.users.workspaceExists(ws) {
			return newError(40, nil)
		}
		base := s.baseURL(r)
		var gone []*publication
		out := []map[string]any{}
		s.mu.Lock()
		for _, p := range append([]*publication(nil), s.store.ordered...) {
			if p.kind != kind || p.workspace != ws || !s.inRule(a.username, p.write) {
				continue
			}
			s.store.remove(p)
			gone = append(gone, p)
			out = append(out, map[string]any{
				"name": p.name, "title": p.title, "uuid": p.uuid, "url": s.pubURL(base, p),
				"access_rights": s.rightsOf(p),
			})
		}
		s.mu.Unlock()
		for _, p := range gone {
			s.removeFiles(p)
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	}
}
