// Package configcmd implements `laymanctl config`.
package configcmd

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/laymanctl/laymanctl/cmd/cli"
	"github.com/laymanctl/laymanctl/cmd/config"
)

// NewCmd builds `config` and its subcommands.
func NewCmd(f *cli.Factory) *cobra.Command {
	c := &cobra.Command{
		Use:   "config",
		Short: "Read and change profiles in the configuration file",
		Long: `Profiles live in a YAML file: $LAYMAN_CONFIG, or laymanctl/config.yaml in the
user's configuration directory. Keys: ` + fmt.Sprint(config.Keys),
	}
	c.AddCommand(newGetCmd(f), newSetCmd(f), newListCmd(f), newProfilesCmd(f), newUseCmd(f))
	return c
}

func newGetCmd(f *cli.Factory) *cobra.Command {
	return &cobra.Command{
		Use:     "get KEY",
		Short:   "Print one setting of the active profile",
		Example: "  laymanctl config get server",
		Args:    cli.ExactArgs(1, "KEY"),
		RunE: func(c *cobra.Command, args []string) error {
			_, p, err := f.Profile()
			if err != nil {
				return err
			}
			v, err := p.Get(args[0])
			if err != nil {
				return &cli.UsageError{Err: err}
			}
			fmt.Fprintln(f.IO.Out, v)
			return nil
		},
	}
}

func newSetCmd(f *cli.Factory) *cobra.Command {
	return &cobra.Command{
		Use:     "set KEY VALUE",
		Short:   "Change one setting of the active profile (created if needed)",
		Example: "  laymanctl --profile prod config set server https://layman.example.com",
		Args:    cli.ExactArgs(2, "KEY VALUE"),
		RunE: func(c *cobra.Command, args []string) error {
			name, err := f.ProfileName()
			if err != nil {
				return err
			}
			cfg, err := f.Config()
			if err != nil {
				return err
			}
			if err := cfg.EnsureProfile(name).Set(args[0], args[1]); err != nil {
				return &cli.UsageError{Err: err}
			}
			if cfg.CurrentProfile == "" {
				cfg.CurrentProfile = name
			}
			return cfg.Save()
		},
	}
}

func newListCmd(f *cli.Factory) *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Short:   "Print every setting of the active profile",
		Example: "  laymanctl config list -o json",
		Args:    cli.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			pr, err := f.Printer()
			if err != nil {
				return err
			}
			_, p, err := f.Profile()
			if err != nil {
				return err
			}
			settings := map[string]string{}
			t := cli.Table{Header: []string{"KEY", "VALUE"}}
			for _, k := range config.Keys {
				v, _ := p.Get(k)
				settings[k] = v
				t.Rows = append(t.Rows, []string{k, v})
			}
			raw, err := json.Marshal(settings)
			if err != nil {
				return err
			}
			return pr.Print(raw, func() cli.Table { return t })
		},
	}
}

func newProfilesCmd(f *cli.Factory) *cobra.Command {
	return &cobra.Command{
		Use:     "profiles",
		Short:   "List profiles; the active one is marked",
		Example: "  laymanctl config profiles",
		Args:    cli.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			pr, err := f.Printer()
			if err != nil {
				return err
			}
			cfg, err := f.Config()
			if err != nil {
				return err
			}
			active, err := f.ProfileName()
			if err != nil {
				return err
			}
			type entry struct {
				Name   string `json:"name"`
				Server string `json:"server"`
				Active bool   `json:"active"`
			}
			var list []entry
			t := cli.Table{Header: []string{"", "PROFILE", "SERVER"}}
			for _, n := range cfg.ProfileNames() {
				e := entry{Name: n, Server: cfg.Profiles[n].Server, Active: n == active}
				list = append(list, e)
				mark := ""
				if e.Active {
					mark = "*"
				}
				t.Rows = append(t.Rows, []string{mark, n, e.Server})
			}
			raw, err := json.Marshal(list)
			if err != nil {
				return err
			}
			return pr.Print(raw, func() cli.Table { return t })
		},
	}
}

func newUseCmd(f *cli.Factory) *cobra.Command {
	return &cobra.Command{
		Use:     "use PROFILE",
		Short:   "Make PROFILE the active profile",
		Example: "  laymanctl config use prod",
		Args:    cli.ExactArgs(1, "PROFILE"),
		RunE: func(c *cobra.Command, args []string) error {
			cfg, err := f.Config()
			if err != nil {
				return err
			}
			if cfg.Profile(args[0]) == nil {
				names := cfg.ProfileNames()
				if len(names) == 0 {
					name := args[0]
					if config.ValidateProfileName(name) != nil {
						name = "NAME"
					}
					return cli.Usagef("unknown profile %q; no profiles yet; create one with `laymanctl auth login --profile %s --server URL`", args[0], name)
				}
				return cli.Usagef("unknown profile %q; known profiles: %s", args[0], strings.Join(names, ", "))
			}
			cfg.CurrentProfile = args[0]
			if err := cfg.Save(); err != nil {
				return err
			}
			if !f.Flags.Quiet {
				fmt.Fprintf(f.IO.ErrOut, "Using profile %s\n", args[0])
			}
			return nil
		},
	}
}
