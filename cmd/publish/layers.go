package publish

import (
	"cmp"
	"context"
	"fmt"
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
	IfExists string // IfExistsFail, IfExistsSkip or IfExistsUpdate
	DryRun   bool
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
series with --time-regex; on Layman 2.4, without it, one image mosaic.
--file-path publishes a GeoTIFF (or a directory of them) already in GeoServer's
data directory, named relative to it (Layman 2.4). Everything is checked
locally first: bad input exits 2 with nothing sent.

Inputs of 1 MiB and more go in chunks, several at once; an interrupted upload
prints the ` + "`laymanctl layers resume`" + ` command that finishes it. On a terminal the
command shows progress and waits for the server's processing (--no-wait to
return at once); it exits 5 when processing ends INCOMPLETE.

A layer of that name that exists already fails the command (exit 1) unless
--if-exists skip (leave it, print it) or update (send the data and options as
` + "`layers update`" + ` would). --dry-run checks everything, reads what it must
(the server's generation, whether the layer exists) and prints the plan: the
request, its fields, and how many chunks would carry the data. It sends
nothing.`,
		Example: `  laymanctl layers publish rivers.geojson --workspace alice --title Rivers
  laymanctl layers publish rivers.geojson --workspace alice --if-exists update \
    --wait
  laymanctl layers publish dem.tif dem.tfw --workspace alice --dry-run
  laymanctl layers publish rivers.geojson    # in your own workspace
  laymanctl layers publish roads.shp roads.shx roads.dbf roads.prj \
    --workspace alice --style roads.sld
  laymanctl layers publish dem.tif dem.tfw -w alice --wait --timeout 30m
  laymanctl layers publish s2_20240101.tif s2_20240201.tif --workspace alice \
    --name s2 --time-regex '[0-9]{8}' --time-regex-format yyyyMMdd
  laymanctl layers publish --file-path ortho/2024 --workspace alice --name ortho
  laymanctl layers publish rivers.geojson -w alice \
    --uuid 0b7c6a4e-1234-4abc-8def-5a6b7c8d9e0f`,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Params.Files = args
			if err := checkIfExists(opts.IfExists); err != nil {
				return err
			}
			var err error
			if opts.Transfer, err = tf.parse(); err != nil {
				return err
			}
			if opts.Wait, err = wf.parse(c, f); err != nil {
				return err
			}
			check := opts.Params
			if check.Workspace == "" {
				check.Workspace = placeholderWorkspace
			}
			if _, err := upload.ValidateLayer(check, false); err != nil {
				return err
			}
			if opts.Params.Workspace, err = defaultWorkspace(c.Context(), f, opts.Params.Workspace); err != nil {
				return err
			}
			return runF(c.Context(), f, opts)
		},
	}
	fs := c.Flags()
	fs.StringVarP(&opts.Params.Workspace, "workspace", "w", "", "workspace to publish in (default: your own)")
	fs.StringVar(&opts.Params.Name, "name", "", "layer name (default: derived from the main file's name)")
	fs.StringVar(&opts.Params.UUID, "uuid", "", "the new layer's UUID, instead of one Layman chooses (Layman 2.0+)")
	fs.StringVar(&opts.Params.FilePath, "file-path", "", "publish a GeoTIFF or a directory of them already in GeoServer's data directory, relative to it (Layman 2.4)")
	addLayerFlags(fs, &opts.Params)
	addTransferFlags(fs, &tf)
	addWaitFlags(fs, &wf)
	fs.StringVar(&opts.IfExists, "if-exists", IfExistsFail, "when the layer exists: fail, skip or update")
	fs.BoolVar(&opts.DryRun, "dry-run", false, "check and print the plan; send nothing")
	return c
}

// RunLayersPublish uploads the layer, or with --if-exists skips or updates
// an existing one, and reports the result.
func RunLayersPublish(ctx context.Context, f *cli.Factory, opts *LayersPublishOptions) error {
	s, err := newSession(ctx, f, opts.Transfer)
	if err != nil {
		return err
	}
	p := opts.Params
	ref := client.Ref{Workspace: p.Workspace}
	var cur *client.Layer
	if opts.IfExists != IfExistsFail || opts.DryRun {
		if ref.Name, err = layerName(p); err != nil && opts.IfExists != IfExistsFail {
			return err
		}
		if ref.Name != "" {
			if cur, err = existing(ctx, s.client, ref); err != nil {
				return err
			}
		}
	}
	if cur != nil {
		ref.UUID = cur.UUID
		switch opts.IfExists {
		case IfExistsSkip:
			if opts.DryRun {
				return publications.PrintPlans(s.printer, false, publications.Plan{Action: "skip", Kind: upload.KindLayer, Workspace: ref.Workspace, Name: ref.Name, UUID: ref.UUID})
			}
			if !s.quiet {
				fmt.Fprintf(s.io.ErrOut, "layer %s exists; left as it is (--if-exists skip)\n", ref)
			}
			return s.finish(ctx, upload.KindLayer, &upload.Result{Ref: ref}, opts.Wait)
		case IfExistsUpdate:
			p.Workspace, p.Name, p.UUID = "", "", ""
			return s.update(ctx, ref, p, opts.Wait, opts.DryRun)
		default:
			return existsHint(&client.LaymanError{Code: client.CodeLayerExists, StatusCode: 409, Message: "Layer already exists"}, opts.Params)
		}
	}
	if opts.DryRun {
		pv, _, err := s.uploader.PreviewLayer(ctx, nil, p)
		if err != nil {
			return err
		}
		return publications.PrintPlans(s.printer, false, publications.Plan{Action: "create", Kind: upload.KindLayer, Workspace: ref.Workspace, Name: ref.Name, Preview: pv})
	}
	res, err := s.uploader.Publish(ctx, p)
	if err != nil {
		return existsHint(err, p)
	}
	return s.finish(ctx, upload.KindLayer, res, opts.Wait)
}

// update patches the layer, or with dryRun prints what it would send.
func (s *session) update(ctx context.Context, ref client.Ref, p upload.LayerParams, w WaitPolicy, dryRun bool) error {
	if dryRun {
		pv, resolved, err := s.uploader.PreviewLayer(ctx, &ref, p)
		if err != nil {
			return err
		}
		return publications.PrintPlans(s.printer, false, publications.Plan{Action: "update", Kind: upload.KindLayer, Workspace: ref.Workspace, Name: cmp.Or(ref.Name, resolved.Name),
			UUID: cmp.Or(resolved.UUID, ref.UUID), Preview: pv, Read: p.Read, Write: p.Write})
	}
	s.waitWhenBusy(w)
	res, err := s.uploader.Update(ctx, ref, p)
	if err != nil {
		return busyHint(err)
	}
	return s.finish(ctx, upload.KindLayer, res, w)
}

// LayersUpdateOptions are the parsed arguments of `layers update`.
type LayersUpdateOptions struct {
	Ref      client.Ref
	Params   upload.LayerParams
	Rights   rightsEdit
	Transfer Transfer
	Wait     WaitPolicy
	DryRun   bool
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
other options of publish. REF is the layer's UUID or workspace:name. Layman
never renames a layer, so there is no --name. --append adds the files to a
time series instead of replacing its data (Layman 2.4).

--add-read, --remove-read, --add-write and --remove-write change the current
access lists instead of replacing them (--read, --write): the layer is read,
the lists edited and the result sent, unless Layman would refuse it (nobody
left to write, a writer who may not read). --dry-run prints the plan and
sends nothing.

While Layman is still processing the layer (its error 49, e.g. right after
a publish --no-wait), update says so on stderr, waits for the processing to
end and then sends the change, for at most --timeout (the same limit as
--wait's); when that runs out it exits 1 with nothing changed.`,
		Example: `  laymanctl layers update alice:rivers --title "Rivers 2024"
  laymanctl layers update alice:rivers --add-read bob,EDITORS \
    --remove-write carol
  laymanctl layers update alice:rivers rivers_2025.geojson --dry-run
  laymanctl layers update alice:rivers rivers_2024.geojson --wait
  laymanctl layers update alice:rivers --style rivers.qml --read EVERYONE
  laymanctl layers update alice:s2 s2_20240301.tif --append   # Layman 2.4`,
		Args: cli.MinimumArgs(1, "REF and optional FILEs"),
		RunE: func(c *cobra.Command, args []string) error {
			refs, err := cli.ParseRefs(args[:1])
			if err != nil {
				return err
			}
			opts.Ref = refs[0]
			if c.Flags().Changed("name") {
				return cli.Usagef("--name: Layman never renames a layer (PATCH ignores the name); publish under the new name, then delete %s", opts.Ref)
			}
			opts.Params.Files = slices.Concat(args[1:], files)
			if opts.Rights.any() && (len(opts.Params.Read) > 0 || len(opts.Params.Write) > 0) {
				return cli.Usagef("--read/--write replace the lists; --add-*/--remove-* edit them: use one kind")
			}
			if !changesLayer(opts.Params) && !opts.Rights.any() {
				return cli.Usagef("nothing to update: give data files or at least one of --title, --description, --style, --read, --write, --crs, --time-regex, --overview-resampling, --external-table\nRun '%s --help' for usage.", c.CommandPath())
			}
			if opts.Transfer, err = tf.parse(); err != nil {
				return err
			}
			if opts.Wait, err = wf.parse(c, f); err != nil {
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
	fs.BoolVar(&opts.Params.Append, "append", false, "add the files to the time series instead of replacing its data (Layman 2.4)")
	var name string
	fs.StringVar(&name, "name", "", "refused: Layman never renames a layer")
	_ = fs.MarkHidden("name")
	addLayerFlags(fs, &opts.Params)
	fs.Lookup("external-table").Usage = "replace the data with an existing PostGIS table: postgresql://host/db?schema=s&table=t"
	addRightsEditFlags(fs, &opts.Rights)
	addTransferFlags(fs, &tf)
	addWaitFlags(fs, &wf)
	fs.Lookup("timeout").Usage = publications.BusyTimeoutHelp
	fs.BoolVar(&opts.DryRun, "dry-run", false, "check and print the plan; send nothing")
	return c
}

// changesLayer reports whether p asks for any change: an empty PATCH would
// still make Layman process the layer again.
func changesLayer(p upload.LayerParams) bool {
	return len(p.Files) > 0 || len(p.Read) > 0 || len(p.Write) > 0 ||
		p.Title != "" || p.Description != "" || p.CRS != "" || p.StylePath != "" ||
		p.TimeRegex != "" || p.TimeRegexFormat != "" || p.OverviewResampling != "" || p.ExternalTableURI != ""
}

// RunLayersUpdate patches the layer and reports the result.
func RunLayersUpdate(ctx context.Context, f *cli.Factory, opts *LayersUpdateOptions) error {
	s, err := newSession(ctx, f, opts.Transfer)
	if err != nil {
		return err
	}
	p := opts.Params
	if opts.Rights.any() {
		// Read-modify-write: Layman takes whole lists only.
		cur, err := s.client.Layers.Get(ctx, opts.Ref)
		if err != nil {
			return err
		}
		if p.Read, p.Write, err = opts.Rights.apply(cur.AccessRights); err != nil {
			return err
		}
	}
	return s.update(ctx, opts.Ref, p, opts.Wait, opts.DryRun)
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
  laymanctl layers resume 3fa85f64-5717-4562-b3fc-2c963f66afa6 \
    --chunk-size 4MiB big.tif`,
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
			if opts.Wait, err = wf.parse(c, f); err != nil {
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
	// Not 1MiB: the interrupted upload's size is the one that fits.
	size := fs.Lookup("chunk-size")
	size.DefValue = ""
	size.Usage += " (default: the interrupted upload's, from this machine's record; else " + size.Value.String() + ")"
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
