package publish

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/client/upload"
	"github.com/laymanctl/laymanctl/cmd/cli"
)

// Values of --if-exists.
const (
	IfExistsFail   = "fail"
	IfExistsSkip   = "skip"
	IfExistsUpdate = "update"
)

func checkIfExists(v string) error {
	if v != IfExistsFail && v != IfExistsSkip && v != IfExistsUpdate {
		return cli.Usagef("--if-exists must be fail, skip or update, got %q", v)
	}
	return nil
}

// layerName is the name the layer will have: --name, else the one Layman
// derives from the files.
func layerName(p upload.LayerParams) (string, error) {
	if p.Name != "" {
		return p.Name, nil
	}
	plan, err := upload.ValidateLayer(p, false)
	if err != nil {
		return "", err
	}
	if n := upload.DerivedName(plan); n != "" {
		return n, nil
	}
	return "", cli.Usagef("cannot tell locally which name Layman derives from these files; give --name")
}

// existsHint turns Layman's "Layer already exists" into advice naming the
// command that changes the layer instead.
func existsHint(err error, p upload.LayerParams) error {
	var le *client.LaymanError
	if !errors.As(err, &le) || le.Code != client.CodeLayerExists {
		return err
	}
	rerun := "--if-exists update (or skip)"
	name, nerr := layerName(p)
	if nerr != nil {
		// A name Layman derived and laymanctl cannot (transliterated):
		// Layman's answer names it, and --if-exists needs it as --name.
		var detail struct{ Layername string }
		if json.Unmarshal(le.Detail, &detail) != nil || detail.Layername == "" {
			detail.Layername = "NAME"
		}
		name, rerun = detail.Layername, "--name "+detail.Layername+" --if-exists update (or skip)"
	}
	return &cli.ExitError{Code: cli.ExitFailure, Err: err,
		Hint: fmt.Sprintf("Change it with `laymanctl layers update %s:%s FILE...`, or re-run with %s.", p.Workspace, name, rerun)}
}

// rightsEdit is --add-read, --remove-read, --add-write and --remove-write.
type rightsEdit struct {
	addRead, removeRead, addWrite, removeWrite []string
}

func addRightsEditFlags(fs *pflag.FlagSet, e *rightsEdit) {
	fs.StringSliceVar(&e.addRead, "add-read", nil, "let these users or ROLES read too (comma-separated)")
	fs.StringSliceVar(&e.removeRead, "remove-read", nil, "stop these users or ROLES reading")
	fs.StringSliceVar(&e.addWrite, "add-write", nil, "let these users or ROLES write too")
	fs.StringSliceVar(&e.removeWrite, "remove-write", nil, "stop these users or ROLES writing")
}

func (e rightsEdit) any() bool {
	return len(e.addRead)+len(e.removeRead)+len(e.addWrite)+len(e.removeWrite) > 0
}

// apply edits the current lists. It refuses what Layman would reject (its
// check_rights_axioms): an empty list, which a PATCH could not even send,
// no writer, or a writer who may not read.
func (e rightsEdit) apply(cur client.AccessRights) (read, write []string, err error) {
	read = edit(cur.Read, e.addRead, e.removeRead)
	write = edit(cur.Write, e.addWrite, e.removeWrite)
	switch {
	case len(read) == 0:
		return nil, nil, cli.Usagef("after the change nobody could read; Layman keeps at least one reader")
	case len(write) == 0:
		return nil, nil, cli.Usagef("after the change nobody could write; Layman keeps at least one user with write rights")
	}
	if !slices.Contains(read, "EVERYONE") {
		for _, w := range write {
			if !slices.Contains(read, w) {
				return nil, nil, cli.Usagef("%s would write but not read; Layman requires writers to read (add --add-read %s or --remove-write %s)", w, w, w)
			}
		}
	}
	return read, write, nil
}

func edit(list, add, remove []string) []string {
	out := slices.Clone(list)
	for _, a := range add {
		if a = strings.TrimSpace(a); a != "" && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return slices.DeleteFunc(out, func(n string) bool {
		return slices.ContainsFunc(remove, func(r string) bool { return strings.TrimSpace(r) == n })
	})
}

// existing reads the layer ws:name; nil when there is none.
func existing(ctx context.Context, c *client.Client, ref client.Ref) (*client.Layer, error) {
	l, err := c.Layers.Get(ctx, ref)
	if client.IsNotFound(err) {
		return nil, nil
	}
	return l, err
}
