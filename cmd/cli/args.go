package cli

import (
	"github.com/spf13/cobra"
)

// ExactArgs is cobra.ExactArgs with a usage error (exit 2) naming what is
// expected.
func ExactArgs(n int, names string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) != n {
			return Usagef("%s expects %s (got %d argument(s))\nRun '%s --help' for usage.", c.CommandPath(), names, len(args), c.CommandPath())
		}
		return nil
	}
}

// MinimumArgs requires at least n arguments.
func MinimumArgs(n int, names string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) < n {
			return Usagef("%s expects %s\nRun '%s --help' for usage.", c.CommandPath(), names, c.CommandPath())
		}
		return nil
	}
}

// NoArgs refuses positional arguments with a usage error.
func NoArgs(c *cobra.Command, args []string) error {
	if len(args) > 0 {
		return Usagef("%s takes no arguments (got %q)\nRun '%s --help' for usage.", c.CommandPath(), args[0], c.CommandPath())
	}
	return nil
}
