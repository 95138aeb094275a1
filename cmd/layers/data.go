package layers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/cmd/cli"
)

// DataOptions are the parsed arguments of `layers download`.
type DataOptions struct {
	Ref      client.Ref
	Format   client.FeatureFormat
	BBox     string
	CRS      string
	PageSize int
	Output   cli.Download
}

// NewCmdDownloadData builds `layers download REF`.
func NewCmdDownloadData(f *cli.Factory, runF func(context.Context, *cli.Factory, *DataOptions) error) *cobra.Command {
	if runF == nil {
		runF = RunDownloadData
	}
	opts := &DataOptions{}
	var format, bbox string
	c := &cobra.Command{
		Use:   "download REF",
		Short: "Download a vector layer's features through Layman's WFS",
		Long: `Fetch the features of a vector layer with WFS 2.0 GetFeature from the WFS
endpoint the layer's own JSON names (Layman's /geoserver proxy, which checks
your read rights with your login). GeoJSON and CSV are fetched in pages of
--page-size features (count/startIndex) and streamed to -O FILE or stdout, so
any size fits in little memory; GML and zipped shapefiles need the whole
layer in one answer. A progress line is shown when stderr is a terminal.

--bbox filters by minx,miny,maxx,maxy in EPSG:4326 longitude/latitude, or in
the CRS given as a fifth value (EPSG:3857). --crs reprojects the output.
Raster layers have no features: download their thumbnail or use their WMS.`,
		Example: `  laymanctl layers download alice:rivers -O rivers.geojson
  laymanctl layers download alice:rivers --format csv > rivers.csv
  laymanctl layers download alice:rivers --bbox 14.2,49.9,14.7,50.2 \
    --crs EPSG:3857 -O prague.geojson
  laymanctl layers download alice:rivers --format shape-zip -O rivers.zip`,
		Args: cli.ExactArgs(1, "REF"),
		RunE: func(c *cobra.Command, args []string) error {
			refs, err := cli.ParseRefs(args)
			if err != nil {
				return err
			}
			opts.Ref = refs[0]
			if err := opts.parse(format, bbox); err != nil {
				return err
			}
			if err := opts.Output.CheckTarget(f.IO); err != nil {
				return err
			}
			return runF(c.Context(), f, opts)
		},
	}
	fl := c.Flags()
	fl.StringVarP(&opts.Output.Path, "output-file", "O", "", "write to FILE instead of stdout")
	fl.StringVar(&format, "format", "geojson", "output format: "+strings.Join(formatNames(), ", "))
	fl.StringVar(&bbox, "bbox", "", "only features in minx,miny,maxx,maxy (EPSG:4326 lon/lat unless a fifth value names the CRS)")
	fl.StringVar(&opts.CRS, "crs", "", "CRS of the output geometries, e.g. EPSG:3857 (default: the layer's)")
	fl.IntVar(&opts.PageSize, "page-size", 10000, "features asked per request")
	return c
}

func formatNames() []string {
	var names []string
	for _, f := range client.FeatureFormats {
		names = append(names, f.Name)
	}
	return names
}

var crsPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(EPSG:[0-9]{4,6}|urn:ogc:def:crs:EPSG::[0-9]{4,6})$`)
})

// parse validates the flags before any request.
func (o *DataOptions) parse(format, bbox string) error {
	i := slices.IndexFunc(client.FeatureFormats, func(f client.FeatureFormat) bool { return f.Name == format })
	if i < 0 {
		return cli.Usagef("--format %q: want one of %s", format, strings.Join(formatNames(), ", "))
	}
	o.Format = client.FeatureFormats[i]
	o.Output.Binary = o.Format.Name == "shape-zip"
	if o.CRS != "" && !crsPattern().MatchString(o.CRS) {
		return cli.Usagef("--crs %q: want EPSG:CODE, e.g. EPSG:3857", o.CRS)
	}
	if o.PageSize < 1 {
		return cli.Usagef("--page-size must be at least 1")
	}
	if bbox == "" {
		return nil
	}
	parts := strings.Split(bbox, ",")
	if len(parts) != 4 && len(parts) != 5 {
		return cli.Usagef("--bbox %q: want minx,miny,maxx,maxy[,CRS]", bbox)
	}
	var v [4]float64
	for i := range v {
		f, err := strconv.ParseFloat(strings.TrimSpace(parts[i]), 64)
		if err != nil {
			return cli.Usagef("--bbox %q: %q is not a number", bbox, parts[i])
		}
		v[i] = f
	}
	if v[0] > v[2] || v[1] > v[3] {
		return cli.Usagef("--bbox %q: the minimum exceeds the maximum", bbox)
	}
	crs := "EPSG:4326"
	if len(parts) == 5 {
		crs = strings.TrimSpace(parts[4])
		if !crsPattern().MatchString(crs) {
			return cli.Usagef("--bbox %q: the CRS %q should look like EPSG:3857", bbox, crs)
		}
	}
	o.BBox = strings.Join([]string{trimNum(v[0]), trimNum(v[1]), trimNum(v[2]), trimNum(v[3]), crs}, ",")
	return nil
}

func trimNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// RunDownloadData streams the features to their destination.
func RunDownloadData(ctx context.Context, f *cli.Factory, opts *DataOptions) error {
	c, l, err := getLayer(ctx, f, opts.Ref)
	if err != nil {
		return err
	}
	if l.GeodataType == "raster" || l.WFS == nil || l.WFS.URL == "" || l.WFS.Name == "" {
		return &cli.ExitError{Code: cli.ExitUsage,
			Err:  fmt.Errorf("layer %s is a %s layer: it has no features to download (no WFS)", opts.Ref, orUnknown(l.GeodataType)),
			Hint: fmt.Sprintf("Its picture is available through WMS: `laymanctl layers preview %s -O map.png`, and `laymanctl layers get %s` lists its WMS endpoint.", opts.Ref, opts.Ref)}
	}
	prog := newFeatureProgress(f)
	q := client.FeatureQuery{TypeName: qualifiedName(l.WFS.Name, l.WFS.URL), BBox: opts.BBox, SRSName: opts.CRS, PageSize: opts.PageSize}
	var n int
	err = opts.Output.WriteFunc(f.IO, func(w io.Writer) error {
		var err error
		n, err = c.DownloadFeatures(ctx, l.WFS.URL, q, opts.Format, w, prog.update)
		return err
	})
	prog.done()
	if errors.Is(err, client.ErrTooManyFeatures) {
		return &cli.ExitError{Code: cli.ExitFailure, Err: err,
			Hint: "Use --format geojson or csv, which are fetched in pages, narrow the download with --bbox, or raise --page-size if the server allows it."}
	}
	if client.IsHiddenLayer(err) {
		return &cli.ExitError{Code: cli.ExitAuth, Err: fmt.Errorf("the WFS does not show layer %s to this login: %w", opts.Ref, err)}
	}
	if err != nil {
		return err
	}
	saved(f, opts.Output, fmt.Sprintf("%d feature(s) of layer %s", n, opts.Ref))
	return nil
}

// getLayer is the layer's JSON, which names its OGC endpoints.
func getLayer(ctx context.Context, f *cli.Factory, ref client.Ref) (*client.Client, *client.Layer, error) {
	c, err := f.Client(ctx)
	if err != nil {
		return nil, nil, err
	}
	l, err := c.Layers.Get(ctx, ref)
	return c, l, err
}

// saved says where a file went; nothing for stdout or with --quiet.
func saved(f *cli.Factory, d cli.Download, what string) {
	if d.Path != "" && d.Path != "-" && !f.Flags.Quiet {
		fmt.Fprintf(f.IO.ErrOut, "Saved %s to %s\n", what, d.Path)
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "non-vector"
	}
	return s
}

// qualifiedName is the layer's name for the endpoint's GeoServer
// workspace: .../geoserver/<workspace>/wfs or .../<workspace>_wms/ows.
func qualifiedName(name, url string) string {
	if strings.Contains(name, ":") {
		return name
	}
	parts := strings.Split(strings.TrimRight(url, "/"), "/")
	if len(parts) >= 2 {
		return parts[len(parts)-2] + ":" + name
	}
	return name
}

// featureProgress shows "features: written/matched" on a terminal.
type featureProgress struct {
	out   io.Writer
	shown bool
}

func newFeatureProgress(f *cli.Factory) *featureProgress {
	if !f.IO.ErrTTY || f.Flags.Quiet {
		return &featureProgress{}
	}
	return &featureProgress{out: f.IO.ErrOut}
}

func (p *featureProgress) update(written, matched int) {
	if p.out == nil {
		return
	}
	total := "?"
	if matched >= 0 {
		total = strconv.Itoa(matched)
	}
	fmt.Fprintf(p.out, "\rDownloading features: %d of %s", written, total)
	p.shown = true
}

func (p *featureProgress) done() {
	if p.shown {
		fmt.Fprintln(p.out)
	}
}
