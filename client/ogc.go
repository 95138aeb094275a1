package client

import (
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// OGCError is an OWS exception report (WFS 2.0 ExceptionReport or WMS
// ServiceExceptionReport), sent with HTTP 200 or 400 by GeoServer.
type OGCError struct {
	Code       string
	Text       string
	StatusCode int
}

func (e *OGCError) Error() string {
	s := "OGC service error"
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Text != "" {
		s += ": " + e.Text
	}
	return s
}

// IsHiddenLayer reports whether err is how GeoServer, in front of Layman,
// answers for a layer the caller may not read: as if it did not exist.
func IsHiddenLayer(err error) bool {
	e, ok := err.(*OGCError)
	return ok && (e.Code == "LayerNotDefined" || (e.Code == "InvalidParameterValue" && strings.Contains(e.Text, "unknown")))
}

// OWS sends a GET to an OGC endpoint of this Layman server (its /geoserver
// proxy) with params, and returns the answer for the caller to read and
// close. The endpoint must be on the server's origin: the credentials of
// this server go nowhere else. An exception report, whatever its status,
// becomes an *OGCError.
func (c *Client) OWS(ctx context.Context, endpoint string, params url.Values) (*http.Response, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return nil, fmt.Errorf("OGC endpoint %q: %w", endpoint, err)
	}
	if u.Scheme != c.base.Scheme || u.Host != c.base.Host {
		return nil, fmt.Errorf("OGC endpoint %s is not on the Layman server's origin %s://%s; not sending credentials there", Redact(u.Redacted()), c.base.Scheme, c.base.Host)
	}
	q := u.Query()
	for k, v := range params {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", c.userAgent)
	resp, err := c.sendWithRetry(req)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(resp.Body, 4096)
	head, _ := br.Peek(1024)
	if bytes.Contains(head, []byte("ExceptionReport")) {
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(br, maxErrorBody))
		return nil, parseOGCError(resp.StatusCode, body)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		resp.Body = readCloser{br, resp.Body}
		return nil, DecodeError(resp)
	}
	resp.Body = readCloser{br, resp.Body}
	return resp, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

// parseOGCError reads the first exception of an OWS or WMS report.
func parseOGCError(status int, body []byte) error {
	var rep struct {
		OWS []struct {
			Code string   `xml:"exceptionCode,attr"`
			Text []string `xml:"ExceptionText"`
		} `xml:"Exception"`
		WMS []struct {
			Code string `xml:"code,attr"`
			Text string `xml:",chardata"`
		} `xml:"ServiceException"`
	}
	e := &OGCError{StatusCode: status}
	if err := xml.Unmarshal(body, &rep); err != nil {
		e.Text = summarise("xml", body)
		return e
	}
	switch {
	case len(rep.OWS) > 0:
		e.Code, e.Text = rep.OWS[0].Code, strings.Join(rep.OWS[0].Text, " ")
	case len(rep.WMS) > 0:
		e.Code, e.Text = rep.WMS[0].Code, rep.WMS[0].Text
	}
	e.Text = strings.Join(strings.Fields(e.Text), " ")
	return e
}
