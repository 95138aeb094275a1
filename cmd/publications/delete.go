package publications

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/laymanctl/laymanctl/auth"
	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/cmd/cli"
)

// DeleteOptions are the parsed arguments of `<kind> delete`.
type DeleteOptions struct {
	Kind Kind
	Refs []client.Ref
	// Workspace with All deletes every publication of the kind there.
	Workspace string
	All       bool
	Yes       bool
	// IgnoreNotFound makes a missing REF a success, for re-runnable jobs.
	IgnoreNotFound bool
	DryRun         bool
}

// NewCmdDelete builds `<kind> delete REF... | --workspace W --all`.
func NewCmdDelete(f *cli.Factory, kind Kind, runF func(context.Context, *cli.Factory, *DeleteOptions) error) *cobra.Command {
	if runF == nil {
		runF = RunDelete
	}
	opts := &DeleteOptions{Kind: kind}
	c := &cobra.Command{
		Use:   "delete {REF... | --workspace W --all}",
		Short: fmt.Sprintf("Delete %s", kind.Plural),
		Long: fmt.Sprintf(`Delete the %[1]s named by REF (UUID or workspace:name), or with
--workspace W --all every %[2]s in W that the caller may write.
On a terminal a confirmation is asked for unless --yes; without a terminal
--yes is required. --ignore-not-found makes a REF that does not exist a
success. --dry-run looks the %[1]s up and prints what would be deleted,
deleting nothing (and asking nothing).`, kind.Plural, kind.Singular),
		Example: fmt.Sprintf(`  laymanctl %[1]s delete %[2]s
  laymanctl %[1]s delete %[2]s --yes --ignore-not-found
  laymanctl %[1]s delete --workspace alice --all --dry-run
  laymanctl %[1]s delete --workspace alice --all --yes`, kind.Plural, kind.example),
		RunE: func(c *cobra.Command, args []string) error {
			refs, err := cli.ParseRefs(args)
			if err != nil {
				return err
			}
			opts.Refs = refs
			if err := opts.validate(); err != nil {
				return err
			}
			return runF(c.Context(), f, opts)
		},
	}
	c.Flags().StringVarP(&opts.Workspace, "workspace", "w", "", "with --all: the workspace to empty")
	c.Flags().BoolVar(&opts.All, "all", false, "delete every "+kind.Singular+" in --workspace")
	c.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "do not ask for confirmation")
	c.Flags().BoolVar(&opts.IgnoreNotFound, "ignore-not-found", false, "a REF that does not exist is not an error")
	c.Flags().BoolVar(&opts.DryRun, "dry-run", false, "print what would be deleted; delete nothing")
	return c
}

func (o *DeleteOptions) validate() error {
	switch {
	case o.All && len(o.Refs) > 0:
		return cli.Usagef("pass either REF arguments or --workspace W --all, not both")
	case o.All && o.Workspace == "":
		return cli.Usagef("--all needs --workspace W")
	case !o.All && o.Workspace != "":
		return cli.Usagef("--workspace is only used with --all; name %s as workspace:name instead", o.Kind.Plural)
	case !o.All && len(o.Refs) == 0:
		return cli.Usagef("expects REF... or --workspace W --all\nRun 'laymanctl %s delete --help' for usage.", o.Kind.Plural)
	}
	if o.All {
		if err := client.ValidateWorkspace(o.Workspace); err != nil {
			return cli.Usagef("--workspace: %v", err)
		}
	}
	return nil
}

func (o *DeleteOptions) action() string {
	if o.All {
		return fmt.Sprintf("delete every %s in workspace %s", o.Kind.Singular, o.Workspace)
	}
	if len(o.Refs) == 1 {
		return fmt.Sprintf("delete %s %s", o.Kind.Singular, o.Refs[0])
	}
	return fmt.Sprintf("delete %d %s", len(o.Refs), o.Kind.Plural)
}

// RunDelete asks for confirmation, deletes, and reports what the server
// deleted: as data with -o/--jq, as messages on stderr otherwise.
func RunDelete(ctx context.Context, f *cli.Factory, opts *DeleteOptions) error {
	p, err := f.Printer()
	if err != nil {
		return err
	}
	c, err := f.Client(ctx)
	if err != nil {
		return err
	}
	svc := opts.Kind.service(c)
	if opts.DryRun {
		return dryRunDelete(ctx, p, c, opts)
	}
	if err := cli.Confirm(f.IO, opts.action(), opts.Yes); err != nil {
		return err
	}
	var deleted []client.Publication
	var failed error
	gone := func(client.Ref) {}
	if opts.Kind.Singular == client.TypeLayer {
		gone = DropUploads(f, c)
	}
	if opts.All {
		deleted, failed = svc.DeleteAll(ctx, opts.Workspace)
		for _, d := range deleted {
			gone(client.Ref{UUID: d.UUID, Workspace: opts.Workspace, Name: d.Name})
		}
		if failed == nil && !p.Structured() && !f.Flags.Quiet {
			fmt.Fprintf(f.IO.ErrOut, "Deleted %d %s in workspace %s\n", len(deleted), opts.Kind.Plural, opts.Workspace)
		}
	} else {
		deleted, failed = deleteEach(ctx, f, svc, opts, gone, !p.Structured() && !f.Flags.Quiet)
	}
	if p.Structured() && (failed == nil || len(deleted) > 0) {
		if deleted == nil {
			deleted = []client.Publication{}
		}
		raw, err := json.Marshal(deleted)
		if err != nil {
			return err
		}
		if err := p.Print(raw, nil); err != nil {
			return err
		}
	}
	return failed
}

// deleteEach tries every REF, like `kubectl delete`: one that fails is
// reported on stderr and the others still go. With several REFs the result
// is cli.ErrSilent (exit 1) once any failed; a single REF's error is
// returned as is, so it keeps its exit code and hint. A failure that no
// other REF can escape (the token, an interruption) ends the loop at once.
// gone is told of each publication deleted.
func deleteEach(ctx context.Context, f *cli.Factory, svc Service, opts *DeleteOptions, gone func(client.Ref), announce bool) ([]client.Publication, error) {
	var deleted []client.Publication
	var failures int
	for _, ref := range opts.Refs {
		d, err := svc.Delete(ctx, ref)
		var already *client.AlreadyDeletedError
		if errors.As(err, &already) {
			gone(already.Ref)
			deleted = append(deleted, *d)
			if announce {
				fmt.Fprintf(f.IO.ErrOut, "Deleted %s %s (already: the answer to the first attempt was lost)\n", opts.Kind.Singular, ref)
			}
			continue
		}
		if err != nil && opts.IgnoreNotFound && client.IsNotFound(err) {
			if announce {
				fmt.Fprintf(f.IO.ErrOut, "%s %s not found; nothing to delete\n", opts.Kind.Singular, ref)
			}
			continue
		}
		if err != nil {
			err = fmt.Errorf("deleting %s %s: %w", opts.Kind.Singular, ref, err)
			var loginRequired *auth.LoginRequiredError
			if len(opts.Refs) == 1 || ctx.Err() != nil || client.IsAuthFailure(err) || client.IsAuthUnverifiable(err) || errors.As(err, &loginRequired) {
				return deleted, err
			}
			fmt.Fprintf(f.IO.ErrOut, "error: %s\n", cli.ErrorText(err))
			failures++
			continue
		}
		gone(client.Ref{UUID: cmp.Or(d.UUID, ref.UUID), Workspace: cmp.Or(d.Workspace, ref.Workspace), Name: cmp.Or(d.Name, ref.Name)})
		deleted = append(deleted, *d)
		if announce {
			fmt.Fprintf(f.IO.ErrOut, "Deleted %s %s\n", opts.Kind.Singular, ref)
		}
	}
	if failures > 0 {
		return deleted, cli.ErrSilent
	}
	return deleted, nil
}

// dryRunDelete resolves what would be deleted and prints it as plans.
func dryRunDelete(ctx context.Context, p *cli.Printer, c *client.Client, opts *DeleteOptions) error {
	svc := opts.Kind.service(c)
	plans := []Plan{}
	add := func(r client.Ref) {
		plans = append(plans, Plan{Action: "delete", Kind: opts.Kind.Singular, Workspace: r.Workspace, Name: r.Name, UUID: r.UUID})
	}
	if opts.All {
		for pub, err := range svc.All(ctx, &client.ListOptions{Workspace: opts.Workspace}) {
			if err != nil {
				return err
			}
			add(pub.Ref())
		}
	}
	for _, ref := range opts.Refs {
		// A GET, not Resolve: on 2.x resolving workspace:name asks nothing.
		raw, _, err := opts.Kind.get(ctx, c, ref)
		switch {
		case err == nil:
			var doc struct{ Name, UUID string }
			_ = json.Unmarshal(raw, &doc)
			add(client.Ref{Workspace: ref.Workspace, Name: cmp.Or(doc.Name, ref.Name), UUID: cmp.Or(doc.UUID, ref.UUID)})
		case opts.IgnoreNotFound && client.IsNotFound(err):
		default:
			return fmt.Errorf("%s %s: %w", opts.Kind.Singular, ref, err)
		}
	}
	return PrintPlans(p, true, plans...)
}
