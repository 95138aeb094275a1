package client

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/url"
	"strconv"
	"strings"
)

// FeatureFormat is an output format of WFS GetFeature.
type FeatureFormat struct {
	Name         string // what --format says
	OutputFormat string // GeoServer's outputFormat value
	mediaTypes   []string
	// Pageable formats are fetched page by page and joined; the others
	// need the whole layer in one answer.
	Pageable bool
}

// FeatureFormats are the formats `layers download` offers, GeoServer's
// names (GeoServer's WFS output formats documentation).
var FeatureFormats = []FeatureFormat{
	{Name: "geojson", OutputFormat: "application/json", mediaTypes: []string{"application/json", "application/geo+json"}, Pageable: true},
	{Name: "csv", OutputFormat: "csv", mediaTypes: []string{"text/csv"}, Pageable: true},
	{Name: "gml", OutputFormat: "application/gml+xml; version=3.2", mediaTypes: []string{"application/gml+xml", "text/xml", "application/xml"}},
	{Name: "shape-zip", OutputFormat: "SHAPE-ZIP", mediaTypes: []string{"application/zip"}},
}

// FeatureQuery selects the features of one WFS feature type.
type FeatureQuery struct {
	TypeName string
	// BBox is minx,miny,maxx,maxy[,CRS] as WFS 2.0 reads it.
	BBox string
	// SRSName is the CRS of the output geometries; "" keeps the layer's.
	SRSName string
	// PageSize is the count asked per request.
	PageSize int
}

func (q FeatureQuery) params(f FeatureFormat, start, count int) url.Values {
	v := url.Values{
		"service": {"WFS"}, "version": {"2.0.0"}, "request": {"GetFeature"},
		"typeNames": {q.TypeName}, "outputFormat": {f.OutputFormat},
	}
	if count > 0 {
		v.Set("count", strconv.Itoa(count))
		v.Set("startIndex", strconv.Itoa(start))
	}
	if q.BBox != "" {
		v.Set("bbox", q.BBox)
	}
	if q.SRSName != "" {
		v.Set("srsName", q.SRSName)
	}
	return v
}

// FeatureProgress learns how many features were written of how many match
// (-1 while unknown).
type FeatureProgress func(written, matched int)

// ErrTooManyFeatures refuses a format that cannot be paged for a layer
// larger than one page.
var ErrTooManyFeatures = errors.New("too many features for one request")

// DownloadFeatures writes the features q selects at the WFS endpoint to w in
// format f and returns how many were written. Pageable formats are fetched
// with count/startIndex, each page streamed to w, so memory stays bounded
// by one feature whatever the layer's size; the next page starts after what
// the server actually returned, so a server capping pages below PageSize
// still yields every feature.
func (c *Client) DownloadFeatures(ctx context.Context, wfsURL string, q FeatureQuery, f FeatureFormat, w io.Writer, progress FeatureProgress) (int, error) {
	if progress == nil {
		progress = func(int, int) {}
	}
	if q.PageSize <= 0 {
		q.PageSize = 1000
	}
	if f.Name == "geojson" {
		return c.downloadGeoJSON(ctx, wfsURL, q, w, progress)
	}
	matched, err := c.countFeatures(ctx, wfsURL, q)
	if err != nil {
		return 0, err
	}
	progress(0, matched)
	if !f.Pageable {
		if matched > q.PageSize {
			return 0, fmt.Errorf("%w: %d features match, and %s cannot be joined from pages of %d", ErrTooManyFeatures, matched, f.Name, q.PageSize)
		}
		body, err := c.getFeatures(ctx, wfsURL, q.params(f, 0, 0), f)
		if err != nil {
			return 0, err
		}
		defer body.Close()
		if _, err := io.Copy(w, body); err != nil {
			return 0, err
		}
		progress(matched, matched)
		return matched, nil
	}
	return c.downloadCSV(ctx, wfsURL, q, f, w, matched, progress)
}

// countFeatures asks for one GeoJSON feature to learn numberMatched.
func (c *Client) countFeatures(ctx context.Context, wfsURL string, q FeatureQuery) (int, error) {
	body, err := c.getFeatures(ctx, wfsURL, q.params(FeatureFormats[0], 0, 1), FeatureFormats[0])
	if err != nil {
		return 0, err
	}
	defer body.Close()
	var page struct {
		NumberMatched json.RawMessage `json:"numberMatched"`
		TotalFeatures json.RawMessage `json:"totalFeatures"`
	}
	if err := json.NewDecoder(body).Decode(&page); err != nil {
		return 0, fmt.Errorf("reading the feature count: %w", err)
	}
	n, ok := matchedCount(page.NumberMatched, page.TotalFeatures)
	if !ok {
		return 0, errors.New("the WFS answer gives no numberMatched")
	}
	return n, nil
}

// matchedCount reads numberMatched (or GeoServer's totalFeatures); WFS 2.0
// allows "unknown".
func matchedCount(values ...json.RawMessage) (int, bool) {
	for _, v := range values {
		var n int
		if json.Unmarshal(v, &n) == nil && len(v) > 0 {
			return n, true
		}
	}
	return 0, false
}

func (c *Client) getFeatures(ctx context.Context, wfsURL string, params url.Values, f FeatureFormat) (io.ReadCloser, error) {
	resp, err := c.OWS(ctx, wfsURL, params)
	if err != nil {
		return nil, err
	}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	for _, want := range f.mediaTypes {
		if strings.EqualFold(mt, want) {
			return resp.Body, nil
		}
	}
	resp.Body.Close()
	return nil, fmt.Errorf("the WFS answered %s instead of %s: the server does not offer --format %s", orNone(mt), f.mediaTypes[0], f.Name)
}

func orNone(s string) string {
	if s == "" {
		return "no content type"
	}
	return s
}

// downloadGeoJSON joins the pages' features into one FeatureCollection,
// copying each feature as the server sent it.
func (c *Client) downloadGeoJSON(ctx context.Context, wfsURL string, q FeatureQuery, w io.Writer, progress FeatureProgress) (int, error) {
	if _, err := io.WriteString(w, `{"type":"FeatureCollection","features":[`); err != nil {
		return 0, err
	}
	written, matched := 0, -1
	for matched < 0 || written < matched {
		body, err := c.getFeatures(ctx, wfsURL, q.params(FeatureFormats[0], written, q.PageSize), FeatureFormats[0])
		if err != nil {
			return written, err
		}
		n, m, err := copyFeatures(body, w, written > 0)
		body.Close()
		if err != nil {
			return written, err
		}
		written += n
		if m >= 0 {
			matched = m
		}
		progress(written, matched)
		if n == 0 || (matched < 0 && n < q.PageSize) {
			break // no numberMatched: a short page is the last one
		}
	}
	if matched >= 0 && written < matched {
		return written, fmt.Errorf("the WFS stopped at %d of %d features", written, matched)
	}
	if _, err := io.WriteString(w, "]}\n"); err != nil {
		return written, err
	}
	return written, nil
}

// copyFeatures streams the "features" array of one GeoJSON page to w and
// reads numberMatched (-1 when absent), holding one feature at a time.
func copyFeatures(r io.Reader, w io.Writer, comma bool) (n, matched int, err error) {
	dec := json.NewDecoder(r)
	matched = -1
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return 0, -1, fmt.Errorf("reading a WFS page: not a GeoJSON object")
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return n, matched, fmt.Errorf("reading a WFS page: %w", err)
		}
		switch t {
		case "features":
			if t, err := dec.Token(); err != nil || t != json.Delim('[') {
				return n, matched, fmt.Errorf("reading a WFS page: features is not an array")
			}
			for dec.More() {
				var f json.RawMessage
				if err := dec.Decode(&f); err != nil {
					return n, matched, fmt.Errorf("reading a WFS page: %w", err)
				}
				if comma || n > 0 {
					if _, err := io.WriteString(w, ","); err != nil {
						return n, matched, err
					}
				}
				if _, err := w.Write(f); err != nil {
					return n, matched, err
				}
				n++
			}
			if _, err := dec.Token(); err != nil {
				return n, matched, fmt.Errorf("reading a WFS page: %w", err)
			}
		case "numberMatched", "totalFeatures":
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				return n, matched, fmt.Errorf("reading a WFS page: %w", err)
			}
			if m, ok := matchedCount(v); ok && (matched < 0 || t == "numberMatched") {
				matched = m
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return n, matched, fmt.Errorf("reading a WFS page: %w", err)
			}
		}
	}
	return n, matched, nil
}

// downloadCSV joins CSV pages, keeping the header of the first.
func (c *Client) downloadCSV(ctx context.Context, wfsURL string, q FeatureQuery, f FeatureFormat, w io.Writer, matched int, progress FeatureProgress) (int, error) {
	cw := csv.NewWriter(w)
	written := 0
	for page := 0; page == 0 || written < matched; page++ {
		body, err := c.getFeatures(ctx, wfsURL, q.params(f, written, q.PageSize), f)
		if err != nil {
			return written, err
		}
		cr := csv.NewReader(body)
		cr.FieldsPerRecord = -1
		n := 0
		for row := 0; ; row++ {
			rec, err := cr.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				body.Close()
				return written, fmt.Errorf("reading a WFS page: %w", err)
			}
			if row == 0 && page > 0 {
				continue // the header again
			}
			if err := cw.Write(rec); err != nil {
				body.Close()
				return written, err
			}
			if row > 0 {
				n++
			}
		}
		body.Close()
		cw.Flush()
		if err := cw.Error(); err != nil {
			return written, err
		}
		written += n
		progress(written, matched)
		if n == 0 {
			break
		}
	}
	if written < matched {
		return written, fmt.Errorf("the WFS stopped at %d of %d features", written, matched)
	}
	return written, nil
}
