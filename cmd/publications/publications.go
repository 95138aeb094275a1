package publications

import (
	"github.com/spf13/cobra"

	"github.com/laymanctl/laymanctl/cmd/cli"
)

// Shared builds the subcommands of layers and maps that work alike for
// both, with a download command for each asset.
func Shared(f *cli.Factory, kind Kind, assets ...Asset) []*cobra.Command {
	cmds := []*cobra.Command{
		NewCmdList(f, kind, nil),
		NewCmdGet(f, kind, nil),
		NewCmdDelete(f, kind, nil),
		NewCmdWait(f, kind, nil),
		NewCmdMetadataComparison(f, kind),
	}
	for _, a := range assets {
		cmds = append(cmds, NewCmdDownload(f, kind, a, nil))
	}
	return cmds
}

// NewCmd builds `publications`: layers and maps listed together.
func NewCmd(f *cli.Factory) *cobra.Command {
	c := &cobra.Command{
		Use:   "publications",
		Short: "List layers and maps together",
	}
	f.AddLater(c, func() []*cobra.Command { return []*cobra.Command{NewCmdList(f, Publications, nil)} })
	return c
}
