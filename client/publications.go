package client

import (
	"context"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strings"
)

// PublicationsService lists layers and maps together (GET /rest/publications).
type PublicationsService struct{ c *Client }

// List returns one page. The endpoint has no workspace filter; asking for
// one is an error rather than a silently unfiltered list.
func (s *PublicationsService) List(ctx context.Context, opts *ListOptions) (*PublicationPage, error) {
	q, err := opts.query()
	if err != nil {
		return nil, err
	}
	if opts != nil && opts.Workspace != "" {
		return nil, fmt.Errorf("publications cannot be filtered by workspace; list layers or maps instead")
	}
	return s.c.listPage(ctx, "rest/publications", q)
}

// All streams every publication, page by page.
func (s *PublicationsService) All(ctx context.Context, opts *ListOptions) iter.Seq2[Publication, error] {
	return allPages(ctx, opts, s.List)
}

// publicationKind holds what differs between layers and maps.
type publicationKind struct {
	singular string // "layer"
	plural   string // "layers": the URL segment
	// workspaceQuery: on 3.x the kind's list and delete-all take
	// ?workspace= (layers) instead of /rest/workspaces/<ws>/<plural>.
	workspaceQuery bool
}

var (
	layerKind = publicationKind{singular: TypeLayer, plural: "layers", workspaceQuery: true}
	mapKind   = publicationKind{singular: TypeMap, plural: "maps"}
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
	if !s.listNeedsGeneration(opts) {
		return s.listPage(ctx, 0, opts)
	}
	var page *PublicationPage
	err := s.c.withGeneration(ctx, func(g Generation) error {
		var err error
		page, err = s.listPage(ctx, g, opts)
		return err
	})
	return page, err
}

// All streams every item of the list, one page in memory at a time.
func (s publicationService) All(ctx context.Context, opts *ListOptions) iter.Seq2[Publication, error] {
	return allPages(ctx, opts, s.List)
}

// listNeedsGeneration: only a workspace filter on a kind whose filter moved
// between generations needs to know the server's generation, so plain lists
// cost one request.
func (s publicationService) listNeedsGeneration(opts *ListOptions) bool {
	return opts != nil && opts.Workspace != "" && s.kind.workspaceQuery
}

func (s publicationService) listPage(ctx context.Context, g Generation, opts *ListOptions) (*PublicationPage, error) {
	q, err := opts.query()
	if err != nil {
		return nil, err
	}
	path := "rest/" + s.kind.plural
	if opts != nil && opts.Workspace != "" {
		path = s.workspacePath(g, opts.Workspace, q)
	}
	return s.c.listPage(ctx, path, q)
}

// workspacePath is the multi-publication endpoint of one workspace; it may
// add the workspace to q instead of the path.
func (s publicationService) workspacePath(g Generation, ws string, q url.Values) string {
	if g == Gen3 && s.kind.workspaceQuery {
		q.Set("workspace", ws)
		return "rest/" + s.kind.plural
	}
	return "rest/workspaces/" + ws + "/" + s.kind.plural
}

// DeleteAll deletes every publication of this kind in the workspace that the
// caller may write, and returns them.
func (s publicationService) DeleteAll(ctx context.Context, workspace string) ([]Publication, error) {
	if err := ValidateWorkspace(workspace); err != nil {
		return nil, err
	}
	var deleted []Publication
	do := func(g Generation) error {
		q := url.Values{}
		path := s.workspacePath(g, workspace, q)
		if len(q) > 0 {
			path += "?" + q.Encode()
		}
		deleted = nil
		return s.c.call(ctx, http.MethodDelete, path, nil, "", &deleted)
	}
	if !s.kind.workspaceQuery {
		return deleted, do(0)
	}
	return deleted, s.c.withGeneration(ctx, do)
}

// Delete deletes one publication and returns what the server reports
// (name, uuid, url).
func (s publicationService) Delete(ctx context.Context, ref Ref) (*Publication, error) {
	var deleted *Publication
	err := s.c.withGeneration(ctx, func(g Generation) error {
		path, err := s.itemPath(ctx, g, ref, "")
		if err != nil {
			return err
		}
		deleted = new(Publication)
		return s.c.call(ctx, http.MethodDelete, path, nil, "", deleted)
	})
	return deleted, err
}

// Thumbnail streams the PNG thumbnail; the caller closes it.
func (s publicationService) Thumbnail(ctx context.Context, ref Ref) (io.ReadCloser, string, error) {
	return s.stream(ctx, ref, "thumbnail")
}

func (s publicationService) get(ctx context.Context, ref Ref, v any) error {
	return s.c.withGeneration(ctx, func(g Generation) error {
		path, err := s.itemPath(ctx, g, ref, "")
		if err != nil {
			return err
		}
		return s.c.GetJSON(ctx, path, v)
	})
}

// stream GETs a sub-resource and hands over its body and content type.
func (s publicationService) stream(ctx context.Context, ref Ref, sub string) (io.ReadCloser, string, error) {
	var resp *http.Response
	err := s.c.withGeneration(ctx, func(g Generation) error {
		path, err := s.itemPath(ctx, g, ref, sub)
		if err != nil {
			return err
		}
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

// itemPath is the URL path of one publication (plus a sub-resource) in
// generation g, resolving ref to the identifier that generation uses.
func (s publicationService) itemPath(ctx context.Context, g Generation, ref Ref, sub string) (string, error) {
	r, err := s.resolve(ctx, g, ref)
	if err != nil {
		return "", err
	}
	var path string
	if g == Gen3 {
		path = "rest/" + s.kind.plural + "/" + url.PathEscape(r.UUID)
	} else {
		path = "rest/workspaces/" + url.PathEscape(r.Workspace) + "/" + s.kind.plural + "/" + url.PathEscape(r.Name)
	}
	if sub != "" {
		path += "/" + sub
	}
	return path, nil
}

// Resolve completes ref with what the server's API generation addresses
// publications by (3.x the UUID, 2.x the workspace and name), asking the
// server only when that part is missing.
func (s publicationService) Resolve(ctx context.Context, ref Ref) (Ref, error) {
	g, err := s.c.Generation(ctx)
	if err != nil {
		return Ref{}, err
	}
	return s.resolve(ctx, g, ref)
}

// resolve completes ref with what generation g addresses publications by:
// 3.x needs the UUID, 2.x the workspace and name. The missing part comes
// from the list, streamed page by page.
func (s publicationService) resolve(ctx context.Context, g Generation, ref Ref) (Ref, error) {
	if ref.UUID == "" && ref.Workspace == "" {
		return Ref{}, fmt.Errorf("empty %s reference", s.kind.singular)
	}
	var opts *ListOptions
	var match func(Publication) bool
	switch {
	case g == Gen3 && ref.UUID == "":
		opts = &ListOptions{Workspace: ref.Workspace}
		match = func(p Publication) bool { return p.Name == ref.Name }
	case g != Gen3 && ref.Workspace == "":
		match = func(p Publication) bool { return strings.EqualFold(p.UUID, ref.UUID) }
	default:
		return ref, nil
	}
	pages := func(ctx context.Context, o *ListOptions) (*PublicationPage, error) { return s.listPage(ctx, g, o) }
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
