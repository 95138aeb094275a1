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
		Long: `Profiles live in a YAML file: $LAYMAN_CONFIG, or config.yaml in laymanctl's
configuration directory ('laymanctl config path' prints it).

Keys: ` + strings.Join(config.Keys, ", ") + `.

'config get' and 'config list' show the value a command would use and where
it comes from: a flag (--server, --output, --ca-file, --anonymous), an
environment variable (LAYMAN_SERVER, LAYMAN_TOKEN_STORE, LAYMAN_AUTH_URL,
LAYMAN_CLIENT_ID, LAYMAN_ANONYMOUS, LAYMAN_API), the profile in the file, or
laymanctl's default.

api pins the server's API generation (2: Layman 2.x, 3: Layman 3.x) for a
server whose /rest/about/version fails (Layman answers HTTP 500 when its
version.txt is missing); the default, auto, asks the server.`,
	}
	f.AddLater(c, func() []*cobra.Command {
		return []*cobra.Command{newGetCmd(f), newSetCmd(f), newUnsetCmd(f), newListCmd(f), newProfilesCmd(f),
			newUseCmd(f), newDeleteCmd(f), newPathCmd(f)}
	})
	return c
}

func newGetCmd(f *cli.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "get KEY",
		Short: "Print the effective value of one setting",
		Long: `Print the value a command would use for KEY in the active profile: from a
flag, an environment variable, the file or the default. Where it comes from is
printed on stderr when that is a terminal, and in -o json.`,
		Example: `  laymanctl config get server
  laymanctl config get token_store -o json`,
		Args:              cli.ExactArgs(1, "KEY"),
		ValidArgsFunction: completeKeys,
		RunE: func(c *cobra.Command, args []string) error {
			pr, err := f.Printer()
			if err != nil {
				return err
			}
			// A profile that does not exist is an error here even when a
			// flag or variable decides the value.
			if _, _, err := f.Profile(); err != nil {
				return err
			}
			s, err := f.Setting(args[0])
			if err != nil {
				return err
			}
			if pr.Structured() {
				raw, err := json.Marshal(s)
				if err != nil {
					return err
				}
				return pr.Print(raw, nil)
			}
			fmt.Fprintln(f.IO.Out, s.Value)
			if f.IO.ErrTTY && !f.Flags.Quiet {
				fmt.Fprintf(f.IO.ErrOut, "(%s)\n", s.Origin())
			}
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
		ValidArgsFunction: func(c *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			if len(args) == 0 {
				return completeKeys(c, args, "")
			}
			if len(args) == 1 {
				switch args[0] {
				case "token_store":
					return []string{"keyring", "file"}, cobra.ShellCompDirectiveNoFileComp
				case "output":
					return cli.Formats, cobra.ShellCompDirectiveNoFileComp
				case "anonymous":
					return []string{"true", "false"}, cobra.ShellCompDirectiveNoFileComp
				case "api":
					return []string{"auto", "2", "3"}, cobra.ShellCompDirectiveNoFileComp
				case "ca_file":
					return nil, cobra.ShellCompDirectiveDefault
				}
			}
			return nil, cobra.ShellCompDirectiveNoFileComp
		},
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
		Use:   "list",
		Short: "Print every setting and where its value comes from",
		Example: `  laymanctl config list
  laymanctl config list -o json`,
		Args: cli.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			pr, err := f.Printer()
			if err != nil {
				return err
			}
			all, err := f.Settings()
			if err != nil {
				return err
			}
			t := cli.Table{Header: []string{"KEY", "VALUE", "SOURCE"}}
			for _, s := range all {
				t.Rows = append(t.Rows, []string{s.Key, s.Value, s.Origin()})
			}
			raw, err := json.Marshal(all)
			if err != nil {
				return err
			}
			return pr.Print(raw, func() cli.Table { return t })
		},
	}
}

func newUnsetCmd(f *cli.Factory) *cobra.Command {
	return &cobra.Command{
		Use:               "unset KEY",
		Short:             "Remove one setting from the active profile",
		Example:           "  laymanctl config unset ca_file",
		Args:              cli.ExactArgs(1, "KEY"),
		ValidArgsFunction: completeKeys,
		RunE: func(c *cobra.Command, args []string) error {
			name, err := f.ProfileName()
			if err != nil {
				return err
			}
			cfg, err := f.Config()
			if err != nil {
				return err
			}
			p := cfg.Profile(name)
			if p == nil {
				if _, err := (&config.Profile{}).Get(args[0]); err != nil {
					return &cli.UsageError{Err: err}
				}
				return nil // nothing to remove
			}
			if err := p.Set(args[0], ""); err != nil {
				return &cli.UsageError{Err: err}
			}
			return cfg.Save()
		},
	}
}

func newDeleteCmd(f *cli.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "delete PROFILE",
		Short: "Delete a profile from the configuration file",
		Long: `Delete PROFILE from the configuration file. Its stored tokens are not touched:
run 'laymanctl auth logout --profile PROFILE' first to revoke and delete them.`,
		Example:           "  laymanctl config delete staging",
		Args:              cli.ExactArgs(1, "PROFILE"),
		ValidArgsFunction: onlyFirst(cli.CompleteProfiles(f)),
		RunE: func(c *cobra.Command, args []string) error {
			return changeProfile(f, args[0], "Deleted profile", func(cfg *config.Config) {
				delete(cfg.Profiles, args[0])
				if cfg.CurrentProfile == args[0] {
					cfg.CurrentProfile = ""
				}
			})
		},
	}
}

func newPathCmd(f *cli.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "path",
		Short: "Print the path of the configuration file",
		Long: `Print the path of the configuration file in use, whether or not it exists yet:
$LAYMAN_CONFIG, else config.yaml in the configuration directory
(~/.config/laymanctl on Linux, ~/Library/Application Support/laymanctl on macOS,
%AppData%\laymanctl on Windows; XDG_CONFIG_HOME is honoured everywhere).`,
		Example: "  laymanctl config path",
		Args:    cli.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			p, err := config.Path(f.Env)
			if err != nil {
				return err
			}
			fmt.Fprintln(f.IO.Out, p)
			return nil
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
		Use:               "use PROFILE",
		Short:             "Make PROFILE the active profile",
		Example:           "  laymanctl config use prod",
		Args:              cli.ExactArgs(1, "PROFILE"),
		ValidArgsFunction: onlyFirst(cli.CompleteProfiles(f)),
		RunE: func(c *cobra.Command, args []string) error {
			return changeProfile(f, args[0], "Using profile", func(cfg *config.Config) {
				cfg.CurrentProfile = args[0]
			})
		},
	}
}

// changeProfile applies change to the configuration file and reports
// "done NAME" unless --quiet; a profile the file does not have is refused
// before anything changes.
func changeProfile(f *cli.Factory, name, done string, change func(*config.Config)) error {
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	if cfg.Profile(name) == nil {
		return unknownProfile(cfg, name)
	}
	change(cfg)
	if err := cfg.Save(); err != nil {
		return err
	}
	if !f.Flags.Quiet {
		fmt.Fprintf(f.IO.ErrOut, "%s %s\n", done, name)
	}
	return nil
}

// unknownProfile refuses a profile the file does not have, naming those it has.
func unknownProfile(cfg *config.Config, name string) error {
	names := cfg.ProfileNames()
	if len(names) == 0 {
		create := name
		if config.ValidateProfileName(create) != nil {
			create = "NAME"
		}
		return cli.Usagef("unknown profile %q; no profiles yet; create one with `laymanctl auth login --profile %s --server URL`", name, create)
	}
	return cli.Usagef("unknown profile %q; known profiles: %s", name, strings.Join(names, ", "))
}

// completeKeys offers the profile keys.
func completeKeys(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return config.Keys, cobra.ShellCompDirectiveNoFileComp
}

// onlyFirst completes the first argument only.
func onlyFirst(fn cobra.CompletionFunc) cobra.CompletionFunc {
	return func(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return fn(c, args, toComplete)
	}
}
