package client

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Generation is a family of Layman's REST API with its own URL scheme.
type Generation int

const (
	// Gen2 is Layman 2.x: /rest/workspaces/<workspace>/layers/<name>.
	Gen2 Generation = 2
	// Gen3 is Layman 3.x: /rest/layers/<uuid>.
	Gen3 Generation = 3
)

func (g Generation) String() string {
	switch g {
	case Gen2:
		return "2.x"
	case Gen3:
		return "3.x"
	}
	return fmt.Sprintf("Generation(%d)", int(g))
}

// GenerationFromVersion maps a Layman version such as "3.0.0-dev" or
// "v2.4.0" to its API generation.
func GenerationFromVersion(v string) (Generation, error) {
	s := strings.TrimPrefix(strings.TrimSpace(v), "v")
	major, _, _ := strings.Cut(s, ".")
	n, err := strconv.Atoi(major)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("unrecognised Layman version %q", v)
	}
	if n >= 3 {
		return Gen3, nil
	}
	return Gen2, nil
}

// GenerationCache remembers a server's generation between runs (the CLI
// keeps it in the profile). server is the client's base URL.
type GenerationCache interface {
	Load(server string) (g Generation, probed time.Time, ok bool)
	Store(server string, g Generation, probed time.Time) error
}

// GenerationMaxAge is how long a cached generation is trusted.
const GenerationMaxAge = 24 * time.Hour

// Generation returns the server's API generation: pinned, remembered by this
// client, cached (younger than GenerationMaxAge), or probed with
// GET /rest/about/version.
func (c *Client) Generation(ctx context.Context) (Generation, error) {
	c.genMu.Lock()
	defer c.genMu.Unlock()
	if c.gen != 0 {
		return c.gen, nil
	}
	if c.genCache != nil {
		if g, probed, ok := c.genCache.Load(c.base.String()); ok && (g == Gen2 || g == Gen3) && time.Since(probed) < GenerationMaxAge {
			c.gen = g
			return g, nil
		}
	}
	return c.probeLocked(ctx)
}

// GenerationUnknownError is a server that answered the version probe
// without a usable version: an error (Layman answers HTTP 500 when its
// version.txt is missing, rest_about.py) or a version it cannot read.
// Pinning the generation (WithGeneration) gets past it.
type GenerationUnknownError struct{ Err error }

func (e *GenerationUnknownError) Error() string {
	return "cannot tell which Layman API the server speaks: GET /rest/about/version: " + e.Err.Error()
}

func (e *GenerationUnknownError) Unwrap() error { return e.Err }

func (c *Client) probeLocked(ctx context.Context) (Generation, error) {
	v, err := c.About.Version(ctx)
	var he *HTTPError
	var le *LaymanError
	if errors.As(err, &he) || errors.As(err, &le) {
		return 0, &GenerationUnknownError{Err: err}
	}
	if err != nil {
		return 0, fmt.Errorf("detecting the Layman API generation: %w", err)
	}
	g, err := v.Generation()
	if err != nil {
		return 0, &GenerationUnknownError{Err: err}
	}
	c.gen = g
	if c.genCache != nil {
		// The cache only saves a probe next time; failing to write it must
		// not fail the command.
		_ = c.genCache.Store(c.base.String(), g, time.Now())
	}
	return g, nil
}

// reprobe asks the server again after an answer suggested the remembered
// generation is stale. A pinned generation is never re-probed.
func (c *Client) reprobe(ctx context.Context) (Generation, error) {
	c.genMu.Lock()
	defer c.genMu.Unlock()
	if c.genPinned {
		return c.gen, nil
	}
	return c.probeLocked(ctx)
}

// withGeneration runs fn with the server's generation. When fn fails as if
// the route did not exist (IsMissingRoute: the URL scheme itself is
// unknown, e.g. a cache from before an upgrade), the generation is probed
// once more and fn retried if it changed. Reads and writes alike go
// through here.
func (c *Client) withGeneration(ctx context.Context, fn func(Generation) error) error {
	g, err := c.Generation(ctx)
	if err != nil {
		return err
	}
	err = fn(g)
	if !IsMissingRoute(err) {
		return err
	}
	ng, perr := c.reprobe(ctx)
	if perr != nil || ng == g {
		return err
	}
	return fn(ng)
}
