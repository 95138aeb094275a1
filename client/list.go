package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// ListOptions filter, order and page a publication list (GET Publications
// in doc/rest.md). Zero values are not sent.
type ListOptions struct {
	// Workspace keeps only that workspace's publications.
	Workspace       string
	FullTextFilter  string
	BboxFilter      string // "minx,miny,maxx,maxy"
	BboxFilterCRS   string // e.g. EPSG:4326; the server's default is EPSG:3857
	OrderBy         string // one of OrderBy*
	OrderingBbox    string // "minx,miny,maxx,maxy"
	OrderingBboxCRS string
	// Limit is the most items one page holds; with All it is the page size
	// (DefaultPageSize when 0).
	Limit  int
	Offset int
}

// Values of ListOptions.OrderBy.
const (
	OrderByTitle      = "title"
	OrderByLastChange = "last_change"
	OrderByFullText   = "full_text"
	OrderByBbox       = "bbox"
)

// DefaultPageSize is the page size of All when ListOptions.Limit is 0.
const DefaultPageSize = 500

// PublicationPage is one page of a list.
type PublicationPage struct {
	Items []Publication
	// Total counts every item matching the filters (X-Total-Count or
	// Content-Range); -1 when the server did not say.
	Total int
	// Raw is the server's exact JSON array.
	Raw json.RawMessage
}

// query validates the options and turns them into Layman's query
// parameters, leaving the workspace to the caller (its place depends on
// the endpoint).
func (o *ListOptions) query() (url.Values, error) {
	q := url.Values{}
	if o == nil {
		return q, nil
	}
	if o.Workspace != "" {
		if err := ValidateWorkspace(o.Workspace); err != nil {
			return nil, err
		}
	}
	for _, b := range []struct{ name, value string }{{"bbox_filter", o.BboxFilter}, {"ordering_bbox", o.OrderingBbox}} {
		if b.value == "" {
			continue
		}
		if _, err := ParseBbox(b.value); err != nil {
			return nil, fmt.Errorf("%s: %w", b.name, err)
		}
		q.Set(b.name, b.value)
	}
	if o.OrderBy != "" && !slices.Contains([]string{OrderByTitle, OrderByLastChange, OrderByFullText, OrderByBbox}, o.OrderBy) {
		return nil, fmt.Errorf("order by %q: want one of title, last_change, full_text, bbox", o.OrderBy)
	}
	if o.Limit < 0 || o.Offset < 0 {
		return nil, fmt.Errorf("limit and offset must not be negative")
	}
	for name, value := range map[string]string{
		"full_text_filter":  o.FullTextFilter,
		"bbox_filter_crs":   o.BboxFilterCRS,
		"order_by":          o.OrderBy,
		"ordering_bbox_crs": o.OrderingBboxCRS,
	} {
		if value != "" {
			q.Set(name, value)
		}
	}
	if o.Limit > 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	if o.Offset > 0 {
		q.Set("offset", strconv.Itoa(o.Offset))
	}
	return q, nil
}

var bboxNumber = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^-?\d+(?:\.\d+)?$`) })

// ParseBbox reads "minx,miny,maxx,maxy": four finite numbers with
// minx <= maxx and miny <= maxy.
func ParseBbox(s string) ([4]float64, error) {
	var box [4]float64
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return box, fmt.Errorf("bounding box %q: want four comma-separated numbers minx,miny,maxx,maxy", s)
	}
	for i, p := range parts {
		// Layman's BBOX_PATTERN (common/get_publications_consts.py): no
		// spaces, exponents, '+' or leading '.'.
		if !bboxNumber().MatchString(p) {
			return box, fmt.Errorf("bounding box %q: %q is not a plain decimal number like -12.5", s, p)
		}
		box[i], _ = strconv.ParseFloat(p, 64)
	}
	if box[0] > box[2] || box[1] > box[3] {
		return box, fmt.Errorf("bounding box %q: want minx <= maxx and miny <= maxy", s)
	}
	return box, nil
}

// ParseTotal reads the total item count of a list answer from X-Total-Count,
// or else from Content-Range ("items 1-20/247"). ok is false when neither
// header gives a count.
func ParseTotal(h http.Header) (total int, ok bool, err error) {
	if v := strings.TrimSpace(h.Get("X-Total-Count")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return 0, false, fmt.Errorf("X-Total-Count %q is not a count", v)
		}
		return n, true, nil
	}
	v := strings.TrimSpace(h.Get("Content-Range"))
	if v == "" {
		return 0, false, nil
	}
	unit, rest, found := strings.Cut(v, " ")
	rng, size, found2 := strings.Cut(strings.TrimSpace(rest), "/")
	if !found || !found2 || unit != "items" || !validRange(rng) {
		return 0, false, fmt.Errorf("Content-Range %q: want items <start>-<end>/<size>", v)
	}
	if size == "*" {
		return 0, false, nil
	}
	n, err := strconv.Atoi(size)
	if err != nil || n < 0 {
		return 0, false, fmt.Errorf("Content-Range %q: size is not a count", v)
	}
	return n, true, nil
}

func validRange(r string) bool {
	if r == "*" {
		return true
	}
	a, b, ok := strings.Cut(r, "-")
	x, err1 := strconv.Atoi(a)
	y, err2 := strconv.Atoi(b)
	return ok && err1 == nil && err2 == nil && x >= 0 && y >= x
}

// listPage GETs one page of a list at path with query q.
func (c *Client) listPage(ctx context.Context, path string, q url.Values) (*PublicationPage, error) {
	resp, from, err := c.getList(ctx, path, q)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("reading answer to %s: %w", from, err)
	}
	page := &PublicationPage{Total: listTotal(resp.Header), Raw: body}
	if err := json.Unmarshal(body, &page.Items); err != nil {
		return nil, fmt.Errorf("decoding answer to %s: %w", from, err)
	}
	return page, nil
}

// getList sends the GET of a list at path with query q; from names the
// request for errors. The caller closes the body.
func (c *Client) getList(ctx context.Context, path string, q url.Values) (resp *http.Response, from string, err error) {
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	req, err := c.NewRequest(ctx, http.MethodGet, path, nil)
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("Accept", "application/json")
	if resp, err = c.send(req); err != nil {
		return nil, "", err
	}
	return resp, describe(req), nil
}

// listTotal is the count of a list answer's headers, -1 when they give
// none. A malformed count only costs the total; the items are still good.
func listTotal(h http.Header) int {
	if n, ok, err := ParseTotal(h); ok && err == nil {
		return n
	}
	return -1
}
