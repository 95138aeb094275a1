package laymantest

import (
	"bytes"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strconv"
	"strings"
)

// DefaultWFSMaxFeatures is the per-request cap of the GeoServer stand-in
// behind real Layman's /geoserver proxy (GSSTUB_WFS_MAX_FEATURES).
const DefaultWFSMaxFeatures = 10000

// Features gives a vector layer n point features for WFS GetFeature:
// feature i (from 1) has properties ogc_fid=i and name "feature i", at
// lon 14+i/10000, lat 49+i/10000 (EPSG:4326).
func Features(n int) PublicationOption { return func(p *publication) { p.features = n } }

// ogcLayer finds the layer an OWS request names (typeNames or layers),
// unqualified or prefixed with the workspace of the endpoint, and hides it
// when the caller may not read it, as GeoServer's catalog mode HIDE does
// for Layman's ACL rules.
func (s *Server) ogcLayer(endpointWS, name string, a *actor) *publication {
	if ws, local, ok := strings.Cut(name, ":"); ok {
		if ws != endpointWS {
			return nil
		}
		name = local
	}
	// l_<uuid> on every generation since Layman 2.0.0 (src/layman/layer/geoserver/__init__.py).
	s.mu.Lock()
	var p *publication
	if id, ok := strings.CutPrefix(name, "l_"); ok {
		p = s.store.byUUID[id]
	}
	s.mu.Unlock()
	if p == nil || p.kind != kindLayer || !s.inRule(a.username, p.read) {
		return nil
	}
	return p
}

// wfs serves /geoserver/<ws>/wfs: GetFeature with GeoJSON output, paged
// with count and startIndex like the stub (gsstub.py wfs_get_feature).
func (s *Server) wfs(w http.ResponseWriter, r *http.Request, a *actor, ps params) *laymanError {
	q := ciQuery(r)
	if !strings.EqualFold(q["REQUEST"], "GetFeature") {
		writeOWSException(w, http.StatusBadRequest, "OperationNotSupported", "only GetFeature is served by the fake")
		return nil
	}
	typeName := firstNonEmpty(q["TYPENAMES"], q["TYPENAME"])
	p := s.ogcLayer(ps["ws"], typeName, a)
	if p == nil || p.geodataType != "vector" {
		if !strings.Contains(typeName, ":") {
			typeName = ps["ws"] + ":" + typeName
		}
		writeOWSException(w, http.StatusBadRequest, "InvalidParameterValue", "Feature type "+typeName+" unknown")
		return nil
	}
	limit := s.opts.WFSMaxFeatures
	if c, err := strconv.Atoi(firstNonEmpty(q["COUNT"], q["MAXFEATURES"])); err == nil && c < limit {
		limit = c
	}
	start, _ := strconv.Atoi(q["STARTINDEX"])
	box, boxErr := parseWFSBBox(q["BBOX"])
	if boxErr != nil {
		writeOWSException(w, http.StatusBadRequest, "InvalidParameterValue", boxErr.Error())
		return nil
	}
	type feature struct {
		Type       string         `json:"type"`
		ID         string         `json:"id"`
		Properties map[string]any `json:"properties"`
		Geometry   map[string]any `json:"geometry"`
	}
	feats := []feature{}
	matched := 0
	for i := 1; i <= p.features; i++ {
		lon, lat := 14+float64(i)/1e4, 49+float64(i)/1e4
		if box != nil && (lon < box[0] || lat < box[1] || lon > box[2] || lat > box[3]) {
			continue
		}
		matched++
		if matched <= start || len(feats) >= limit {
			continue
		}
		feats = append(feats, feature{Type: "Feature", ID: fmt.Sprintf("l_%s.%d", p.uuid, i),
			Properties: map[string]any{"ogc_fid": i, "name": fmt.Sprintf("feature %d", i)},
			Geometry:   map[string]any{"type": "Point", "coordinates": []float64{lon, lat}}})
	}
	writeJSON(w, http.StatusOK, map[string]any{"type": "FeatureCollection", "features": feats,
		"totalFeatures": matched, "numberMatched": matched, "numberReturned": len(feats)})
	return nil
}

// parseWFSBBox reads minx,miny,maxx,maxy[,CRS] as lon/lat; the WFS 2.0 URN
// of EPSG:4326 puts latitude first.
func parseWFSBBox(v string) (*[4]float64, error) {
	if v == "" {
		return nil, nil
	}
	parts := strings.Split(v, ",")
	if len(parts) < 4 {
		return nil, fmt.Errorf("bbox %q: want minx,miny,maxx,maxy[,crs]", v)
	}
	var b [4]float64
	for i := range b {
		f, err := strconv.ParseFloat(parts[i], 64)
		if err != nil {
			return nil, fmt.Errorf("bbox %q: %v", v, err)
		}
		b[i] = f
	}
	if len(parts) > 4 && strings.HasPrefix(strings.ToLower(parts[4]), "urn:") {
		b = [4]float64{b[1], b[0], b[3], b[2]}
	}
	return &b, nil
}

// wms serves /geoserver/<ws>_wms/ows GetMap with a grey PNG of the asked
// size, like the stub (gsstub.py wms_get_map).
func (s *Server) wms(w http.ResponseWriter, r *http.Request, a *actor, ps params) *laymanError {
	q := ciQuery(r)
	if !strings.EqualFold(q["REQUEST"], "GetMap") {
		writeWMSException(w, "OperationNotSupported", "only GetMap is served by the fake")
		return nil
	}
	for _, name := range strings.Split(q["LAYERS"], ",") {
		if s.ogcLayer(ps["ws"], name, a) == nil {
			writeWMSException(w, "LayerNotDefined", "Could not find layer "+name)
			return nil
		}
	}
	width, errW := strconv.Atoi(q["WIDTH"])
	height, errH := strconv.Atoi(q["HEIGHT"])
	if errW != nil || errH != nil || width <= 0 || height <= 0 || width > 4096 || height > 4096 {
		writeWMSException(w, "InvalidDimensionValue", "bad WIDTH or HEIGHT")
		return nil
	}
	img := image.NewUniform(color.Gray{Y: 0xcc})
	var buf bytes.Buffer
	_ = png.Encode(&buf, subImage{img, width, height})
	w.Header().Set("Content-Type", "image/png")
	_, _ = w.Write(buf.Bytes())
	return nil
}

type subImage struct {
	*image.Uniform
	w, h int
}

func (s subImage) Bounds() image.Rectangle { return image.Rect(0, 0, s.w, s.h) }

// ciQuery reads OGC parameters, whose names are case-insensitive.
func ciQuery(r *http.Request) map[string]string {
	out := map[string]string{}
	for k, v := range r.URL.Query() {
		if len(v) > 0 {
			out[strings.ToUpper(k)] = v[0]
		}
	}
	return out
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// writeOWSException is a WFS 2.0 ExceptionReport (HTTP 400, as GeoServer's
// Wfs2ExceptionHandler; gsstub.py wfs_exception).
func writeOWSException(w http.ResponseWriter, status int, code, text string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><ows:ExceptionReport version="2.0.0" xmlns:ows="http://www.opengis.net/ows/1.1"><ows:Exception exceptionCode="%s"><ows:ExceptionText>%s</ows:ExceptionText></ows:Exception></ows:ExceptionReport>`,
		html.EscapeString(code), html.EscapeString(text))
}

// writeWMSException is a WMS 1.3.0 ServiceExceptionReport, which GeoServer
// sends with HTTP 200 (gsstub.py wms_exception).
func writeWMSException(w http.ResponseWriter, code, text string) {
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><ServiceExceptionReport version="1.3.0" xmlns="http://www.opengis.net/ogc"><ServiceException code="%s">%s</ServiceException></ServiceExceptionReport>`,
		html.EscapeString(code), html.EscapeString(text))
}
