package cmd

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/client/upload"
	"github.com/laymanctl/laymanctl/cmd/cli"
	"github.com/laymanctl/laymanctl/keyring"
)

// completionTimeout bounds the requests completion sends: a slow or absent
// server must not freeze the shell; it then completes nothing.
const completionTimeout = 2 * time.Second

// completionListLimit is how many publications or users one completion
// asks for.
const completionListLimit = 500

const noFiles = cobra.ShellCompDirectiveNoFileComp

// fileFlags take a local path; every other flag completes no file names.
var fileFlags = []string{"file", "filename", "state", "style", "ca-file", "input", "output-file", "field"}

// registerCompletions teaches the shell what each argument and flag takes:
// REFs, usernames and workspaces from the server, profiles and enum values
// locally, and files only where a file is expected.
func registerCompletions(root *cobra.Command, f *cli.Factory) {
	enum := func(values ...string) cobra.CompletionFunc {
		return cobra.FixedCompletions(values, noFiles)
	}
	root.RegisterFlagCompletionFunc("output", enum(cli.Formats...))
	root.RegisterFlagCompletionFunc("profile", cli.CompleteProfiles(f))
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if c.ValidArgsFunction == nil && c.ValidArgs == nil {
			c.ValidArgsFunction = argsCompletion(c, f)
		}
		c.LocalNonPersistentFlags().VisitAll(func(fl *pflag.Flag) {
			if _, ok := c.GetFlagCompletionFunc(fl.Name); ok {
				return
			}
			var fn cobra.CompletionFunc
			switch fl.Name {
			case "order-by":
				fn = enum(client.OrderByTitle, client.OrderByLastChange, client.OrderByFullText, client.OrderByBbox)
			case "token-store":
				fn = enum(keyring.StoreNames()...)
			case "overview-resampling":
				fn = enum(upload.OverviewResampling...)
			case "workspace":
				fn = completeWorkspaces(f)
			case "layer":
				fn = func(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
					return completeRefs(f, "layers", toComplete)
				}
			case "read", "write":
				fn = completeGrantees(f)
			case "style":
				fn = cobra.FixedCompletions([]string{"sld", "qml"}, cobra.ShellCompDirectiveFilterFileExt)
			default:
				if slices.Contains(fileFlags, fl.Name) || fl.Value.Type() == "bool" {
					return
				}
				fn = cobra.NoFileCompletions
			}
			c.RegisterFlagCompletionFunc(fl.Name, fn)
		})
	}
	walk(root)
	for _, name := range []string{"server", "jq"} {
		root.RegisterFlagCompletionFunc(name, cobra.NoFileCompletions)
	}
}

// argsCompletion chooses from the usage line: REF, USERNAME, METHOD or
// files; a command without arguments completes nothing.
func argsCompletion(c *cobra.Command, f *cli.Factory) cobra.CompletionFunc {
	// "delete {REF... | --workspace W --all}": the arguments are before "|".
	use, _, _ := strings.Cut(c.Use, "|")
	words := strings.Fields(strings.Trim(use, "{} "))[1:]
	kind := c.Parent()
	return func(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(words) == 0 || kind == nil {
			return nil, noFiles
		}
		// The word of the usage line this argument fills; a last word with
		// "..." repeats.
		w := words[min(len(args), len(words)-1)]
		if len(args) >= len(words) && !strings.Contains(words[len(words)-1], "...") {
			return nil, noFiles
		}
		switch {
		case strings.Contains(w, "REF"):
			return completeRefs(f, kind.Name(), toComplete)
		case w == "USERNAME":
			return usernames(f), noFiles
		case w == "[METHOD]": // optional: a PATH alone is a GET
			return []string{"GET", "POST", "PATCH", "PUT", "DELETE"}, noFiles
		case strings.Contains(w, "FILE.json"):
			return []string{"json"}, cobra.ShellCompDirectiveFilterFileExt
		case strings.Contains(w, "FILE"):
			return nil, cobra.ShellCompDirectiveDefault
		}
		return nil, noFiles
	}
}

// serverClient is the active profile's client with a short deadline; ok is
// false when there is none (no server, no credentials).
func serverClient(f *cli.Factory) (*client.Client, context.Context, context.CancelFunc, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), completionTimeout)
	c, err := f.Client(ctx)
	if err != nil {
		cancel()
		return nil, nil, nil, false
	}
	return c, ctx, cancel, true
}

// completeRefs offers workspace:name of the layers or maps the caller may
// read; after "alice:" only alice's are asked for.
func completeRefs(f *cli.Factory, kind, toComplete string) ([]string, cobra.ShellCompDirective) {
	c, ctx, cancel, ok := serverClient(f)
	if !ok {
		return nil, noFiles
	}
	defer cancel()
	opts := &client.ListOptions{Limit: completionListLimit}
	if ws, _, found := strings.Cut(toComplete, ":"); found && client.ValidateWorkspace(ws) == nil {
		opts.Workspace = ws
	}
	var page *client.PublicationPage
	var err error
	switch kind {
	case "layers":
		page, err = c.Layers.List(ctx, opts)
	case "maps":
		page, err = c.Maps.List(ctx, opts)
	default:
		page, err = c.Publications.List(ctx, opts)
	}
	if err != nil {
		return nil, noFiles
	}
	var refs []string
	for _, p := range page.Items {
		if ref := p.Workspace + ":" + p.Name; strings.HasPrefix(ref, toComplete) {
			refs = append(refs, ref)
		}
	}
	return refs, noFiles
}

func usernames(f *cli.Factory) []string {
	c, ctx, cancel, ok := serverClient(f)
	if !ok {
		return nil
	}
	defer cancel()
	users, err := c.Users.List(ctx)
	if err != nil {
		return nil
	}
	var names []string
	for _, u := range users {
		names = append(names, u.Username)
	}
	return names
}

// completeWorkspaces offers the users' personal workspaces and those that
// hold a publication the caller may read.
func completeWorkspaces(f *cli.Factory) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		ws := usernames(f)
		if c, ctx, cancel, ok := serverClient(f); ok {
			defer cancel()
			if page, err := c.Publications.List(ctx, &client.ListOptions{Limit: completionListLimit}); err == nil {
				for _, p := range page.Items {
					ws = append(ws, p.Workspace)
				}
			}
		}
		slices.Sort(ws)
		return slices.Compact(ws), noFiles
	}
}

// completeGrantees offers usernames and roles for the comma-separated
// --read and --write lists, after what is already typed.
func completeGrantees(f *cli.Factory) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		names := usernames(f)
		if c, ctx, cancel, ok := serverClient(f); ok {
			defer cancel()
			if roles, err := c.Roles.List(ctx); err == nil {
				names = append(names, roles...)
			}
		}
		if len(names) == 0 {
			names = []string{"EVERYONE"}
		}
		done := toComplete[:strings.LastIndex(toComplete, ",")+1]
		var out []string
		for _, n := range names {
			out = append(out, done+n)
		}
		return out, noFiles | cobra.ShellCompDirectiveNoSpace
	}
}
