package authcmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/laymanctl/laymanctl/auth"
	"github.com/laymanctl/laymanctl/cmd/cli"
)

// RefreshOptions is what `auth refresh` was asked to do.
type RefreshOptions struct {
	Factory *cli.Factory
}

// NewCmdRefresh builds `auth refresh`; runF replaces the run in tests.
func NewCmdRefresh(f *cli.Factory, runF func(*RefreshOptions) error) *cobra.Command {
	opts := &RefreshOptions{Factory: f}
	return &cobra.Command{
		Use:   "refresh",
		Short: "Refresh the stored access token now",
		Long: `Exchange the stored refresh token for new tokens now, save them and print the
new expiry. Tokens from LAYMAN_ACCESS_TOKEN or the password grant are not
stored and cannot be refreshed this way.`,
		Example: `  laymanctl auth refresh
  laymanctl auth refresh --jq .expiry`,
		Args: cli.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return refreshRun(c.Context(), opts)
		},
	}
}

func refreshRun(ctx context.Context, o *RefreshOptions) error {
	f := o.Factory
	p, err := f.Printer()
	if err != nil {
		return err
	}
	src, kind, err := f.Credentials(ctx)
	if err != nil {
		return err
	}
	switch kind {
	case auth.KindEnvironmentToken:
		return fmt.Errorf("the token in %s is used as is and cannot be refreshed; unset it to use the stored login", auth.EnvAccessToken)
	case auth.KindPasswordGrant:
		return fmt.Errorf("password-grant tokens (%s) live in memory for one command; there is nothing stored to refresh", auth.EnvUsername)
	}
	name, err := f.ProfileName()
	if err != nil {
		return err
	}
	store, err := f.TokenStore()
	if err != nil {
		return err
	}
	current, err := auth.LoadTokenSet(store, name)
	if err != nil {
		return err
	}
	if current.RefreshToken == "" {
		return errors.New("the stored login has no refresh token; run `laymanctl auth login` when the access token expires")
	}
	tok, err := src.ForceRefresh(ctx, current.AccessToken)
	if err != nil {
		return err
	}
	// A set the store refused is saved, or its loss told, as the command
	// ends (Factory.KeepSessions).
	if p.Structured() {
		raw, err := json.Marshal(struct {
			Profile string    `json:"profile"`
			Expiry  time.Time `json:"expiry"`
		}{name, tok.Expiry})
		if err != nil {
			return err
		}
		return p.Print(raw, nil)
	}
	if !f.Flags.Quiet {
		fmt.Fprintf(f.IO.ErrOut, "Refreshed the access token of profile %s; it expires %s\n", name, describeExpiry(tok.Expiry, time.Now()))
	}
	return nil
}
