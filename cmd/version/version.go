// Package version implements `laymanctl version`.
package version

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/spf13/cobra"

	"github.com/laymanctl/laymanctl/cmd/cli"
)

// Options are the parsed flags of `version`.
type Options struct {
	ClientOnly bool
}

// Info is what `version -o json` prints.
type Info struct {
	Client struct {
		Version string `json:"version"`
		Commit  string `json:"commit"`
		Date    string `json:"date"`
	} `json:"client"`
	Server *ServerInfo `json:"server,omitempty"`
}

// ServerInfo describes the Layman server of the active profile.
type ServerInfo struct {
	URL        string `json:"url"`
	Version    string `json:"version"`
	Generation string `json:"api_generation"`
}

// NewCmd builds `version`; runF replaces the run function in tests.
func NewCmd(f *cli.Factory) *cobra.Command {
	return newCmd(f, run)
}

func newCmd(f *cli.Factory, runF func(context.Context, *cli.Factory, *Options) error) *cobra.Command {
	opts := &Options{}
	c := &cobra.Command{
		Use:   "version",
		Short: "Show the client and server versions and the API generation",
		Example: `  laymanctl version
  laymanctl version --client -o json`,
		Args: cli.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return runF(c.Context(), f, opts)
		},
	}
	c.Flags().BoolVar(&opts.ClientOnly, "client", false, "show the client version only (no network)")
	return c
}

func run(ctx context.Context, f *cli.Factory, opts *Options) error {
	// --client reads no configuration, not even the profile's output default.
	p, err := cli.NewPrinter(f.IO, f.Flags.Output, f.Flags.JQ)
	if !opts.ClientOnly {
		p, err = f.Printer()
	}
	if err != nil {
		return err
	}
	var info Info
	info.Client.Version, info.Client.Commit, info.Client.Date = f.Build.Version, f.Build.Commit, f.Build.Date
	var serverErr error
	if !opts.ClientOnly {
		info.Server, serverErr = serverInfo(ctx, f)
	}
	raw, err := json.Marshal(info)
	if err != nil {
		return err
	}
	if err := p.Print(raw, func() cli.Table {
		t := cli.Table{Header: []string{"COMPONENT", "VERSION", "DETAILS"}}
		t.Rows = append(t.Rows, []string{"laymanctl", info.Client.Version, fmt.Sprintf("commit %s, built %s", info.Client.Commit, info.Client.Date)})
		if s := info.Server; s != nil {
			t.Rows = append(t.Rows, []string{"layman", s.Version, fmt.Sprintf("API %s at %s", s.Generation, s.URL)})
		}
		return t
	}); err != nil {
		return err
	}
	return serverErr
}

// serverInfo asks the server anonymously: the version is public and a
// version check must work before logging in.
func serverInfo(ctx context.Context, f *cli.Factory) (*ServerInfo, error) {
	server, err := f.Server()
	if err != nil {
		return nil, err
	}
	rt, err := f.Transport()
	if err != nil {
		return nil, err
	}
	c, err := f.NewClient(server, &http.Client{Transport: rt})
	if err != nil {
		return nil, err
	}
	v, err := c.About.Version(ctx)
	if err != nil {
		return nil, fmt.Errorf("cannot read the server version: %w", err)
	}
	g, err := c.Generation(ctx)
	if err != nil {
		return nil, err
	}
	return &ServerInfo{URL: server, Version: v.Layman(), Generation: g.String()}, nil
}
