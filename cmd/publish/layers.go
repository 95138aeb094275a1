package publish

import (
	"context"
	"slices"

	"github.com/spf13/cobra"

	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/client/upload"
	"github.com/laymanctl/laymanctl/cmd/cli"
	"github.com/laymanctl/laymanctl/cmd/publications"
)

// LayersPublishOptions are the parsed arguments of `layers publish`.
type LayersPublishOptions struct {
	Params   upload.LayerParams
	Transfer Transfer
	Wait     WaitPolicy
}

// NewLayersPublishCmd builds `layers publish FILE... --workspace W`.
func NewLayersPublishCmd(f *cli.Factory, runF func(context.Context, *cli.Factory, *LayersPublishOptions) error) *cobra.Command {
	if runF == nil {
		runF = RunLayersPublish
	}
	opts := &LayersPublishOptions{}
	var tf transferFlags
	var wf waitFlags
	c := &cobra.Command{
		Use:   "publish FILE... --workspace W",
		Short: "Publish a layer from files or a PostGIS table",
		Long: `Publish a new layer in a workspace. FILE is GeoJSON; a Shapefile with its
.shx, .dbf and .prj (or --crs); a GeoTIFF, JPEG 2000, PNG or JPEG raster with
its world file; or one ZIP holding any of these. Several rasters make a time
series with --time-regex. Everything is checked locally first: bad input exits
2 with nothing sent.

Inputs of 1 MiB and more go in chunks, several at once; an interrupted upload
prints the ` + "`laymanctl layers resume`" + ` command that finishes it. On a terminal the
command shows progress and waits for the server's processing (--no-wait to
return at once); it exits 5 when processing ends INCOMPLETE.`,
		Example: `  laymanctl layers publish rivers.geojson --workspace alice --title Rivers
  laymanctl layers publish roads.shp roads.shx roads.dbf roads.prj --workspace alice --style roads.sld
  laymanctl layers publish dem.tif dem.tfw --workspace alice --wait --timeout 30m
  laymanctl layers publish s2_20240101.tif s2_20240201.tif --workspace alice --time-regex '[0-9]{8}' --time-regex-format yyyyMMdd`,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Params.Files = args
			var err error
			if opts.Transfer, err = tf.parse(); err != nil {
				return err
			}
			if opts.Wait, err = wf.parse(c, f.IO); err != nil {
				return err
			}
			if _, err := upload.ValidateLayer(opts.Params, false); err != nil {
				return err
			}
			return runF(c.Context(), f, opts)
		},
	}
	fs := c.Flags()
	fs.StringVarP(&opts.Params.Workspace, "workspace", "w", "", "workspace to publish in (required)")
	addLayerFlags(fs, &opts.Params)
	addTransferFlags(fs, &tf)
	addWaitFlags(fs, &wf)
	return c
}

// RunLayersPublish uploads the layer and reports the result.
func RunLayersPublish(ctx context.Context, f *cli.Factory, opts *LayersPublishOptions) error {
	s, err := newSession(ctx, f, opts.Transfer)
	if err != nil {
		return err
	}
	res, err := s.uploader.Publish(ctx, opts.Params)
	if err != nil {
		return err
	}
	return s.finish(ctx, upload.KindLayer, res, opts.Wait)
}

// LayersUpdateOptions are the parsed arguments of `layers update`.
type LayersUpdateOptions struct {
	Ref      client.Ref
	Params   upload.LayerParams
	Transfer Transfer
	Wait     WaitPolicy
}

// NewLayersUpdateCmd builds `layers update REF [FILE...]`.
func NewLayersUpdateCmd(f *cli.Factory, runF func(context.Context, *cli.Factory, *LayersUpdateOptions) error) *cobra.Command {
	if runF == nil {
		runF = RunLayersUpdate
	}
	opts := &LayersUpdateOptions{}
	var tf transferFlags
	var wf waitFlags
	var files []string
	c := &cobra.Command{
		Use:   "update REF [FILE...]",
		Short: "Change a layer's data, style, rights or metadata",
		Long: `Change a layer (PATCH). Only what is given changes: new data files (after
REF or with --file), --style, --title, --description, --read/--write and the
other options of publish. REF is the layer's UUID or workspace:name.`,
		Example: `  laymanctl layers update alice:rivers --title "Rivers 2024"
  laymanctl layers update alice:rivers rivers_2024.geojson --wait
  laymanctl layers update alice:rivers --style rivers.qml --read EVERYONE`,
		Args: cli.MinimumArgs(1, "REF and optional FILEs"),
		RunE: func(c *cobra.Command, args []string) error {
			refs, err := cli.ParseRefs(args[:1])
			if err != nil {
				return err
			}
			opts.Ref = refs[0]
			opts.Params.Files = slices.Concat(args[1:], files)
			if !changesLayer(opts.Params) {
				return cli.Usagef("nothing to update: give data files or at least one of --title, --description, --style, --read, --write, --crs, --time-regex, --overview-resampling, --external-table\nRun '%s --help' for usage.", c.CommandPath())
			}
			if opts.Transfer, err = tf.parse(); err != nil {
				return err
			}
			if opts.Wait, err = wf.parse(c, f.IO); err != nil {
				return err
			}
			if _, err := upload.ValidateLayer(opts.Params, true); err != nil {
				return err
			}
			return runF(c.Context(), f, opts)
		},
	}
	fs := c.Flags()
	fs.StringArrayVar(&files, "file", nil, "data file to replace the layer's data with (repeatable)")
	addLayerFlags(fs, &opts.Params)
	addTransferFlags(fs, &tf)
	addWaitFlags(fs, &wf)
	return c
}

// changesLayer reports whether p asks for any change: an empty PATCH would
// still make Layman process the layer again.
func changesLayer(p upload.LayerParams) bool {
	return len(p.Files) > 0 || len(p.Read) > 0 || len(p.Write) > 0 ||
		p.Name != "" || p.Title != "" || p.Description != "" || p.CRS != "" || p.StylePath != "" ||
		p.TimeRegex != "" || p.TimeRegexFormat != "" || p.OverviewResampling != "" || p.ExternalTableURI != ""
}

// RunLayersUpdate patches the layer and reports the result.
func RunLayersUpdate(ctx context.Context, f *cli.Factory, opts *LayersUpdateOptions) error {
	s, err := newSession(ctx, f, opts.Transfer)
	if err != nil {
		return err
	}
	res, err := s.uploader.Update(ctx, opts.Ref, opts.Params)
	if err != nil {
		return err
	}
	return s.finish(ctx, upload.KindLayer, res, opts.Wait)
}

// LayersResumeOptions are the parsed arguments of `layers resume`.
type LayersResumeOptions struct {
	Ref      client.Ref
	Files    []string
	Transfer Transfer
	Wait     WaitPolicy
}

// NewLayersResumeCmd builds `layers resume REF FILE...`.
func NewLayersResumeCmd(f *cli.Factory, runF func(context.Context, *cli.Factory, *LayersResumeOptions) error) *cobra.Command {
	if runF == nil {
		runF = RunLayersResume
	}
	opts := &LayersResumeOptions{}
	var tf transferFlags
	var wf waitFlags
	c := &cobra.Command{
		Use:   "resume REF FILE...",
		Short: "Finish an interrupted chunked upload",
		Long: `Finish a chunked upload that stopped (Ctrl-C, lost connection): ask the server
which chunks it already has and send only the missing ones. An interrupted
publish or update prints the exact command. On the machine that started the
upload its chunk size is remembered: --chunk-size may be left out, and a
different one or a file changed since is refused. Elsewhere give the printed
--chunk-size. Layman keeps an unfinished upload for a few minutes only.`,
		Example: `  laymanctl layers resume alice:dem dem.tif dem.tfw
  laymanctl layers resume 3fa85f64-5717-4562-b3fc-2c963f66afa6 --chunk-size 4MiB big.tif`,
		Args: cli.MinimumArgs(2, "REF and the FILEs of the interrupted upload"),
		RunE: func(c *cobra.Command, args []string) error {
			refs, err := cli.ParseRefs(args[:1])
			if err != nil {
				return err
			}
			opts.Ref, opts.Files = refs[0], args[1:]
			if opts.Transfer, err = tf.parse(); err != nil {
				return err
			}
			if !c.Flags().Changed("chunk-size") {
				// The uploader takes the interrupted upload's size from its
				// journal; only an explicit one is checked against it.
				opts.Transfer.ChunkSize = 0
			}
			if opts.Wait, err = wf.parse(c, f.IO); err != nil {
				return err
			}
			if err := upload.CheckRegularFiles(opts.Files); err != nil {
				return err
			}
			return runF(c.Context(), f, opts)
		},
	}
	fs := c.Flags()
	addTransferFlags(fs, &tf)
	addWaitFlags(fs, &wf)
	return c
}

// RunLayersResume sends the missing chunks and reports the result.
func RunLayersResume(ctx context.Context, f *cli.Factory, opts *LayersResumeOptions) error {
	s, err := newSession(ctx, f, opts.Transfer)
	if err != nil {
		return err
	}
	res, err := s.uploader.Resume(ctx, opts.Ref, opts.Files)
	if err != nil {
		return err
	}
	if !s.printer.Structured() {
		// A resume gets no answer naming the workspace, and 3.x's layer
		// JSON lacks it; the table row should not.
		res.Ref = publications.WithWorkspace(ctx, s.client, upload.KindLayer, res.Ref)
	}
	return s.finish(ctx, upload.KindLayer, res, opts.Wait)
}
