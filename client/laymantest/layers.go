package laymantest

import (
	"archive/zip"
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// inputCRS is the part of LAYMAN_INPUT_SRS_LIST the fake accepts in `crs`.
var inputCRS = []string{"EPSG:3034", "EPSG:3035", "EPSG:3059", "EPSG:3857", "EPSG:4326", "EPSG:5514", "EPSG:32633", "EPSG:32634"}

// layerInput is what POST Layers and PATCH Layer share.
type layerInput struct {
	form      *uploadForm
	files     inputFiles
	chunked   bool
	checkCRS  bool
	crs       string
	timeRegex bool
	style     []byte
	styleType string
	// append is v2.4.0's append=true on PATCH: add granules to a time
	// series (layer/rest_workspace_layer.py).
	append bool
	// filePath is v2.4.0's file_path: a raster in GeoServer's data
	// directory, which the fake takes as existing.
	filePath string
	table    *externalTable
}

// parseLayerInput validates the file, crs, time_regex and style parameters
// like POST and PATCH (src/layman/layer/rest_layers.py, rest_layer.py).
// v24 turns on what only v2.4.0 has: mosaics without time_regex and
// file_path (layer/rest_workspace_layers.py).
func parseLayerInput(form *uploadForm, requireFile, v24 bool) (*layerInput, *laymanError) {
	in := &layerInput{form: form, files: classify(form.names()), chunked: len(form.dataFiles) == 0 && len(form.fileNames) > 0}
	in.files.mosaic = v24 && in.files.multiRaster()
	hasFiles := len(in.files.all) > 0
	if v24 {
		in.filePath = strings.TrimSpace(form.values.Get("file_path"))
		in.append = strings.EqualFold(form.values.Get("append"), "true")
	}
	if in.append && (!hasFiles || form.values.Get("time_regex") != "" || form.values.Get("time_regex_format") != "") {
		// layer/util.py validate_and_prepare_append_mode
		return nil, newError(48, map[string]any{"parameter": "append", "message": "Parameter `append` requires `file` and no `time_regex` or `time_regex_format`."})
	}
	in.crs = form.values.Get("crs")
	if in.crs != "" && !slices.Contains(inputCRS, in.crs) {
		return nil, newError(2, map[string]any{"parameter": "crs", "supported_values": inputCRS})
	}
	if in.crs != "" && !hasFiles {
		return nil, newError(48, map[string]any{
			"parameters": []string{"crs", "file"},
			"message":    "Parameter `crs` needs also parameter `file`.",
			"expected":   "Input files in `file` parameter or empty `crs` parameter.",
			"found":      map[string]any{"crs": in.crs, "file": form.values["file"]},
		})
	}
	in.checkCRS = in.crs == ""
	table := form.values.Get("external_table_uri")
	switch {
	case hasFiles && table != "":
		return nil, newError(48, map[string]any{
			"parameters": []string{"file", "external_table_uri"},
			"message":    "Both `file` and `external_table_uri` parameters are filled",
			"expected":   "Only one of the parameters is fulfilled.",
			"found":      map[string]any{"file": in.files.all, "external_table_uri": table},
		})
	case table != "":
		var lerr *laymanError
		if in.table, lerr = parseExternalTable(table); lerr != nil {
			return nil, lerr
		}
	case in.filePath != "" && hasFiles:
		return nil, newError(48, map[string]any{"parameters": []string{"file", "file_path"}, "message": "Multiple parameters are filled: file, file_path"})
	case in.filePath != "" && filepath.IsAbs(in.filePath):
		return nil, newError(2, map[string]any{"parameter": "file_path", "message": "Absolute path is not allowed"})
	case requireFile && !hasFiles && in.filePath == "":
		return nil, newError(1, map[string]any{
			"parameters": []string{"file", "external_table_uri"},
			"message":    "Both `file` and `external_table_uri` parameters are empty",
			"expected":   "One of the parameters is filled.",
		})
	}
	if tr := form.values.Get("time_regex"); tr != "" {
		if !hasFiles {
			return nil, newError(48, "Parameter time_regex is allowed only in combination with files.")
		}
		if _, err := regexp.Compile(tr); err != nil {
			return nil, newError(2, map[string]any{"parameter": "time_regex", "expected": "Regular expression"})
		}
		in.timeRegex = true
	}
	if hasFiles && !(in.chunked && in.files.isOneArchive()) {
		if lerr := in.files.check(in.checkCRS, in.timeRegex || in.append); lerr != nil {
			return nil, lerr
		}
	}
	if sf, ok := form.small["style"]; ok && sf.name != "" {
		switch {
		case bytes.Contains(sf.content, []byte("StyledLayerDescriptor")):
			in.styleType = "sld"
		case bytes.Contains(sf.content, []byte("<qgis")):
			in.styleType = "qml"
		default:
			return nil, newError(46, nil)
		}
		in.style = sf.content
		if in.styleType == "qml" && in.files.geodataType() == "raster" {
			return nil, newError(48, "Raster layers are not allowed to have QML style.")
		}
	}
	return in, nil
}

// defaultLayerName is get_unsafe_layername (src/layman/layer/filesystem/input_file.py): the first main
// file's (or the archive's) name without extension.
func (in *layerInput) defaultLayerName() string {
	if len(in.files.mains) > 0 {
		return stem(in.files.mains[0])
	}
	if len(in.files.zips) > 0 {
		return stem(in.files.zips[0])
	}
	return ""
}

// postLayer is POST Layers (src/layman/layer/rest_layers.py; v2.4.0
// rest_workspace_layers.py).
func (s *Server) postLayer(w http.ResponseWriter, r *http.Request, a *actor, ps params) *laymanError {
	ws, inPath := ps["ws"]
	if inPath {
		if lerr := s.authorizePublish(ws, a); lerr != nil {
			return lerr
		}
	}
	form, err := s.readUploadForm(r, true)
	if err != nil {
		return newError(2, map[string]any{"parameter": "file", "message": err.Error()})
	}
	defer form.discard()
	if !inPath {
		ws = form.values.Get("workspace")
		if ws == "" {
			return newError(2, map[string]any{"parameter": "workspace", "expected": workspacePattern.String()})
		}
		if lerr := s.authorizePublish(ws, a); lerr != nil {
			return lerr
		}
	}
	id, lerr := s.inputUUID(form)
	if lerr != nil {
		return lerr
	}
	in, lerr := parseLayerInput(form, true, s.opts.Generation == 2)
	if lerr != nil {
		return lerr
	}
	unsafe := form.values.Get("name")
	switch {
	case unsafe != "":
	case in.filePath != "":
		unsafe = filepath.Base(in.filePath)
	case in.table != nil:
		unsafe = in.table.table // layer/rest_layers.py
	default:
		unsafe = in.defaultLayerName()
	}
	name := toSafeName(unsafe, "layer")
	if lerr := checkPublicationName("layername", name); lerr != nil {
		return lerr
	}
	if s.nameTaken(kindLayer, ws, name) {
		return newError(17, map[string]any{"layername": name})
	}
	p := &publication{
		kind: kindLayer, uuid: id, workspace: ws, name: name,
		title: cmpOr(form.values.Get("title"), name), description: form.values.Get("description"),
		updatedAt: s.now(), nativeCRS: cmpOr(in.crs, "EPSG:4326"), geodataType: in.files.geodataType(),
		imageMosaic: in.timeRegex || in.files.mosaic,
		// The fake does not read the data: every layer gets this bbox (around
		// Brno), where Layman computes it from the data (src/layman/common/bbox.py).
		style: in.style, styleType: in.styleType, bbox: &[4]float64{1.8e6, 6.2e6, 1.9e6, 6.3e6},
	}
	p.read = rightsOrDefault(form.values.Get("access_rights.read"), a)
	p.write = rightsOrDefault(form.values.Get("access_rights.write"), a)
	s.users.ensureWorkspace(ws)
	if lerr := s.checkRights(p, p.read, p.write, a.username); lerr != nil {
		return lerr
	}
	result := map[string]any{"name": name, "uuid": id}
	if in.filePath != "" {
		p.geodataType, p.pollsLeft = "raster", s.opts.ProcessingPolls
	} else if in.table != nil {
		p.table, p.geodataType, p.pollsLeft = in.table, "vector", s.opts.ProcessingPolls
	} else if lerr := s.attachFiles(p, in, result); lerr != nil {
		return lerr
	}
	s.mu.Lock()
	if s.store.byName[nameKey(kindLayer, ws, name)] != nil {
		s.mu.Unlock()
		s.removeFiles(p)
		return newError(17, map[string]any{"layername": name})
	}
	s.store.add(p)
	result["url"] = s.pubURL(s.baseURL(r), p)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, []any{result})
	return nil
}

// attachFiles stores directly uploaded files or opens a chunk session, and
// starts processing. result gets files_to_upload for a chunked upload.
func (s *Server) attachFiles(p *publication, in *layerInput, result map[string]any) *laymanError {
	accepted := in.files.accepted()
	if in.chunked {
		toUpload := make([]map[string]string, 0, len(accepted))
		for _, n := range accepted {
			toUpload = append(toUpload, map[string]string{"file": n, "layman_original_parameter": "file"})
		}
		result["files_to_upload"] = toUpload
		if !in.append {
			p.files = nil
		}
		p.chunk = s.newChunkSession(p, accepted)
		return nil
	}
	if len(in.form.dataFiles) > 0 {
		if !in.append {
			_ = os.RemoveAll(s.inputFileDir(p.uuid))
			p.files = nil
		}
		files, err := s.keepFiles(p.uuid, in.form.dataFiles, accepted)
		if err != nil {
			return newError(2, map[string]any{"parameter": "file", "message": err.Error()})
		}
		p.files, p.chunk = append(p.files, files...), nil
		p.geodataType = geodataTypeOf(files)
	}
	p.pollsLeft = s.opts.ProcessingPolls
	return nil
}

// geodataTypeOf reads the type from the main file, looking into a ZIP.
func geodataTypeOf(files []storedFile) string {
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = f.name
	}
	in := classify(names)
	if len(in.mains) > 0 || len(in.zips) != 1 {
		return in.geodataType()
	}
	for _, f := range files {
		if f.name != in.zips[0] {
			continue
		}
		zr, err := zip.OpenReader(f.path)
		if err != nil {
			return "unknown"
		}
		defer zr.Close()
		var inner []string
		for _, zf := range zr.File {
			inner = append(inner, zf.Name)
		}
		return classify(inner).geodataType()
	}
	return "unknown"
}

func (s *Server) inputUUID(form *uploadForm) (string, *laymanError) {
	id := form.values.Get("uuid")
	if id == "" {
		return NewUUID(), nil
	}
	if !isUUID(id) {
		return "", newError(2, map[string]any{"parameter": "uuid", "message": "UUID `" + id + "` is not valid uuid"})
	}
	id = strings.ToLower(id)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.store.byUUID[id] != nil {
		return "", newError(2, map[string]any{"parameter": "uuid", "message": "UUID `" + id + "` value already in use"})
	}
	return id, nil
}

// rightsOrDefault is setup_post_access_rights (src/layman/common/rest.py)
// for one right type.
func rightsOrDefault(v string, a *actor) []string {
	if r := parseRights(v); len(r) > 0 {
		return r
	}
	if a.username != "" {
		return []string{a.username}
	}
	return []string{everyone}
}

func cmpOr(v, def string) string {
	if v != "" {
		return v
	}
	return def
}

// patchLayer is PATCH Layer (src/layman/layer/rest_layer.py); a layer
// still processing is error 49.
func (s *Server) patchLayer(w http.ResponseWriter, r *http.Request, a *actor, p *publication) *laymanError {
	if lerr := s.lockForPatch(p); lerr != nil {
		return lerr
	}
	defer s.unlockPatch(p)
	form, err := s.readUploadForm(r, true)
	if err != nil {
		return newError(2, map[string]any{"parameter": "file", "message": err.Error()})
	}
	defer form.discard()
	in, lerr := parseLayerInput(form, false, s.opts.Generation == 2)
	if lerr != nil {
		return lerr
	}
	read, write := s.patchedRights(p, form)
	if lerr := s.checkRights(p, read, write, a.username); lerr != nil {
		return lerr
	}
	s.mu.Lock()
	stale, mosaic := p.staleChunks, p.imageMosaic
	s.mu.Unlock()
	if in.append && !mosaic {
		return newError(48, map[string]any{"parameter": "append", "message": "Parameter `append` is allowed only for timeseries layers."})
	}
	if in.chunked && stale {
		// PATCH deletes sources from input_file on, not input_chunk, so
		// os.mkdir(input_chunk/chunks) of the dropped upload raises: HTTP 500
		// (layer/util.py delete_layer, layer/filesystem/input_chunk.py).
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(flaskInternalError))
		return nil
	}
	result := map[string]any{"name": p.name, "uuid": p.uuid}
	s.mu.Lock()
	defer s.mu.Unlock()
	p.title = cmpOr(form.values.Get("title"), p.title)
	p.description = cmpOr(form.values.Get("description"), p.description)
	p.read, p.write = read, write
	if in.style != nil {
		p.style, p.styleType = in.style, in.styleType
	}
	if in.crs != "" {
		p.nativeCRS = in.crs
	}
	p.updatedAt, p.failure = s.now(), nil
	switch {
	case in.table != nil:
		// A table replaces the layer's data, files or table alike (layer/rest_layer.py).
		p.table, p.files, p.geodataType, p.pollsLeft = in.table, nil, "vector", s.opts.ProcessingPolls
	case len(in.files.all) > 0:
		p.table, p.geodataType = nil, in.files.geodataType()
		if lerr := s.attachFiles(p, in, result); lerr != nil {
			return lerr
		}
	default:
		p.pollsLeft = s.opts.ProcessingPolls
	}
	result["url"] = s.pubURL(s.baseURL(r), p)
	writeJSON(w, http.StatusOK, result)
	return nil
}

// lockForPatch refuses a PATCH while the publication is processing or
// another PATCH runs (solve_locks in src/layman/common/redis.py → error 49).
func (s *Server) lockForPatch(p *publication) *laymanError {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireChunkSession(p)
	if p.status() == StatusUpdating || p.patching {
		return newError(49, nil)
	}
	p.patching = true
	return nil
}

func (s *Server) unlockPatch(p *publication) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p.patching = false
}

// patchedRights is setup_patch_access_rights (src/layman/common/rest.py):
// only sent types change.
func (s *Server) patchedRights(p *publication, form *uploadForm) (read, write []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	read, write = p.read, p.write
	if v := parseRights(form.values.Get("access_rights.read")); len(v) > 0 {
		read = v
	}
	if v := parseRights(form.values.Get("access_rights.write")); len(v) > 0 {
		write = v
	}
	return read, write
}

// nameTaken is the duplicate check of POST (src/layman/layer/rest_layers.py,
// src/layman/map/rest_workspace_maps.py): error 17 or 24.
func (s *Server) nameTaken(kind pubKind, ws, name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.store.byName[nameKey(kind, ws, name)] != nil
}
