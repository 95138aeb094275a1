package layers

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/cmd/cli"
)

// PreviewOptions are the parsed arguments of `layers preview`.
type PreviewOptions struct {
	Ref           client.Ref
	Width, Height int
	Output        cli.Download
}

// NewCmdPreview builds `layers preview REF`.
func NewCmdPreview(f *cli.Factory, runF func(context.Context, *cli.Factory, *PreviewOptions) error) *cobra.Command {
	if runF == nil {
		runF = RunPreview
	}
	opts := &PreviewOptions{Output: cli.Download{Binary: true}}
	var size string
	c := &cobra.Command{
		Use:   "preview REF",
		Short: "Render a layer to a PNG through Layman's WMS",
		Long: `Render the layer with WMS GetMap over its bounding box (EPSG:3857), widened
to the image's proportions, from the WMS endpoint the layer's own JSON names
(Layman's /geoserver proxy, which checks your read rights). Works for vector
and raster layers.`,
		Example: `  laymanctl layers preview alice:rivers -O rivers.png
  laymanctl layers preview alice:rivers -O rivers.png --size 1920x1080`,
		Args: cli.ExactArgs(1, "REF"),
		RunE: func(c *cobra.Command, args []string) error {
			refs, err := cli.ParseRefs(args)
			if err != nil {
				return err
			}
			opts.Ref = refs[0]
			if opts.Width, opts.Height, err = parseSize(size); err != nil {
				return err
			}
			if err := opts.Output.CheckTarget(f.IO); err != nil {
				return err
			}
			return runF(c.Context(), f, opts)
		},
	}
	c.Flags().StringVarP(&opts.Output.Path, "output-file", "O", "", "write the PNG to FILE instead of stdout")
	c.Flags().StringVar(&size, "size", "1024x768", "image size WIDTHxHEIGHT in pixels, at most 4096 each")
	return c
}

func parseSize(s string) (int, int, error) {
	ws, hs, ok := strings.Cut(strings.ToLower(s), "x")
	w, errW := strconv.Atoi(ws)
	h, errH := strconv.Atoi(hs)
	if !ok || errW != nil || errH != nil || w < 1 || h < 1 || w > 4096 || h > 4096 {
		return 0, 0, cli.Usagef("--size %q: want WIDTHxHEIGHT, each from 1 to 4096, e.g. 1024x768", s)
	}
	return w, h, nil
}

// RunPreview fetches the image and saves it.
func RunPreview(ctx context.Context, f *cli.Factory, opts *PreviewOptions) error {
	c, l, err := getLayer(ctx, f, opts.Ref)
	if err != nil {
		return err
	}
	if l.WMS == nil || l.WMS.URL == "" || l.WMS.Name == "" {
		return fmt.Errorf("layer %s has no WMS endpoint yet (status %s)", opts.Ref, l.Status().Publication)
	}
	if len(l.BoundingBox) != 4 {
		return fmt.Errorf("layer %s has no bounding box to render", opts.Ref)
	}
	img, err := c.MapImage(ctx, l.WMS.URL, qualifiedName(l.WMS.Name, l.WMS.URL), fitBBox(l.BoundingBox, opts.Width, opts.Height), "EPSG:3857", opts.Width, opts.Height)
	if client.IsHiddenLayer(err) {
		return &cli.ExitError{Code: cli.ExitAuth, Err: fmt.Errorf("the WMS does not show layer %s to this login: %w", opts.Ref, err)}
	}
	if err != nil {
		return err
	}
	defer img.Close()
	if err := opts.Output.WriteFunc(f.IO, func(w io.Writer) error { _, err := io.Copy(w, img); return err }); err != nil {
		return err
	}
	saved(f, opts.Output, fmt.Sprintf("a %dx%d preview of layer %s", opts.Width, opts.Height, opts.Ref))
	return nil
}

// fitBBox widens b to the image's proportions, so the map is not
// stretched, and gives a single point some surroundings.
func fitBBox(b client.BoundingBox, width, height int) client.BoundingBox {
	minx, miny, maxx, maxy := b[0], b[1], b[2], b[3]
	w, h := maxx-minx, maxy-miny
	if w <= 0 && h <= 0 {
		w, h = 1000, 1000 // metres around a point
		minx, maxx, miny, maxy = minx-w/2, maxx+w/2, miny-h/2, maxy+h/2
	}
	want := float64(width) / float64(height)
	if w/h < want {
		grow := h*want - w
		minx, maxx = minx-grow/2, maxx+grow/2
	} else {
		grow := w/want - h
		miny, maxy = miny-grow/2, maxy+grow/2
	}
	return client.BoundingBox{minx, miny, maxx, maxy}
}
