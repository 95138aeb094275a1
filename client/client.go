// Package client is a typed client for Layman's REST API, shaped like
// go-github: one Client, one service per resource, ctx first, typed results
// and typed errors that keep the HTTP response. It hides the difference
// between Layman 2.x (workspace URLs) and 3.x (UUID URLs).
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultUserAgent is sent when WithUserAgent is not used.
const DefaultUserAgent = "laymanctl/dev"

// Client talks to one Layman server. It is safe for concurrent use.
type Client struct {
	base       *url.URL
	httpClient *http.Client
	userAgent  string
	retry      RetryPolicy
	genCache   GenerationCache
	sleep      func(ctx context.Context, d time.Duration) error
	// reached records that the server has answered once.
	reached atomic.Bool

	genMu     sync.Mutex
	gen       Generation
	genPinned bool

	routeMu    sync.Mutex
	routeKnown [numRoutes]bool
	routeNewer [numRoutes]bool

	Layers       *LayersService
	Maps         *MapsService
	Publications *PublicationsService
	Users        *UsersService
	Roles        *RolesService
	CurrentUser  *CurrentUserService
	About        *AboutService
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient sets the HTTP client (its transport carries authentication,
// proxies, TLS settings and debug logging). nil keeps the default. Unless it
// has a CheckRedirect of its own, the Client follows redirects only within
// the server's origin (SameOriginRedirects).
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) {
		if hc != nil {
			c.httpClient = hc
		}
	}
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option { return func(c *Client) { c.userAgent = ua } }

// WithGeneration pins the API generation: the server is never probed.
func WithGeneration(g Generation) Option {
	return func(c *Client) { c.gen, c.genPinned = g, true }
}

// WithGenerationCache keeps the probed generation between runs.
func WithGenerationCache(gc GenerationCache) Option { return func(c *Client) { c.genCache = gc } }

// WithRetryPolicy replaces DefaultRetryPolicy.
func WithRetryPolicy(p RetryPolicy) Option { return func(c *Client) { c.retry = p } }

// New returns a client for the Layman server at baseURL (for example
// https://example.com/ or https://example.com/layman/ behind a path prefix).
func New(baseURL string, opts ...Option) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("server URL %q: %w", baseURL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("server URL %q: want http:// or https:// and a host", baseURL)
	}
	u.RawQuery, u.Fragment = "", ""
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		if u.RawPath != "" {
			u.RawPath += "/"
		}
	}
	c := &Client{
		base:       u,
		httpClient: &http.Client{},
		userAgent:  DefaultUserAgent,
		retry:      DefaultRetryPolicy,
		sleep:      sleepContext,
	}
	for _, o := range opts {
		o(c)
	}
	if c.httpClient.CheckRedirect == nil {
		// A copy: the caller's client keeps its own policy elsewhere.
		hc := *c.httpClient
		hc.CheckRedirect = SameOriginRedirects
		c.httpClient = &hc
	}
	c.Layers = &LayersService{publicationService{c, layerKind}}
	c.Maps = &MapsService{publicationService{c, mapKind}}
	c.Publications = &PublicationsService{c}
	c.Users = &UsersService{c}
	c.Roles = &RolesService{c}
	c.CurrentUser = &CurrentUserService{c}
	c.About = &AboutService{c}
	return c, nil
}

// BaseURL is the server URL, always ending in a slash.
func (c *Client) BaseURL() *url.URL {
	u := *c.base
	return &u
}

// NewRequest builds a request for path, relative to the base URL (a leading
// slash is ignored so "/rest/layers" stays under a path prefix; a query is
// allowed). An absolute URL is accepted only below the base URL, so the
// credentials of this server never travel elsewhere. Bodies that can be
// replayed (bytes, strings, seekers) get GetBody so retries can resend them.
func (c *Client) NewRequest(ctx context.Context, method, path string, body io.Reader) (*http.Request, error) {
	u, err := c.resolve(path)
	if err != nil {
		return nil, err
	}
	var seeker io.ReadSeeker
	if rs, ok := body.(io.ReadSeeker); ok && !replayableByStdlib(body) {
		// Wrapped so the transport cannot close (e.g.) a caller's *os.File
		// before a retry rewinds it.
		seeker, body = rs, io.NopCloser(rs)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, err
	}
	if seeker != nil {
		if err := makeReplayable(req, seeker); err != nil {
			return nil, err
		}
	}
	req.Header.Set("User-Agent", c.userAgent)
	return req, nil
}

func (c *Client) resolve(path string) (*url.URL, error) {
	rel, err := url.Parse(path)
	if err != nil {
		return nil, fmt.Errorf("request path %q: %w", path, err)
	}
	if rel.Scheme != "" || rel.Host != "" {
		if !strings.HasPrefix(rel.String(), c.base.String()) {
			return nil, fmt.Errorf("request URL %q is not below the server URL %s", path, c.base)
		}
		return rel, nil
	}
	rel.Path = strings.TrimLeft(rel.Path, "/")
	rel.RawPath = strings.TrimLeft(rel.RawPath, "/")
	return c.base.ResolveReference(rel), nil
}

func replayableByStdlib(body io.Reader) bool {
	switch body.(type) {
	case *bytes.Buffer, *bytes.Reader, *strings.Reader:
		return true
	}
	return false
}

// makeReplayable sets ContentLength and GetBody for a seekable body,
// rewinding to where the body started.
func makeReplayable(req *http.Request, rs io.ReadSeeker) error {
	start, err := rs.Seek(0, io.SeekCurrent)
	if err != nil {
		return fmt.Errorf("request body: %w", err)
	}
	end, err := rs.Seek(0, io.SeekEnd)
	if err != nil {
		return fmt.Errorf("request body: %w", err)
	}
	if _, err := rs.Seek(start, io.SeekStart); err != nil {
		return fmt.Errorf("request body: %w", err)
	}
	req.ContentLength = end - start
	if req.ContentLength == 0 {
		req.Body, req.GetBody = http.NoBody, func() (io.ReadCloser, error) { return http.NoBody, nil }
		return nil
	}
	req.GetBody = func() (io.ReadCloser, error) {
		if _, err := rs.Seek(start, io.SeekStart); err != nil {
			return nil, err
		}
		return io.NopCloser(rs), nil
	}
	return nil
}

// Do sends req (retrying as RetryPolicy allows) and handles the answer:
// a non-2xx status becomes a *LaymanError or *HTTPError keeping the response;
// on success the body is decoded as JSON into v, or copied into v when v is
// an io.Writer, or discarded when v is nil. The body is always closed.
func (c *Client) Do(req *http.Request, v any) (*http.Response, error) {
	resp, err := c.send(req)
	if err != nil {
		return resp, err
	}
	defer resp.Body.Close()
	switch v := v.(type) {
	case nil:
		_, err = io.Copy(io.Discard, resp.Body)
	case io.Writer:
		_, err = io.Copy(v, resp.Body)
	default:
		err = json.NewDecoder(resp.Body).Decode(v)
		if errors.Is(err, io.EOF) {
			err = nil // an empty body leaves v untouched
		}
	}
	if err != nil {
		return resp, fmt.Errorf("reading answer to %s: %w", describe(req), err)
	}
	return resp, nil
}

// send is Do without reading the body: on success the caller owns and must
// close resp.Body; on a non-2xx status the body is already consumed.
func (c *Client) send(req *http.Request) (*http.Response, error) {
	resp, err := c.sendWithRetry(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp, DecodeError(resp)
	}
	return resp, nil
}

// GetJSON GETs path and decodes the JSON answer into v (a
// *json.RawMessage keeps the server's JSON as it is).
func (c *Client) GetJSON(ctx context.Context, path string, v any) error {
	return c.call(ctx, http.MethodGet, path, nil, "", v)
}

// call sends a request with an optional body of the given content type.
func (c *Client) call(ctx context.Context, method, path string, body io.Reader, contentType string, v any) error {
	req, err := c.NewRequest(ctx, method, path, body)
	if err != nil {
		return err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	_, err = c.Do(req, v)
	return err
}

// describe names a request in error messages, without secrets.
func describe(req *http.Request) string {
	return req.Method + " " + Redact(req.URL.Redacted())
}
