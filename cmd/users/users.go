// Package users implements `laymanctl users` and `laymanctl roles`.
package users

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/cmd/cli"
)

// NewCmd builds `users`.
func NewCmd(f *cli.Factory) *cobra.Command {
	c := &cobra.Command{
		Use:   "users",
		Short: "List and delete Layman users",
	}
	f.AddLater(c, func() []*cobra.Command { return []*cobra.Command{NewCmdList(f, nil), NewCmdDelete(f, nil)} })
	return c
}

// NewCmdList builds `users list`.
func NewCmdList(f *cli.Factory, runF func(context.Context, *cli.Factory) error) *cobra.Command {
	if runF == nil {
		runF = runList
	}
	return &cobra.Command{
		Use:     "list",
		Short:   "List users who reserved a username",
		Example: "  laymanctl users list\n  laymanctl users list --jq '.[].username'",
		Args:    cli.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return runF(c.Context(), f)
		},
	}
}

func runList(ctx context.Context, f *cli.Factory) error {
	return printList(ctx, f, "rest/users", "user", func(u client.User) []string {
		return []string{u.Username, u.Name, u.ScreenName}
	}, "USERNAME", "NAME", "SCREEN NAME")
}

// printList prints the list at path: the server's JSON as it came for
// -o json (the client's types drop fields they do not know), a row per item
// for the table.
func printList[T any](ctx context.Context, f *cli.Factory, path, what string, row func(T) []string, header ...string) error {
	p, err := f.Printer()
	if err != nil {
		return err
	}
	c, err := f.Client(ctx)
	if err != nil {
		return err
	}
	var raw json.RawMessage
	if err := c.GetJSON(ctx, path, &raw); err != nil {
		return err
	}
	var items []T
	if err := json.Unmarshal(raw, &items); err != nil {
		return fmt.Errorf("decoding the %s list: %w", what, err)
	}
	return p.Print(raw, func() cli.Table {
		t := cli.Table{Header: header}
		for _, it := range items {
			t.Rows = append(t.Rows, row(it))
		}
		return t
	})
}

// DeleteOptions are the parsed arguments of `users delete`.
type DeleteOptions struct {
	Username string
	Yes      bool
}

// NewCmdDelete builds `users delete USERNAME`.
func NewCmdDelete(f *cli.Factory, runF func(context.Context, *cli.Factory, *DeleteOptions) error) *cobra.Command {
	if runF == nil {
		runF = runDelete
	}
	opts := &DeleteOptions{}
	c := &cobra.Command{
		Use:   "delete USERNAME",
		Short: "Delete a user with their personal workspace and its publications",
		Long: `Delete a user, their personal workspace and every publication in it.
On a terminal a confirmation is asked for unless --yes; without a terminal
--yes is required.`,
		Example: "  laymanctl users delete bob --yes",
		Args:    cli.ExactArgs(1, "USERNAME"),
		RunE: func(c *cobra.Command, args []string) error {
			if err := client.ValidateWorkspace(args[0]); err != nil {
				return cli.Usagef("USERNAME: %v", err)
			}
			opts.Username = args[0]
			return runF(c.Context(), f, opts)
		},
	}
	c.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "do not ask for confirmation")
	return c
}

func runDelete(ctx context.Context, f *cli.Factory, opts *DeleteOptions) error {
	c, err := f.Client(ctx)
	if err != nil {
		return err
	}
	if err := cli.Confirm(f.IO, fmt.Sprintf("delete user %s with their workspace and all its publications", opts.Username), opts.Yes); err != nil {
		return err
	}
	if err := c.Users.Delete(ctx, opts.Username); err != nil {
		return fmt.Errorf("deleting user %s: %w", opts.Username, err)
	}
	if !f.Flags.Quiet {
		fmt.Fprintf(f.IO.ErrOut, "Deleted user %s\n", opts.Username)
	}
	return nil
}

// NewCmdRoles builds `roles` with its `list` subcommand.
func NewCmdRoles(f *cli.Factory) *cobra.Command {
	c := &cobra.Command{
		Use:   "roles",
		Short: "List the roles usable in access rights",
	}
	c.AddCommand(&cobra.Command{
		Use:     "list",
		Short:   "List role names, EVERYONE included",
		Example: "  laymanctl roles list -o json",
		Args:    cli.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return runRoles(c.Context(), f)
		},
	})
	return c
}

func runRoles(ctx context.Context, f *cli.Factory) error {
	return printList(ctx, f, "rest/roles", "role", func(r string) []string { return []string{r} }, "ROLE")
}
