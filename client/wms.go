package client

import (
	"context"
	"fmt"
	"io"
	"mime"
	"net/url"
	"strconv"
	"strings"
)

// MapImage asks a WMS 1.3.0 endpoint of this server for a PNG of layer over
// bbox (minx,miny,maxx,maxy in crs, which must use x/y axis order such as
// EPSG:3857). The caller reads and closes the image.
func (c *Client) MapImage(ctx context.Context, wmsURL, layer string, bbox BoundingBox, crs string, width, height int) (io.ReadCloser, error) {
	if len(bbox) != 4 {
		return nil, fmt.Errorf("a map image needs a bounding box of 4 numbers")
	}
	coords := make([]string, 4)
	for i, v := range bbox {
		coords[i] = strconv.FormatFloat(v, 'f', -1, 64)
	}
	resp, err := c.OWS(ctx, wmsURL, url.Values{
		"service": {"WMS"}, "version": {"1.3.0"}, "request": {"GetMap"},
		"layers": {layer}, "styles": {""}, "crs": {crs}, "bbox": {strings.Join(coords, ",")},
		"width": {strconv.Itoa(width)}, "height": {strconv.Itoa(height)},
		"format": {"image/png"}, "transparent": {"true"},
	})
	if err != nil {
		return nil, err
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "image/png" {
		resp.Body.Close()
		return nil, fmt.Errorf("the WMS answered %s instead of image/png", orNone(mt))
	}
	return resp.Body, nil
}
