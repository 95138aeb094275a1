package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"maps"
	"net/http"
	"net/url"
	"strings"
)

// PublicationsService lists layers and maps together (GET /rest/publications).
type PublicationsService struct{ c *Client }

// List returns one page. The endpoint has no workspace filter; asking for
// one is an error rather than a silently unfiltered list.
func (s *PublicationsService) List(ctx context.Context, opts *ListOptions) (*PublicationPage, error) {
	q, err := s.query(opts)
	if err != nil {
		return nil, err
	}
	return s.c.listPage(ctx, "rest/publications", q)
}

// All streams every publication, page by page.
func (s *PublicationsService) All(ctx context.Context, opts *ListOptions) iter.Seq2[Publication, error] {
	return allPages(ctx, opts, s.open)
}

// Stream reads one page, or every page when all is set, item by item.
func (s *PublicationsService) Stream(ctx context.Context, opts *ListOptions, all bool) *ItemStream {
	return streamList(ctx, opts, all, s.open)
}

func (s *PublicationsService) open(ctx context.Context, opts *ListOptions) (*listReader, error) {
	q, err := s.query(opts)
	if err != nil {
		return nil, err
	}
	return s.c.openList(ctx, "rest/publications", q)
}

func (s *PublicationsService) query(opts *ListOptions) (url.Values, error) {
	q, err := opts.query()
	if err != nil {
		return nil, err
	}
	if opts != nil && opts.Workspace != "" {
		return nil, fmt.Errorf("publications cannot be filtered by workspace; list layers or maps instead")
	}
	return q, nil
}

// publicationKind holds what differs between layers and maps.
type publicationKind struct {
	singular string // "layer"
	plural   string // "layers": the URL segment
	// item is the route of one publication by UUID; collection that of
	// the workspace's list, create and delete-all without the workspace in
	// the path (see routes.go).
	item, collection route
}

var (
	layerKind = publicationKind{singular: TypeLayer, plural: "layers", item: routeLayerUUID, collection: routeLayers}
	mapKind   = publicationKind{singular: TypeMap, plural: "maps", item: routeMapUUID, collection: routeMaps}
)

// publicationService is what LayersService and MapsService share.
type publicationService struct {
	c    *Client
	kind publicationKind
}

// List returns one page of the list.
func (s publicationService) List(ctx context.Context, opts *ListOptions) (*PublicationPage, error) {
	if _, err := opts.query(); err != nil {
		return nil, err
	}
	if opts == nil || opts.Workspace == "" {
		// Plain lists have one URL everywhere: no generation needed.
		return s.listPage(ctx, 0, opts)
	}
	var page *PublicationPage
	err := s.withCollection(ctx, func(g Generation) error {
		var err error
		page, err = s.listPage(ctx, g, opts)
		return err
	})
	return page, err
}

// All streams every item of the list, one item in memory at a time.
func (s publicationService) All(ctx context.Context, opts *ListOptions) iter.Seq2[Publication, error] {
	return allPages(ctx, opts, s.open)
}

// Stream reads one page, or every page when all is set, item by item.
func (s publicationService) Stream(ctx context.Context, opts *ListOptions, all bool) *ItemStream {
	return streamList(ctx, opts, all, s.open)
}

// open sends the request of one page, as List does.
func (s publicationService) open(ctx context.Context, opts *ListOptions) (*listReader, error) {
	if _, err := opts.query(); err != nil {
		return nil, err
	}
	if opts == nil || opts.Workspace == "" {
		return s.openPage(ctx, 0, opts)
	}
	var r *listReader
	err := s.withCollection(ctx, func(g Generation) error {
		var err error
		r, err = s.openPage(ctx, g, opts)
		return err
	})
	return r, err
}

// openPage is listPage for a page read item by item. Items of another
// workspace fail the list; when they come from the ?workspace= form, which
// some servers ignore (errFilterIgnored), the page is read whole before
// that form is trusted, so the other form can be tried instead.
func (s publicationService) openPage(ctx context.Context, g Generation, opts *ListOptions) (*listReader, error) {
	q, err := opts.query()
	if err != nil {
		return nil, err
	}
	if opts == nil || opts.Workspace == "" {
		return s.c.openList(ctx, "rest/"+s.kind.plural, q)
	}
	var r *listReader
	err = s.c.viaRoute(g, s.kind.collection, func(newer bool) error {
		q := maps.Clone(q)
		var err error
		if r, err = s.c.openList(ctx, s.collectionPath(newer, opts.Workspace, q), q); err != nil {
			return err
		}
		r.check = func(p Publication) error {
			if p.Workspace != opts.Workspace {
				return fmt.Errorf("listing %s of workspace %s: %w", s.kind.plural, opts.Workspace, errFilterIgnored)
			}
			return nil
		}
		if newer {
			err = r.readAhead()
		}
		return err
	})
	return r, err
}

func (s publicationService) listPage(ctx context.Context, g Generation, opts *ListOptions) (*PublicationPage, error) {
	q, err := opts.query()
	if err != nil {
		return nil, err
	}
	if opts == nil || opts.Workspace == "" {
		return s.c.listPage(ctx, "rest/"+s.kind.plural, q)
	}
	var page *PublicationPage
	err = s.c.viaRoute(g, s.kind.collection, func(newer bool) error {
		q := maps.Clone(q)
		path := s.collectionPath(newer, opts.Workspace, q)
		var err error
		if page, err = s.c.listPage(ctx, path, q); err != nil {
			return err
		}
		for _, p := range page.Items {
			if p.Workspace != opts.Workspace {
				return fmt.Errorf("listing %s of workspace %s: %w", s.kind.plural, opts.Workspace, errFilterIgnored)
			}
		}
		return nil
	})
	return page, err
}

// collectionPath is the multi-publication endpoint of one workspace; the
// newer form takes the workspace in q instead of the path.
func (s publicationService) collectionPath(newer bool, ws string, q url.Values) string {
	if newer {
		q.Set("workspace", ws)
		return "rest/" + s.kind.plural
	}
	return "rest/workspaces/" + url.PathEscape(ws) + "/" + s.kind.plural
}

// withCollection runs fn with the generation that picks the kind's
// workspace collection URL. Maps prefer /rest/workspaces/<ws>/maps in both
// generations, so they need no probe: the 3.x rules (that URL first, the
// other on a server without it) serve 2.x servers too.
func (s publicationService) withCollection(ctx context.Context, fn func(Generation) error) error {
	if !prefersNewer[s.kind.collection] {
		return fn(Gen3)
	}
	return s.c.withGeneration(ctx, fn)
}

// Create runs fn with where a new publication of this kind in workspace is
// posted, and whether the workspace goes in the form (POST /rest/layers)
// rather than the path. fn is run again with the other URL when the server
// lacks the first, so its request body must be replayable.
func (s publicationService) Create(ctx context.Context, workspace string, fn func(path string, workspaceInForm bool) error) error {
	return s.withCollection(ctx, func(g Generation) error {
		return s.c.viaRoute(g, s.kind.collection, func(newer bool) error {
			return fn(s.collectionPath(newer, workspace, url.Values{}), newer)
		})
	})
}

// DeleteAll deletes every publication of this kind in the workspace that the
// caller may write, and returns them.
func (s publicationService) DeleteAll(ctx context.Context, workspace string) ([]Publication, error) {
	if err := ValidateWorkspace(workspace); err != nil {
		return nil, err
	}
	var deleted []Publication
	err := s.withCollection(ctx, func(g Generation) error {
		return s.c.viaRoute(g, s.kind.collection, func(newer bool) error {
			q := url.Values{}
			path := s.collectionPath(newer, workspace, q)
			if len(q) > 0 {
				path += "?" + q.Encode()
			}
			deleted = nil
			return s.c.call(ctx, http.MethodDelete, path, nil, "", &deleted)
		})
	})
	return deleted, err
}

// Delete deletes one publication and returns what the server reports
// (name, uuid, url).
func (s publicationService) Delete(ctx context.Context, ref Ref) (*Publication, error) {
	var deleted *Publication
	var retried bool
	rctx := context.WithValue(ctx, retriedKey{}, &retried)
	err := s.Do(ctx, ref, "", func(path string, full Ref) error {
		deleted = new(Publication)
		err := s.c.call(rctx, http.MethodDelete, path, nil, "", deleted)
		var le *LaymanError
		if retried && errors.As(err, &le) && (le.Code == CodeLayerNotFound || le.Code == CodeMapNotFound) {
			// DELETE is not idempotent in Layman: the first attempt, whose
			// answer a gateway lost, deleted it.
			*deleted = Publication{UUID: full.UUID, Workspace: full.Workspace, Name: full.Name}
			return &AlreadyDeletedError{Type: s.kind.singular, Ref: full}
		}
		return err
	})
	return deleted, err
}

// Thumbnail streams the PNG thumbnail; the caller closes it.
func (s publicationService) Thumbnail(ctx context.Context, ref Ref) (io.ReadCloser, string, error) {
	return s.stream(ctx, ref, "thumbnail")
}

// MetadataComparison compares the publication's metadata properties in
// each of its sources (Layman's own record, the metadata catalogue, ...):
// GET Workspace Layer/Map Metadata Comparison, addressed by workspace and
// name in every generation (layer/rest_workspace_layer_metadata_comparison.py,
// map/rest_workspace_map_metadata_comparison.py, master and 2.4).
func (s publicationService) MetadataComparison(ctx context.Context, ref Ref) (json.RawMessage, error) {
	full, err := s.Named(ctx, ref)
	if err != nil {
		return nil, err
	}
	var raw json.RawMessage
	path := "rest/workspaces/" + url.PathEscape(full.Workspace) + "/" + s.kind.plural + "/" + url.PathEscape(full.Name) + "/metadata-comparison"
	return raw, s.c.GetJSON(ctx, path, &raw)
}

func (s publicationService) get(ctx context.Context, ref Ref, v any) error {
	return s.Do(ctx, ref, "", func(path string, _ Ref) error { return s.c.GetJSON(ctx, path, v) })
}

// stream GETs a sub-resource and hands over its body and content type.
func (s publicationService) stream(ctx context.Context, ref Ref, sub string) (io.ReadCloser, string, error) {
	var resp *http.Response
	err := s.Do(ctx, ref, sub, func(path string, _ Ref) error {
		req, err := s.c.NewRequest(ctx, http.MethodGet, path, nil)
		if err != nil {
			return err
		}
		resp, err = s.c.send(req)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return resp.Body, resp.Header.Get("Content-Type"), nil
}

// Do runs fn with the URL path of the publication ref plus a sub-resource
// (sub: "" for the publication itself, "chunk", "style", ...) and ref
// completed with what that URL needs. On a server that lacks the URL form
// tried first, fn runs again with the other (see routes.go).
func (s publicationService) Do(ctx context.Context, ref Ref, sub string, fn func(path string, ref Ref) error) error {
	r := s.kind.item
	if sub == "chunk" {
		r = routeChunkUUID
	}
	return s.c.withGeneration(ctx, func(g Generation) error {
		return s.c.viaRoute(g, r, func(byUUID bool) error {
			full, err := s.resolve(ctx, g, byUUID, ref)
			if err != nil {
				return err
			}
			path := "rest/workspaces/" + url.PathEscape(full.Workspace) + "/" + s.kind.plural + "/" + url.PathEscape(full.Name)
			if byUUID {
				path = "rest/" + s.kind.plural + "/" + url.PathEscape(full.UUID)
			}
			if sub != "" {
				path += "/" + sub
			}
			return fn(path, full)
		})
	})
}

// Resolve completes ref with what the server addresses publications by
// (the UUID, or the workspace and name), asking the server only when that
// part is missing.
func (s publicationService) Resolve(ctx context.Context, ref Ref) (Ref, error) {
	var out Ref
	err := s.c.withGeneration(ctx, func(g Generation) error {
		var err error
		out, err = s.resolve(ctx, g, s.c.newer(g, s.kind.item), ref)
		return err
	})
	return out, err
}

// Named completes ref with its workspace and name, looking its UUID up in
// the list when they are missing.
func (s publicationService) Named(ctx context.Context, ref Ref) (Ref, error) {
	return s.resolve(ctx, 0, false, ref)
}

// resolve completes ref for a URL by UUID (byUUID) or by workspace and
// name. The missing part comes from the list, streamed page by page; a
// candidate must match every part ref has, its workspace included, whatever
// the server's filter returned.
func (s publicationService) resolve(ctx context.Context, g Generation, byUUID bool, ref Ref) (Ref, error) {
	if ref.UUID == "" && ref.Workspace == "" {
		return Ref{}, fmt.Errorf("empty %s reference", s.kind.singular)
	}
	var opts *ListOptions
	switch {
	case byUUID && ref.UUID == "":
		opts = &ListOptions{Workspace: ref.Workspace}
	case !byUUID && (ref.Workspace == "" || ref.Name == ""):
	default:
		return ref, nil
	}
	match := func(p Publication) bool {
		return (ref.UUID == "" || strings.EqualFold(p.UUID, ref.UUID)) &&
			(ref.Workspace == "" || p.Workspace == ref.Workspace) &&
			(ref.Name == "" || p.Name == ref.Name)
	}
	pages := func(ctx context.Context, o *ListOptions) (*listReader, error) { return s.openPage(ctx, g, o) }
	for p, err := range allPages(ctx, opts, pages) {
		if err != nil {
			return Ref{}, fmt.Errorf("looking up %s %s: %w", s.kind.singular, ref, err)
		}
		if match(p) {
			return Ref{UUID: p.UUID, Workspace: p.Workspace, Name: p.Name}, nil
		}
	}
	return Ref{}, &NotFoundError{Type: s.kind.singular, Ref: ref}
}

// LayersService manages layers.
type LayersService struct{ publicationService }

// Get returns a layer's details.
func (s *LayersService) Get(ctx context.Context, ref Ref) (*Layer, error) {
	l := new(Layer)
	if err := s.get(ctx, ref, l); err != nil {
		return nil, err
	}
	return l, nil
}

// Style streams the layer's default style (SLD or QML); the caller closes it.
func (s *LayersService) Style(ctx context.Context, ref Ref) (io.ReadCloser, string, error) {
	return s.stream(ctx, ref, "style")
}

// MapsService manages maps.
type MapsService struct{ publicationService }

// Get returns a map's details.
func (s *MapsService) Get(ctx context.Context, ref Ref) (*Map, error) {
	m := new(Map)
	if err := s.get(ctx, ref, m); err != nil {
		return nil, err
	}
	return m, nil
}

// File streams the map-composition JSON; the caller closes it.
func (s *MapsService) File(ctx context.Context, ref Ref) (io.ReadCloser, string, error) {
	return s.stream(ctx, ref, "file")
}
