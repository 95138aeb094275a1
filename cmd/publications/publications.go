package publications

import (
	"github.com/spf13/cobra"

	"github.com/laymanctl/laymanctl/cmd/cli"
)

// NewCmd builds `publications`: layers and maps listed together.
func NewCmd(f *cli.Factory) *cobra.Command {
	c := &cobra.Command{
		Use:   "publications",
		Short: "List layers and maps together",
	}
	c.AddCommand(NewCmdList(f, Publications, nil))
	return c
}
