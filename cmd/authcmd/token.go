package authcmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/laymanctl/laymanctl/cmd/cli"
)

// TokenOptions is what `auth token` was asked to do.
type TokenOptions struct {
	Factory *cli.Factory
}

// NewCmdToken builds `auth token`; runF replaces the run in tests.
func NewCmdToken(f *cli.Factory, runF func(*TokenOptions) error) *cobra.Command {
	opts := &TokenOptions{Factory: f}
	return &cobra.Command{
		Use:   "token",
		Short: "Print a valid access token (refreshed if needed)",
		Long: `Print the access token laymanctl would send, refreshed first when it expires
within 10 seconds. This is the only command that prints a token: keep its
output out of logs.`,
		Example: `  curl -H "Authorization: Bearer $(laymanctl auth token)" \
    https://layman.example.com/rest/current-user`,
		Args: cli.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return tokenRun(c.Context(), opts)
		},
	}
}

func tokenRun(ctx context.Context, o *TokenOptions) error {
	src, _, err := o.Factory.Credentials(ctx)
	if err != nil {
		return err
	}
	tok, err := src.Token(ctx)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(o.Factory.IO.Out, tok.AccessToken)
	return err
}
