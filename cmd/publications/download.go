package publications

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/cmd/cli"
)

// Asset is a file a publication serves: thumbnail, style, map file.
type Asset struct {
	Name   string // the subcommand: "thumbnail"
	Short  string
	Binary bool
	Fetch  func(ctx context.Context, c *client.Client, ref client.Ref) (io.ReadCloser, string, error)
}

// Thumbnail is the PNG preview every publication has.
func Thumbnail(kind Kind) Asset {
	return Asset{Name: "thumbnail", Short: fmt.Sprintf("Download a %s's PNG thumbnail", kind.Singular), Binary: true,
		Fetch: func(ctx context.Context, c *client.Client, ref client.Ref) (io.ReadCloser, string, error) {
			return kind.service(c).Thumbnail(ctx, ref)
		}}
}

// DownloadOptions are the parsed arguments of an asset download.
type DownloadOptions struct {
	Kind   Kind
	Asset  Asset
	Ref    client.Ref
	Output cli.Download
}

// NewCmdDownload builds `<kind> <asset> REF [-O FILE]`.
func NewCmdDownload(f *cli.Factory, kind Kind, asset Asset, runF func(context.Context, *cli.Factory, *DownloadOptions) error) *cobra.Command {
	if runF == nil {
		runF = RunDownload
	}
	opts := &DownloadOptions{Kind: kind, Asset: asset}
	opts.Output.Binary = asset.Binary
	where := "stdout"
	if asset.Binary {
		where = "stdout when it is not a terminal"
	}
	c := &cobra.Command{
		Use:   asset.Name + " REF",
		Short: asset.Short,
		Long: fmt.Sprintf(`Write the %s's %s to -O FILE (replaced atomically) or to %s.`,
			kind.Singular, asset.Name, where),
		Example: fmt.Sprintf("  laymanctl %s %s %s -O %s", kind.Plural, asset.Name, kind.example, exampleFile(kind, asset)),
		Args:    cli.ExactArgs(1, "REF"),
		RunE: func(c *cobra.Command, args []string) error {
			refs, err := cli.ParseRefs(args)
			if err != nil {
				return err
			}
			opts.Ref = refs[0]
			if err := opts.Output.CheckTarget(f.IO); err != nil {
				return err
			}
			return runF(c.Context(), f, opts)
		},
	}
	c.Flags().StringVarP(&opts.Output.Path, "output-file", "O", "", "write to FILE instead of stdout")
	return c
}

func exampleFile(kind Kind, a Asset) string {
	_, name, _ := strings.Cut(kind.example, ":")
	switch a.Name {
	case "thumbnail":
		return name + ".png"
	case "style":
		return name + ".sld"
	}
	return name + ".json"
}

// RunDownload streams the asset to its destination.
func RunDownload(ctx context.Context, f *cli.Factory, opts *DownloadOptions) error {
	c, err := f.Client(ctx)
	if err != nil {
		return err
	}
	body, _, err := opts.Asset.Fetch(ctx, c, opts.Ref)
	if err != nil {
		return err
	}
	defer body.Close()
	if err := opts.Output.Write(f.IO, body); err != nil {
		return err
	}
	if opts.Output.Path != "" && opts.Output.Path != "-" && !f.Flags.Quiet {
		fmt.Fprintf(f.IO.ErrOut, "Saved %s of %s %s to %s\n", opts.Asset.Name, opts.Kind.Singular, opts.Ref, opts.Output.Path)
	}
	return nil
}
