// Package maps implements `laymanctl maps`.
package maps

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/cmd/cli"
	"github.com/laymanctl/laymanctl/cmd/publications"
	"github.com/laymanctl/laymanctl/cmd/publish"
)

// NewCmd builds `maps` and the subcommands it shares with layers.
func NewCmd(f *cli.Factory) *cobra.Command {
	kind := publications.Maps
	c := &cobra.Command{
		Use:   "maps",
		Short: "Publish, list, inspect, update and delete map compositions",
		Long: `Work with Layman maps. REF is a map's UUID or workspace:name; the server's
API generation decides which one is sent.`,
	}
	f.AddLater(c, func() []*cobra.Command {
		return append(publications.Shared(f, kind, File, publications.Thumbnail(kind)),
			publish.NewMapsPublishCmd(f, nil),
			publish.NewMapsUpdateCmd(f, nil),
			publish.NewMapsCreateCmd(f, nil),
		)
	})
	return c
}

// File is the map-composition JSON: text, so a terminal may show it.
var File = publications.Asset{
	Name:  "file",
	Short: "Download a map's composition file (JSON)",
	Fetch: func(ctx context.Context, c *client.Client, ref client.Ref) (io.ReadCloser, string, error) {
		return c.Maps.File(ctx, ref)
	},
}
