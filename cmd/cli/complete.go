package cli

import "github.com/spf13/cobra"

// CompleteProfiles offers the configuration file's profiles, for
// --profile, `config use` and `config delete`.
func CompleteProfiles(f *Factory) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		cfg, err := f.Config()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return cfg.ProfileNames(), cobra.ShellCompDirectiveNoFileComp
	}
}
