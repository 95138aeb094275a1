// Package layers implements `laymanctl layers`.
package layers

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/cmd/cli"
	"github.com/laymanctl/laymanctl/cmd/publications"
	"github.com/laymanctl/laymanctl/cmd/publish"
)

// NewCmd builds `layers` and the subcommands it shares with maps.
func NewCmd(f *cli.Factory) *cobra.Command {
	kind := publications.Layers
	c := &cobra.Command{
		Use:   "layers",
		Short: "Publish, list, inspect, update and delete layers",
		Long: `Work with Layman layers. REF is a layer's UUID or workspace:name; the
server's API generation decides which one is sent.`,
	}
	f.AddLater(c, func() []*cobra.Command {
		return append(publications.Shared(f, kind, publications.Thumbnail(kind), Style),
			publish.NewLayersPublishCmd(f, nil),
			publish.NewLayersUpdateCmd(f, nil),
			publish.NewLayersResumeCmd(f, nil),
			NewCmdDownloadData(f, nil),
			NewCmdPreview(f, nil),
		)
	})
	return c
}

// Style is the layer's default style, SLD or QML: text, so a terminal may
// show it.
var Style = publications.Asset{
	Name:  "style",
	Short: "Download a layer's default style (SLD or QML)",
	Fetch: func(ctx context.Context, c *client.Client, ref client.Ref) (io.ReadCloser, string, error) {
		return c.Layers.Style(ctx, ref)
	},
}
