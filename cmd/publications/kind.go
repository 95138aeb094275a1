// Package publications implements `laymanctl publications` and the commands
// layers and maps share (list, get, delete, wait, downloads), each built for
// a Kind.
package publications

import (
	"context"
	"encoding/json"
	"io"
	"iter"

	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/cmd/cli"
)

// Lister is a paged publication list.
type Lister interface {
	Stream(ctx context.Context, opts *client.ListOptions, all bool) *client.ItemStream
	All(ctx context.Context, opts *client.ListOptions) iter.Seq2[client.Publication, error]
}

// Service is what layers and maps share on the client.
type Service interface {
	Lister
	Resolve(ctx context.Context, ref client.Ref) (client.Ref, error)
	Delete(ctx context.Context, ref client.Ref) (*client.Publication, error)
	DeleteAll(ctx context.Context, workspace string) ([]client.Publication, error)
	Thumbnail(ctx context.Context, ref client.Ref) (io.ReadCloser, string, error)
	MetadataComparison(ctx context.Context, ref client.Ref) (json.RawMessage, error)
}

// Kind is what differs between the layer, map and publication commands.
type Kind struct {
	Singular string // "layer"
	Plural   string // "layers"
	// WorkspaceFilter: the list can be narrowed to one workspace.
	WorkspaceFilter bool
	// example is the REF the help examples name.
	example string

	lister  func(*client.Client) Lister
	service func(*client.Client) Service
	get     func(ctx context.Context, c *client.Client, ref client.Ref) (json.RawMessage, cli.Table, error)
}

// Layers, Maps and Publications are the kinds of the command tree.
var (
	Layers = Kind{
		Singular: client.TypeLayer, Plural: "layers", WorkspaceFilter: true, example: "alice:rivers",
		lister:  func(c *client.Client) Lister { return c.Layers },
		service: func(c *client.Client) Service { return c.Layers },
		get: func(ctx context.Context, c *client.Client, ref client.Ref) (json.RawMessage, cli.Table, error) {
			l, err := c.Layers.Get(ctx, ref)
			if err != nil {
				return nil, cli.Table{}, err
			}
			return l.Raw, layerTable(l), nil
		},
	}
	Maps = Kind{
		Singular: client.TypeMap, Plural: "maps", WorkspaceFilter: true, example: "alice:overview",
		lister:  func(c *client.Client) Lister { return c.Maps },
		service: func(c *client.Client) Service { return c.Maps },
		get: func(ctx context.Context, c *client.Client, ref client.Ref) (json.RawMessage, cli.Table, error) {
			m, err := c.Maps.Get(ctx, ref)
			if err != nil {
				return nil, cli.Table{}, err
			}
			return m.Raw, mapTable(m), nil
		},
	}
	// Publications lists layers and maps together; Layman offers no
	// workspace filter there.
	Publications = Kind{
		Singular: "publication", Plural: "publications",
		lister: func(c *client.Client) Lister { return c.Publications },
	}
)
