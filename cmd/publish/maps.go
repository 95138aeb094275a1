package publish

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/client/upload"
	"github.com/laymanctl/laymanctl/cmd/cli"
	"github.com/laymanctl/laymanctl/cmd/publications"
)

// MapsPublishOptions are the parsed arguments of `maps publish`.
type MapsPublishOptions struct {
	Workspace string
	File      string
	Params    upload.MapParams
	Wait      WaitPolicy
}

func addMapFlags(c *cobra.Command, p *upload.MapParams, wf *waitFlags) {
	fs := c.Flags()
	fs.StringVar(&p.Title, "title", "", "human-readable title (default: the composition's title)")
	fs.StringVar(&p.Description, "description", "", "description (default: the composition's abstract)")
	addAccessFlags(fs, &p.Read, &p.Write)
	addWaitFlags(fs, wf)
}

// NewMapsPublishCmd builds `maps publish FILE.json --workspace W`.
func NewMapsPublishCmd(f *cli.Factory, runF func(context.Context, *cli.Factory, *MapsPublishOptions) error) *cobra.Command {
	if runF == nil {
		runF = RunMapsPublish
	}
	opts := &MapsPublishOptions{}
	var wf waitFlags
	c := &cobra.Command{
		Use:   "publish FILE.json --workspace W",
		Short: "Publish a map composition",
		Long: `Publish a map composition (JSON following Layman's map-composition schema,
version 2 or 3) in a workspace. The file is checked locally first: bad input
exits 2 with nothing sent. On a terminal the command waits for the server's
processing (--no-wait to return at once); it exits 5 when processing ends
INCOMPLETE.`,
		Example: `  laymanctl maps publish city.json --workspace alice --read EVERYONE
  laymanctl maps publish city.json -w alice \
    --uuid 0b7c6a4e-1234-4abc-8def-5a6b7c8d9e0f`,
		Args: cli.ExactArgs(1, "FILE.json"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.File = args[0]
			var err error
			if opts.Wait, err = wf.parse(c, f); err != nil {
				return err
			}
			if opts.Workspace != "" {
				if err := client.ValidateWorkspace(opts.Workspace); err != nil {
					return &upload.ValidationError{Field: "workspace", Message: err.Error()}
				}
			}
			if err := checkMap(opts.File, opts.Params); err != nil {
				return err
			}
			if opts.Workspace, err = defaultWorkspace(c.Context(), f, opts.Workspace); err != nil {
				return err
			}
			return runF(c.Context(), f, opts)
		},
	}
	c.Flags().StringVarP(&opts.Workspace, "workspace", "w", "", "workspace to publish in (default: your own)")
	addMapFlags(c, &opts.Params, &wf)
	c.Flags().StringVar(&opts.Params.Name, "name", "", "map name (default: from the composition's name or title)")
	c.Flags().StringVar(&opts.Params.UUID, "uuid", "", "the new map's UUID, instead of one Layman chooses (Layman 2.0+)")
	return c
}

func checkMap(path string, p upload.MapParams) error {
	if err := upload.ValidateMapParams(p); err != nil {
		return err
	}
	if path == "" {
		return nil
	}
	_, err := upload.ValidateMap(path)
	return err
}

// mapErrorHint advises on two refusals of a map: its name is taken (error
// 24: update it instead), or it names one of Layman's layers by workspace
// and name (error 59: how to reference them).
func mapErrorHint(err error, workspace string) error {
	var le *client.LaymanError
	if !errors.As(err, &le) {
		return err
	}
	if le.Code == client.CodeMapExists {
		var detail struct{ Mapname string }
		if json.Unmarshal(le.Detail, &detail) != nil || detail.Mapname == "" {
			detail.Mapname = "NAME"
		}
		return &cli.ExitError{Code: cli.ExitFailure, Err: err,
			Hint: fmt.Sprintf("Change it with `laymanctl maps update %s:%s FILE.json`, or publish it under another --name.", workspace, detail.Mapname)}
	}
	if le.Code != client.CodeLayerByWorkspaceName {
		return err
	}
	return &cli.ExitError{Code: cli.ExitFailure, Err: err,
		Hint: "Reference Layman's layers by their GeoServer names, layman_wms:l_<uuid> (WMS) or layman:l_<uuid> (WFS), with no workspace in the URL: `laymanctl layers get REF` shows a layer's, and `laymanctl maps create --layer REF` writes such references."}
}

// RunMapsPublish uploads the map and reports the result.
func RunMapsPublish(ctx context.Context, f *cli.Factory, opts *MapsPublishOptions) error {
	s, err := newSession(ctx, f, Transfer{})
	if err != nil {
		return err
	}
	res, err := s.uploader.PublishMap(ctx, opts.Workspace, opts.File, opts.Params)
	if err != nil {
		return mapErrorHint(err, opts.Workspace)
	}
	return s.finish(ctx, upload.KindMap, res, opts.Wait)
}

// MapsUpdateOptions are the parsed arguments of `maps update`.
type MapsUpdateOptions struct {
	Ref    client.Ref
	File   string // "" keeps the composition
	Params upload.MapParams
	Wait   WaitPolicy
}

// NewMapsUpdateCmd builds `maps update REF [FILE.json]`.
func NewMapsUpdateCmd(f *cli.Factory, runF func(context.Context, *cli.Factory, *MapsUpdateOptions) error) *cobra.Command {
	if runF == nil {
		runF = RunMapsUpdate
	}
	opts := &MapsUpdateOptions{}
	var wf waitFlags
	c := &cobra.Command{
		Use:   "update REF [FILE.json]",
		Short: "Change a map's composition, rights or metadata",
		Long: `Change a map (PATCH). Only what is given changes: a new composition file,
--title, --description, --read/--write. REF is the map's UUID or
workspace:name. Layman never renames a map, so there is no --name. While
Layman is still processing the map (its error 49), update waits for that to
end, saying so on stderr, for at most --timeout, then sends the change.`,
		Example: `  laymanctl maps update alice:overview overview.json
  laymanctl maps update alice:overview --read EVERYONE`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) < 1 || len(args) > 2 {
				return cli.Usagef("%s expects REF and an optional FILE.json\nRun '%s --help' for usage.", c.CommandPath(), c.CommandPath())
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			refs, err := cli.ParseRefs(args[:1])
			if err != nil {
				return err
			}
			opts.Ref = refs[0]
			if c.Flags().Changed("name") {
				return cli.Usagef("--name: Layman never renames a map (PATCH ignores the name); publish under the new name, then delete %s", opts.Ref)
			}
			if len(args) == 2 {
				opts.File = args[1]
			}
			if p := opts.Params; opts.File == "" && p.Title == "" && p.Description == "" && len(p.Read) == 0 && len(p.Write) == 0 {
				// An empty PATCH would still make Layman process the map again.
				return cli.Usagef("nothing to update: give a FILE.json or at least one of --title, --description, --read, --write\nRun '%s --help' for usage.", c.CommandPath())
			}
			if opts.Wait, err = wf.parse(c, f); err != nil {
				return err
			}
			if err := checkMap(opts.File, opts.Params); err != nil {
				return err
			}
			return runF(c.Context(), f, opts)
		},
	}
	addMapFlags(c, &opts.Params, &wf)
	c.Flags().Lookup("timeout").Usage = publications.BusyTimeoutHelp
	var name string
	c.Flags().StringVar(&name, "name", "", "refused: Layman never renames a map")
	_ = c.Flags().MarkHidden("name")
	return c
}

// RunMapsUpdate patches the map and reports the result.
func RunMapsUpdate(ctx context.Context, f *cli.Factory, opts *MapsUpdateOptions) error {
	s, err := newSession(ctx, f, Transfer{})
	if err != nil {
		return err
	}
	s.waitWhenBusy(opts.Wait)
	res, err := s.uploader.UpdateMap(ctx, opts.Ref, opts.File, opts.Params)
	if err != nil {
		return busyHint(mapErrorHint(err, ""))
	}
	return s.finish(ctx, upload.KindMap, res, opts.Wait)
}
