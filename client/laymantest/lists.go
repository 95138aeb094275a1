package laymantest

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

var (
	bboxPattern    = regexp.MustCompile(`^(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)$`)
	integerPattern = regexp.MustCompile(`^([-+]?[0-9]+)$`)
	crsPattern     = regexp.MustCompile(`^(\w+:\d+)$`)
	titleDrop      = regexp.MustCompile(`[^a-zA-Z0-9 ]`)
)

var orderByValues = []string{"title", "full_text", "last_change", "bbox"}

// listQuery is the parsed query of GET Publications (common.rest.get_publications).
type listQuery struct {
	fullText     string
	bboxFilter   *[4]float64 // EPSG:3857
	orderBy      string
	orderingBBox *[4]float64 // EPSG:3857
	limit        int         // -1: none
	offset       int
}

// parseListQuery reads the list parameters as get_publications in
// src/layman/common/rest.py does: errors 2 and 48.
func parseListQuery(q url.Values) (*listQuery, *laymanError) {
	lq := &listQuery{limit: -1}
	lq.fullText = strings.TrimSpace(q.Get("full_text_filter"))
	bboxFilter, lerr := bboxParam(q, "bbox_filter")
	if lerr != nil {
		return nil, lerr
	}
	bboxCRS, lerr := crsParam(q, "bbox_filter_crs")
	if lerr != nil {
		return nil, lerr
	}
	orderingBBox, lerr := bboxParam(q, "ordering_bbox")
	if lerr != nil {
		return nil, lerr
	}
	orderingCRS, lerr := crsParam(q, "ordering_bbox_crs")
	if lerr != nil {
		return nil, lerr
	}
	explicit := q.Get("order_by")
	switch {
	case explicit != "":
		if !slices.Contains(orderByValues, explicit) {
			return nil, newError(2, map[string]any{"parameter": "order_by", "supported_values": orderByValues})
		}
		lq.orderBy = explicit
	case lq.fullText != "":
		lq.orderBy = "full_text"
	case bboxFilter != nil || orderingBBox != nil:
		lq.orderBy = "bbox"
	}
	switch {
	case explicit == "full_text" && lq.fullText == "":
		return nil, newError(48, `Value "full_text" of parameter "order_by" can be used only if "full_text_filter" parameter is set.`)
	case explicit == "bbox" && bboxFilter == nil && orderingBBox == nil:
		return nil, newError(48, `Value "bbox" of parameter "order_by" can be used only if "bbox_filter" or "bbox" parameter is set.`)
	case orderingBBox != nil && lq.orderBy != "bbox":
		return nil, newError(48, `Parameter "ordering_bbox" can be set only if parameter "order_by" is set to bbox.`)
	case bboxCRS != "" && bboxFilter == nil:
		return nil, newError(48, `Parameter "bbox_filter_crs" can be set only if parameter "bbox_filter" is set.`)
	case orderingCRS != "" && orderingBBox == nil:
		return nil, newError(48, `Parameter "ordering_bbox_crs" can be set only if parameter "ordering_bbox" is set.`)
	}
	if orderingCRS == "" {
		orderingCRS = bboxCRS
	}
	lq.bboxFilter = toMercator(bboxFilter, bboxCRS)
	lq.orderingBBox = toMercator(orderingBBox, orderingCRS)
	if lq.orderBy == "bbox" && lq.orderingBBox == nil {
		lq.orderingBBox = lq.bboxFilter
	}
	if lq.limit, lerr = nonNegativeParam(q, "limit", -1); lerr != nil {
		return nil, lerr
	}
	if lq.offset, lerr = nonNegativeParam(q, "offset", 0); lerr != nil {
		return nil, lerr
	}
	return lq, nil
}

func bboxParam(q url.Values, name string) (*[4]float64, *laymanError) {
	v := q.Get(name)
	if v == "" {
		return nil, nil
	}
	m := bboxPattern.FindStringSubmatch(v)
	if m == nil {
		return nil, newError(2, map[string]any{"parameter": name, "expected": map[string]any{
			"text": "Four comma-separated coordinates: minx,miny,maxx,maxy", "regular_expression": bboxPattern.String()}})
	}
	var b [4]float64
	for i := range b {
		b[i], _ = strconv.ParseFloat(m[i+1], 64)
	}
	if b[0] > b[2] || b[1] > b[3] {
		return nil, newError(2, map[string]any{"parameter": name, "expected": "minx <= maxx and miny <= maxy"})
	}
	return &b, nil
}

func crsParam(q url.Values, name string) (string, *laymanError) {
	v := q.Get(name)
	if v == "" {
		return "", nil
	}
	if !crsPattern.MatchString(v) {
		return "", newError(2, map[string]any{"parameter": name, "expected": map[string]any{
			"text": "One CRS name: AUTHORITY:CODE", "regular_expression": crsPattern.String()}})
	}
	if !slices.Contains(outputCRS, v) {
		return "", newError(2, map[string]any{"parameter": name, "expected": outputCRS, "value": v})
	}
	return v, nil
}

func nonNegativeParam(q url.Values, name string, def int) (int, *laymanError) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	if !integerPattern.MatchString(v) {
		return 0, newError(2, map[string]any{"parameter": name, "expected": map[string]any{
			"text": "Integer with optional sign", "regular_expression": integerPattern.String()}})
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, newError(2, map[string]any{"parameter": name, "expected": "value >= 0"})
	}
	return n, nil
}

// listItem is one entry of GET Publications/Layers/Maps.
type listItem struct {
	Workspace         string       `json:"workspace"`
	PublicationType   string       `json:"publication_type"`
	Name              string       `json:"name"`
	Title             string       `json:"title"`
	UUID              string       `json:"uuid"`
	URL               string       `json:"url"`
	UpdatedAt         string       `json:"updated_at"`
	AccessRights      accessRights `json:"access_rights"`
	BoundingBox       []*float64   `json:"bounding_box"`
	NativeCRS         *string      `json:"native_crs"`
	NativeBoundingBox []*float64   `json:"native_bounding_box"`
	GeodataType       *string      `json:"geodata_type,omitempty"`
	WfsWmsStatus      *string      `json:"wfs_wms_status,omitempty"`
	UsedInMaps        *[]any       `json:"used_in_maps,omitempty"`

	score    float64
	titleKey string
}

type accessRights struct {
	Read  []string `json:"read"`
	Write []string `json:"write"`
}

// listPublications is GET Layers / Maps / Publications (src/layman/layer/rest_layers.py,
// src/layman/map/rest_maps.py, src/layman/rest_publications.py).
func (s *Server) listPublications(kind pubKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, a *actor, _ params) *laymanError {
		ws := ""
		// GET /rest/layers filters by ?workspace= since master 81de9534, and
		// /rest/maps on branch a43e39a7 (layer/rest_layers.py, map/rest_maps.py).
		if s.opts.Generation == 3 && (kind == kindLayer && s.opts.URLs.layersUnified() || kind == kindMap && s.opts.URLs.mapsUnified()) {
			ws = r.URL.Query().Get("workspace")
			if ws != "" {
				if lerr := checkWorkspaceName(ws); lerr != nil {
					return lerr
				}
				if !s.users.workspaceExists(ws) {
					return newError(40, nil)
				}
			}
		}
		return s.writeList(w, r, a, kind, ws)
	}
}

func (s *Server) listWorkspacePublications(kind pubKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, a *actor, p params) *laymanError {
		if lerr := checkWorkspaceName(p["ws"]); lerr != nil {
			return lerr
		}
		if !s.users.workspaceExists(p["ws"]) {
			return newError(40, nil)
		}
		return s.writeList(w, r, a, kind, p["ws"])
	}
}

func (s *Server) writeList(w http.ResponseWriter, r *http.Request, a *actor, kind pubKind, ws string) *laymanError {
	lq, lerr := parseListQuery(r.URL.Query())
	if lerr != nil {
		return lerr
	}
	items := s.selectItems(r, a, kind, ws, lq)
	sortItems(items, lq.orderBy)
	total := len(items)
	start := min(lq.offset, total)
	end := total
	if lq.limit >= 0 {
		end = min(start+lq.limit, total)
	}
	page := items[start:end]
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Total-Count", strconv.Itoa(total))
	if len(page) == 0 {
		w.Header().Set("Content-Range", fmt.Sprintf("items 0-0/%d", total))
	} else {
		w.Header().Set("Content-Range", fmt.Sprintf("items %d-%d/%d", start+1, end, total))
	}
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriterSize(w, 64<<10)
	_ = bw.WriteByte('[')
	for i := range page {
		if i > 0 {
			_ = bw.WriteByte(',')
		}
		b, _ := json.Marshal(&page[i])
		_, _ = bw.Write(b)
	}
	_ = bw.WriteByte(']')
	_ = bw.Flush()
	return nil
}

// selectItems snapshots the readable publications matching the filters.
func (s *Server) selectItems(r *http.Request, a *actor, kind pubKind, ws string, lq *listQuery) []listItem {
	words := textWords(lq.fullText)
	base := s.baseURL(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	items := make([]listItem, 0, len(s.store.ordered))
	for _, p := range s.store.ordered {
		if kind != kindAny && p.kind != kind || ws != "" && p.workspace != ws || !s.inRule(a.username, p.read) {
			continue
		}
		var score float64
		if lq.fullText != "" {
			score = fullTextScore(p.title, lq.fullText, words)
			if score == 0 {
				continue
			}
		}
		if lq.bboxFilter != nil && (p.bbox == nil || !intersects(*p.bbox, *lq.bboxFilter)) {
			continue
		}
		if lq.orderBy == "bbox" && lq.orderingBBox != nil && p.bbox != nil {
			score = similarity(*p.bbox, *lq.orderingBBox)
		}
		items = append(items, s.listItemOf(base, p, score))
	}
	return items
}

func (s *Server) listItemOf(base string, p *publication, score float64) listItem {
	it := listItem{
		Workspace: p.workspace, PublicationType: p.kind.String(), Name: p.name, Title: p.title,
		UUID: p.uuid, URL: s.pubURL(base, p), UpdatedAt: formatTime(p.updatedAt),
		AccessRights: s.rightsOf(p),
		BoundingBox:  bboxJSON(p.bbox), NativeBoundingBox: bboxJSON(p.bbox),
		score: score, titleKey: titleKey(p.title),
	}
	if p.bbox != nil {
		crs := p.nativeCRS
		it.NativeCRS = &crs
	}
	if p.kind == kindLayer {
		gt, st := p.geodataType, wfsWmsStatus(p)
		it.GeodataType, it.WfsWmsStatus, it.UsedInMaps = &gt, &st, &[]any{}
	}
	return it
}

func wfsWmsStatus(p *publication) string {
	switch p.status() {
	case StatusComplete:
		return "AVAILABLE"
	case StatusIncomplete:
		return "NOT_AVAILABLE"
	}
	return "PREPARING"
}

func bboxJSON(b *[4]float64) []*float64 {
	out := make([]*float64, 4)
	if b != nil {
		for i := range b {
			out[i] = &b[i]
		}
	}
	return out
}

// sortItems is the ORDER BY of get_publication_infos_with_metainfo
// (src/layman/common/prime_db_schema/publications.py, master and v2.4.0):
// the asked order, then w.name, p.name, p.type, compared bytewise as in
// reallayman's C-collated database.
func sortItems(items []listItem, orderBy string) {
	slices.SortStableFunc(items, func(a, b listItem) int {
		var c int
		switch orderBy {
		case "title":
			c = strings.Compare(a.titleKey, b.titleKey)
		case "last_change":
			c = strings.Compare(b.UpdatedAt, a.UpdatedAt)
		case "full_text", "bbox":
			c = cmp.Compare(b.score, a.score)
		}
		return cmp.Or(c, strings.Compare(a.Workspace, b.Workspace), strings.Compare(a.Name, b.Name),
			strings.Compare(a.PublicationType, b.PublicationType))
	})
}

// titleKey is ORDER_BY_TITLE's regexp_replace(lower(unaccent(p.title)),
// '[^a-zA-Z0-9 ]', ”, 'g'), unaccent as far as latinFold knows it.
func titleKey(title string) string {
	return titleDrop.ReplaceAllString(latinFold.Replace(strings.ToLower(title)), "")
}

func textWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// fullTextScore approximates Layman's filter (src/layman/common/prime_db_schema/publications.py): any query word among the
// title's words, or the query as a case-insensitive substring.
func fullTextScore(title, query string, words []string) float64 {
	lt := strings.ToLower(title)
	var score float64
	if strings.Contains(lt, strings.ToLower(query)) {
		score++
	}
	tw := textWords(title)
	for _, w := range words {
		if slices.Contains(tw, w) {
			score++
		}
	}
	return score
}

func intersects(a, b [4]float64) bool {
	return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3]
}

// similarity orders by bbox: intersection over union.
func similarity(a, b [4]float64) float64 {
	area := func(x [4]float64) float64 { return math.Max(0, x[2]-x[0]) * math.Max(0, x[3]-x[1]) }
	in := [4]float64{math.Max(a[0], b[0]), math.Max(a[1], b[1]), math.Min(a[2], b[2]), math.Min(a[3], b[3])}
	if !intersects(a, b) {
		return 0
	}
	u := area(a) + area(b) - area(in)
	if u == 0 {
		return 1
	}
	return area(in) / u
}
