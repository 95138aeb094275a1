package publish

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/client/upload"
	"github.com/laymanctl/laymanctl/cmd/cli"
)

// MapsCreateOptions are the parsed arguments of `maps create`.
type MapsCreateOptions struct {
	Workspace string
	Layers    []client.Ref
	Params    upload.MapParams
	Wait      WaitPolicy
	// Output is -O FILE: write the composition instead of publishing it.
	Output cli.Download
}

// NewMapsCreateCmd builds `maps create --workspace W --title T --layer REF...`.
func NewMapsCreateCmd(f *cli.Factory, runF func(context.Context, *cli.Factory, *MapsCreateOptions) error) *cobra.Command {
	if runF == nil {
		runF = RunMapsCreate
	}
	opts := &MapsCreateOptions{}
	var wf waitFlags
	var layers []string
	c := &cobra.Command{
		Use:   "create --workspace W --title T --layer REF...",
		Short: "Compose a map from published layers and publish it",
		Long: `Build a map composition (schema 3.0.0 of hslayers/map-compositions, the one
Layman validates) from layers already published: each --layer becomes a WMS
layer in Layman's own form (its WMS endpoint and GeoServer name, so Layman
links the map to the layer), in the order given; the map's extent covers the
layers' bounding boxes. The map is published in --workspace (default: your own),
or with -O FILE only written, to edit it and publish it later with
` + "`maps publish`" + `.`,
		Example: `  laymanctl maps create --workspace alice --title "Rivers and roads" \
    --layer alice:rivers --layer alice:roads
  laymanctl maps create --title Overview --layer alice:rivers -O overview.json
  laymanctl maps publish overview.json --workspace alice`,
		Args: cli.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			var err error
			if opts.Layers, err = cli.ParseRefs(layers); err != nil {
				return err
			}
			if len(opts.Layers) == 0 {
				return cli.Usagef("give at least one --layer REF\nRun '%s --help' for usage.", c.CommandPath())
			}
			if strings.TrimSpace(opts.Params.Title) == "" {
				return &upload.ValidationError{Field: "title", Message: "required: the composition needs a title"}
			}
			if err := upload.ValidateMapParams(opts.Params); err != nil {
				return err
			}
			if opts.Output.Path != "" {
				if err := opts.Output.CheckTarget(f.IO); err != nil {
					return err
				}
				return runF(c.Context(), f, opts)
			}
			if opts.Workspace != "" {
				if err := client.ValidateWorkspace(opts.Workspace); err != nil {
					return &upload.ValidationError{Field: "workspace", Message: err.Error()}
				}
			}
			if opts.Wait, err = wf.parse(c, f); err != nil {
				return err
			}
			if opts.Workspace, err = defaultWorkspace(c.Context(), f, opts.Workspace); err != nil {
				return err
			}
			return runF(c.Context(), f, opts)
		},
	}
	c.Flags().StringVarP(&opts.Workspace, "workspace", "w", "", "workspace to publish in (default: your own)")
	c.Flags().StringSliceVar(&layers, "layer", nil, "a published layer to show, REF (repeat, first one first)")
	c.Flags().StringVarP(&opts.Output.Path, "output-file", "O", "", "write the composition to FILE instead of publishing it")
	addMapFlags(c, &opts.Params, &wf)
	c.Flags().StringVar(&opts.Params.Name, "name", "", "map name (default: from the composition's name or title)")
	return c
}

// RunMapsCreate reads the layers, composes the map and publishes or writes it.
func RunMapsCreate(ctx context.Context, f *cli.Factory, opts *MapsCreateOptions) error {
	c, err := f.Client(ctx)
	if err != nil {
		return err
	}
	doc, err := ComposeMap(ctx, c, opts.Params, opts.Layers)
	if err != nil {
		return err
	}
	if opts.Output.Path != "" {
		if err := opts.Output.Write(f.IO, strings.NewReader(string(doc))); err != nil {
			return err
		}
		if opts.Output.Path != "-" && !f.Flags.Quiet {
			fmt.Fprintf(f.IO.ErrOut, "Wrote a map composition of %d layer(s) to %s\n", len(opts.Layers), opts.Output.Path)
		}
		return nil
	}
	dir, err := os.MkdirTemp("", "laymanctl-map-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "map.json")
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		return err
	}
	return RunMapsPublish(ctx, f, &MapsPublishOptions{Workspace: opts.Workspace, File: path, Params: opts.Params, Wait: opts.Wait})
}

// ComposeMap reads the layers and writes a map composition showing them
// (JSON, as `maps create` publishes it).
func ComposeMap(ctx context.Context, c *client.Client, p upload.MapParams, refs []client.Ref) ([]byte, error) {
	var layers []*client.Layer
	for _, ref := range refs {
		l, err := c.Layers.Get(ctx, ref)
		var notFound *client.NotFoundError
		if errors.As(err, &notFound) {
			return nil, err // it names the layer
		}
		if err != nil {
			return nil, fmt.Errorf("layer %s: %w", ref, err)
		}
		layers = append(layers, l)
	}
	comp, err := composeMap(p, layers)
	if err != nil {
		return nil, err
	}
	doc, err := json.MarshalIndent(comp, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(doc, '\n'), nil
}

// mapComposition is what Layman validates (map-compositions schema 3.0.0:
// describedBy, schema_version, abstract, title, extent, nativeExtent,
// projection and layers are required).
type mapComposition struct {
	DescribedBy   string     `json:"describedBy"`
	SchemaVersion string     `json:"schema_version"`
	Name          string     `json:"name,omitempty"`
	Title         string     `json:"title"`
	Abstract      string     `json:"abstract"`
	Projection    string     `json:"projection"`
	Units         string     `json:"units"`
	Scale         int        `json:"scale"`
	Extent        [4]float64 `json:"extent"`
	NativeExtent  [4]float64 `json:"nativeExtent"`
	Center        [2]float64 `json:"center"`
	Layers        []wmsLayer `json:"layers"`
}

// wmsLayer is a layer as Layman finds its own in a map
// (map/util.get_internal_gs_layers_from_json): className WMS (one of the
// enum of schema 3.0.0), url of Layman's WMS, params.LAYERS the GeoServer
// name.
type wmsLayer struct {
	Metadata   struct{}          `json:"metadata"`
	Visibility bool              `json:"visibility"`
	Opacity    float64           `json:"opacity"`
	Title      string            `json:"title"`
	ClassName  string            `json:"className"`
	SingleTile bool              `json:"singleTile"`
	URL        string            `json:"url"`
	Params     map[string]string `json:"params"`
}

const compositionSchema = "https://raw.githubusercontent.com/hslayers/map-compositions/3.0.0/schema.json"

func composeMap(p upload.MapParams, layers []*client.Layer) (*mapComposition, error) {
	m := &mapComposition{
		DescribedBy: compositionSchema, SchemaVersion: "3.0.0",
		Name: p.Name, Title: p.Title, Abstract: p.Description,
		Projection: "epsg:3857", Units: "m", Scale: 1,
		Layers: []wmsLayer{},
	}
	var box *[4]float64
	for _, l := range layers {
		if l.WMS == nil || l.WMS.URL == "" || l.WMS.Name == "" {
			return nil, fmt.Errorf("layer %s:%s has no WMS endpoint yet (status %s); wait for it with `laymanctl layers wait`", l.Name, l.UUID, l.Status().Publication)
		}
		title := l.Title
		if title == "" {
			title = l.Name
		}
		m.Layers = append(m.Layers, wmsLayer{
			Visibility: true, Opacity: 1, Title: title, ClassName: "WMS", SingleTile: true,
			URL:    l.WMS.URL,
			Params: map[string]string{"LAYERS": l.WMS.Name, "FORMAT": "image/png", "VERSION": "1.3.0"},
		})
		if b := l.BoundingBox; len(b) == 4 && !math.IsNaN(b[0]) {
			if box == nil {
				box = &[4]float64{b[0], b[1], b[2], b[3]}
			} else {
				box = &[4]float64{min(box[0], b[0]), min(box[1], b[1]), max(box[2], b[2]), max(box[3], b[3])}
			}
		}
	}
	if box == nil {
		return nil, fmt.Errorf("none of the layers has a bounding box yet, so the map's extent is unknown")
	}
	m.NativeExtent = *box
	m.Center = [2]float64{(box[0] + box[2]) / 2, (box[1] + box[3]) / 2}
	lon0, lat0 := mercatorToLonLat(box[0], box[1])
	lon1, lat1 := mercatorToLonLat(box[2], box[3])
	m.Extent = [4]float64{lon0, lat0, lon1, lat1}
	return m, nil
}

// mercatorToLonLat inverts EPSG:3857 (spherical Web Mercator).
func mercatorToLonLat(x, y float64) (lon, lat float64) {
	const r = 6378137.0
	lon = x / r * 180 / math.Pi
	lat = (2*math.Atan(math.Exp(y/r)) - math.Pi/2) * 180 / math.Pi
	return lon, lat
}
