package authcmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/laymanctl/laymanctl/auth"
	"github.com/laymanctl/laymanctl/cmd/cli"
)

// StatusOptions is what `auth status` was asked to do.
type StatusOptions struct {
	Factory *cli.Factory
	Printer *cli.Printer
}

// NewCmdStatus builds `auth status`; runF replaces the run in tests.
func NewCmdStatus(f *cli.Factory, runF func(*StatusOptions) error) *cobra.Command {
	opts := &StatusOptions{Factory: f}
	return &cobra.Command{
		Use:   "status",
		Short: "Show the server, your username and the token's expiry and store",
		Long: `Show which credentials laymanctl uses and ask Layman (GET /rest/current-user)
whether the session is alive. Exit code 4 when not logged in or when Layman
does not accept the credentials. Tokens are never printed.`,
		Example: "  laymanctl auth status\n  laymanctl auth status -o json",
		Args:    cli.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			var err error
			if opts.Printer, err = f.Printer(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return statusRun(c.Context(), opts)
		},
	}
}

// statusReport is what `auth status -o json` prints.
type statusReport struct {
	Profile       string         `json:"profile"`
	Server        string         `json:"server"`
	Credentials   string         `json:"credentials"`
	TokenStore    string         `json:"token_store,omitempty"`
	Authenticated bool           `json:"authenticated"`
	Username      string         `json:"username,omitempty"`
	Claims        map[string]any `json:"claims,omitempty"`
	Expiry        *time.Time     `json:"access_token_expiry,omitempty"`
	ExpiresIn     *int64         `json:"access_token_expires_in_seconds,omitempty"`
	Error         string         `json:"error,omitempty"`
}

func statusRun(ctx context.Context, o *StatusOptions) error {
	f := o.Factory
	name, err := f.ProfileName()
	if err != nil {
		return err
	}
	server, err := f.Server()
	if err != nil {
		return err
	}
	src, kind, err := f.Credentials(ctx)
	if err != nil {
		return err
	}
	// Before any token is refreshed or sent: a stored set goes only where
	// it was issued.
	c, err := f.AuthenticatedClient(server, src, kind)
	if err != nil {
		return err
	}
	r := statusReport{Profile: name, Server: server, Credentials: kind.String()}
	if kind == auth.KindStored {
		r.TokenStore = f.TokenStoreName()
	}
	// Token first: a stored token that expired is refreshed here (or the
	// dead session reported) before Layman is asked.
	if _, err := src.Token(ctx); err != nil {
		return err
	}
	u, sessionErr := c.CurrentUser.Get(ctx)
	switch {
	case sessionErr != nil:
		r.Error = cli.ErrorText(sessionErr)
	case !u.Authenticated:
		sessionErr = &cli.ExitError{Code: cli.ExitAuth, Err: errors.New("the Layman server does not accept these credentials (authenticated: false)")}
		r.Error = sessionErr.Error()
	default:
		r.Authenticated, r.Username, r.Claims = true, u.Username, u.Claims
	}
	// The token in use now, after any refresh and replay above.
	if tok, err := src.Token(ctx); err == nil && !tok.Expiry.IsZero() {
		left := int64(time.Until(tok.Expiry).Seconds())
		r.Expiry, r.ExpiresIn = &tok.Expiry, &left
	}
	if err := o.print(r); err != nil {
		return err
	}
	if sessionErr != nil {
		// A server that cannot be reached says nothing about the session.
		if strings.Contains(r.Error, "cannot reach ") {
			return sessionErr
		}
		return fmt.Errorf("the session is not alive: %w", sessionErr)
	}
	return nil
}

func (o *StatusOptions) print(r statusReport) error {
	raw, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return o.Printer.Print(raw, func() cli.Table {
		rows := [][]string{
			{"profile", r.Profile},
			{"server", r.Server},
			{"credentials", r.Credentials},
		}
		if r.TokenStore != "" {
			rows = append(rows, []string{"token store", r.TokenStore})
		}
		session := "alive"
		if !r.Authenticated {
			session = "not alive: " + r.Error
		}
		rows = append(rows, []string{"session", session})
		if r.Username != "" {
			rows = append(rows, []string{"username", r.Username})
		}
		if r.Expiry != nil {
			rows = append(rows, []string{"token expires", describeExpiry(*r.Expiry, time.Now())})
		}
		keys := make([]string, 0, len(r.Claims))
		for k := range r.Claims {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if v := r.Claims[k]; v != nil && v != "" {
				rows = append(rows, []string{"claim " + k, fmt.Sprint(v)})
			}
		}
		return cli.Table{Header: []string{"FIELD", "VALUE"}, Rows: rows}
	})
}
