package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

// AddLater gives group the subcommands build returns, once a command line
// reaches group (see Grow). Creating every command and its flags is most of
// what laymanctl does before it runs, and a command line uses one branch.
//
// Until then group runs nothing but an error; it is runnable so that cobra
// still lists it, with its Short, in the root's help, and not as a help topic.
func (f *Factory) AddLater(group *cobra.Command, build func() []*cobra.Command) {
	if f.later == nil {
		f.later = map[*cobra.Command]func() []*cobra.Command{}
	}
	f.later[group] = build
	group.RunE = func(c *cobra.Command, _ []string) error {
		return fmt.Errorf("internal error: %s ran before its commands were added", c.CommandPath())
	}
}

// Grow adds the subcommands AddLater put off for c and reports whether
// there were any.
func (f *Factory) Grow(c *cobra.Command) bool {
	build, ok := f.later[c]
	if !ok {
		return false
	}
	delete(f.later, c)
	c.RunE = nil
	c.AddCommand(build()...)
	return true
}
