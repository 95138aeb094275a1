// Package cmd wires laymanctl's cobra commands and maps their errors to exit
// codes.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/laymanctl/laymanctl/auth"
	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/client/upload"
	"github.com/laymanctl/laymanctl/cmd/api"
	"github.com/laymanctl/laymanctl/cmd/apply"
	"github.com/laymanctl/laymanctl/cmd/authcmd"
	"github.com/laymanctl/laymanctl/cmd/cli"
	"github.com/laymanctl/laymanctl/cmd/configcmd"
	"github.com/laymanctl/laymanctl/cmd/layers"
	"github.com/laymanctl/laymanctl/cmd/maps"
	"github.com/laymanctl/laymanctl/cmd/publications"
	"github.com/laymanctl/laymanctl/cmd/users"
	"github.com/laymanctl/laymanctl/cmd/version"
	"github.com/laymanctl/laymanctl/keyring"
)

// Main runs laymanctl with the process's streams and returns the exit code.
func Main(args []string, build cli.BuildInfo) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, cli.NewFactory(cli.System(), build), args)
}

// Run executes one command line with the given factory; tests call it with
// buffer-backed streams.
func Run(ctx context.Context, f *cli.Factory, args []string) int {
	f.IO.GuardCILog(f.Env) // before any message, which may quote a server
	root := newRoot(f)
	grow(f, root, args)
	root.SetArgs(args)
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	c, err := root.ExecuteContextC(ctx)
	err = f.KeepSessions(ctx, err)
	err = suggestAnonymous(f, c, err)
	if err != nil && ctx.Err() != nil && !errors.Is(err, cli.ErrSilent) {
		// An interrupted request reports its own cause; say what happened.
		err = &cli.ExitError{Code: cli.ExitInterrupted, Err: errors.New("interrupted"), Hint: hintOf(err)}
	}
	return report(f.IO, err)
}

// NewRootCmd builds the whole command tree.
func NewRootCmd(f *cli.Factory) *cobra.Command {
	root := newRoot(f)
	growAll(f, root)
	return root
}

// grow adds the commands that args reach (see cli.Factory.AddLater), or
// all of them where cobra looks across the tree: help, completion, and an
// unknown name, which gets suggestions.
func grow(f *cli.Factory, root *cobra.Command, args []string) {
	for {
		c, _, err := root.Find(args)
		if err != nil || c.Parent() == root && (c.Name() == "help" || c.Name() == "completion") {
			growAll(f, root)
			return
		}
		if !f.Grow(c) {
			return
		}
		adapt(c)
	}
}

func growAll(f *cli.Factory, c *cobra.Command) {
	if f.Grow(c) {
		adapt(c)
	}
	for _, sub := range c.Commands() {
		growAll(f, sub)
	}
}

// newRoot builds the root and the top-level commands; group commands get
// their subcommands from grow.
func newRoot(f *cli.Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "laymanctl",
		Short: "Publish and manage geospatial layers and maps on a Layman server",
		Long: `laymanctl drives Layman's REST API: publish layers and maps, list, inspect
and delete them, manage users, and log in with OAuth2 (Authorization Code + PKCE).`,
		Example: `  laymanctl auth login --server https://layman.example.com
  laymanctl layers publish rivers.geojson --workspace alice
  laymanctl layers ls -w alice

Learn more:
  laymanctl help environment   the environment variables laymanctl reads
  laymanctl help exit-codes    what each exit code means`,
		Version:       f.Build.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(c *cobra.Command, _ []string) error {
			if f.Flags.NoColor || f.Env("NO_COLOR") != "" {
				f.IO.NoColor = true
			}
			if n := c.Name(); n == cobra.ShellCompRequestCmd || n == cobra.ShellCompNoDescRequestCmd {
				// Walking every command's flags costs a fifth of the
				// start-up; only the shell's completion request needs it.
				registerCompletions(c.Root(), f)
			}
			return nil
		},
	}
	pf := root.PersistentFlags()
	pf.StringVar(&f.Flags.Server, "server", "", "Layman server URL (env LAYMAN_SERVER)")
	pf.StringVar(&f.Flags.Profile, "profile", "", "configuration profile (env LAYMAN_PROFILE)")
	pf.StringVarP(&f.Flags.Output, "output", "o", "", "output format: table, wide (no column cut), json or yaml")
	pf.StringVar(&f.Flags.JQ, "jq", "", "filter JSON output with a jq expression")
	pf.StringVarP(&f.Flags.Template, "template", "t", "", "format JSON output with a Go template (helpers: tablerow, truncate, timeago, json)")
	pf.BoolVar(&f.Flags.Debug, "debug", false, "log HTTP traffic to stderr, secrets redacted (env LAYMAN_DEBUG)")
	pf.BoolVarP(&f.Flags.Quiet, "quiet", "q", false, "print no progress or informational messages")
	pf.BoolVar(&f.Flags.NoColor, "no-color", false, "disable colours (env NO_COLOR)")
	pf.StringVar(&f.Flags.CAFile, "ca-file", "", "PEM file with extra CA certificates to trust")
	pf.BoolVar(&f.Flags.Anonymous, "anonymous", false, "send no credential: read public data without logging in (env LAYMAN_ANONYMOUS=1)")
	root.SetVersionTemplate(fmt.Sprintf("laymanctl version %s (commit %s, built %s)\n", f.Build.Version, f.Build.Commit, f.Build.Date))
	pf.BoolVar(&f.Flags.InsecureHTTP, "insecure-http", false, "allow plain HTTP to hosts other than localhost (tokens travel unencrypted)")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &cli.UsageError{Err: fmt.Errorf("%w\nRun '%s --help' for usage.", err, c.CommandPath())}
	})
	root.AddCommand(
		authcmd.NewCmd(f),
		configcmd.NewCmd(f),
		version.NewCmd(f),
		layers.NewCmd(f),
		maps.NewCmd(f),
		publications.NewCmd(f),
		users.NewCmd(f),
		users.NewCmdRoles(f),
		api.NewCmd(f, nil),
		apply.NewCmd(f),
		apply.NewDiffCmd(f),
	)
	root.AddCommand(helpTopics()...)
	// Created now rather than at Execute, so that they are checked too.
	root.InitDefaultCompletionCmd()
	root.InitDefaultHelpCmd()
	applyConventions(root)
	return root
}

func report(io *cli.IOStreams, err error) int {
	if err == nil {
		return cli.ExitOK
	}
	if errors.Is(err, cli.ErrSilent) {
		return cli.ExitFailure
	}
	code, hint := classify(err)
	msg := cli.ErrorText(err)
	if io.ErrTTY {
		// Error texts quote servers; a person's terminal gets no escapes.
		msg, hint = cli.TerminalSafe(msg), cli.TerminalSafe(hint)
	}
	fmt.Fprintf(io.ErrOut, "error: %s\n", msg)
	// Some errors already end with their advice; say it once.
	if hint != "" && !strings.Contains(msg, hint) {
		fmt.Fprintln(io.ErrOut, hint)
	}
	return code
}

// readCommands only read: public data needs no login for them.
var readCommands = map[string]bool{"list": true, "get": true, "wait": true, "thumbnail": true, "style": true, "file": true, "download": true, "preview": true}

// suggestAnonymous adds to a read command's "not logged in" that public
// data can be read without a login.
func suggestAnonymous(f *cli.Factory, c *cobra.Command, err error) error {
	var loginRequired *auth.LoginRequiredError
	if err == nil || c == nil || !readCommands[c.Name()] || c.Parent() == nil || c.Parent().Name() == "auth" || !errors.As(err, &loginRequired) {
		return err
	}
	return &cli.ExitError{Code: cli.ExitAuth, Err: err,
		Hint: "Public data needs no login: add --anonymous (or set LAYMAN_ANONYMOUS=1)."}
}

// classify is the one place that turns an error into an exit code and a hint.
func classify(err error) (int, string) {
	var exitErr *cli.ExitError
	var usageErr *cli.UsageError
	var incomplete *upload.IncompleteError
	var invalid *upload.ValidationError
	var interrupted *upload.InterruptedError
	var dropped *upload.DroppedError
	var tooLarge *upload.BodyTooLargeError
	var loginRequired *auth.LoginRequiredError
	var tokenErr *auth.TokenEndpointError
	var genUnknown *client.GenerationUnknownError
	var httpErr *client.HTTPError
	switch {
	case errors.As(err, &exitErr):
		return exitErr.Code, exitErr.Hint
	case errors.As(err, &usageErr), isCobraUsage(err):
		return cli.ExitUsage, ""
	case errors.As(err, &incomplete):
		return cli.ExitIncomplete, ""
	case errors.As(err, &invalid):
		return cli.ExitUsage, ""
	case errors.As(err, &dropped):
		again := dropped.AgainCommands()
		return cli.ExitFailure, "Publish the data again: replace the layer's data with\n  " + again[0] +
			"\nor delete the layer and publish it anew (repeat its title, access rights and other options):\n  " + again[1]
	case errors.As(err, &tooLarge):
		return cli.ExitFailure, tooLarge.NextSteps
	case errors.As(err, &interrupted):
		hint := "Resume with: " + interrupted.ResumeCommand()
		if client.IsAuthUnverifiable(err) {
			hint = unverifiableHint + "\n" + hint
		} else if errors.As(err, &loginRequired) {
			// Resuming needs working credentials first.
			hint = "Once the credentials work again (see above), resume with: " + interrupted.ResumeCommand()
		}
		if errors.Is(interrupted.Cause, context.Canceled) {
			return cli.ExitInterrupted, hint
		}
		return cli.ExitFailure, hint
	case errors.As(err, &loginRequired):
		// Its message already ends with how to log in (for its profile).
		return cli.ExitAuth, ""
	case errors.As(err, &tokenErr) && tokenErr.ClientRefused():
		// Its message names the setting to check.
		return cli.ExitAuth, ""
	case errors.Is(err, auth.ErrIncompleteCredentials):
		return cli.ExitUsage, ""
	case errors.Is(err, keyring.ErrUnavailable):
		// No credentials can be had; its message names the file store.
		return cli.ExitAuth, ""
	case client.IsAuthUnverifiable(err):
		// A server fault: no refresh was spent, and a new login cannot help.
		return cli.ExitFailure, unverifiableHint
	case client.IsAuthFailure(err):
		// The transport already refreshed once and replayed the request.
		return cli.ExitAuth, "Layman rejected the token even after a refresh; run `laymanctl auth login`."
	case errors.As(err, &httpErr) && client.IsMissingRoute(err):
		// Not Layman's JSON 404: nothing of Layman's API at that URL. Pinning
		// the API generation cannot help; the address may.
		return cli.ExitFailure, missingRouteHint(httpErr)
	case errors.As(err, &genUnknown):
		return cli.ExitFailure, "If the server is Layman, pin its API: `laymanctl config set api 3` for Layman 3.x (/rest/layers/<uuid>) " +
			"or `laymanctl config set api 2` for Layman 2.x (/rest/workspaces/<workspace>/layers), or LAYMAN_API=3 (or 2) for one run."
	case errors.Is(err, context.Canceled):
		return cli.ExitInterrupted, ""
	case errors.Is(err, client.ErrPlainHTTP):
		return cli.ExitUsage, "Use an https:// URL, or pass --insecure-http (saved by `auth login`, or `insecure_http: true` in the profile) to accept that risk."
	case errors.Is(err, client.ErrRedirectRefused):
		return cli.ExitFailure, "Configure the address the server redirects to (--server, --auth-url) if you trust it."
	}
	if strings.Contains(cli.ErrorText(err), "cannot reach ") {
		return cli.ExitFailure, "Check that address (for Layman: --server, LAYMAN_SERVER or the profile's) and the network."
	}
	return cli.ExitFailure, ""
}

// missingRouteHint names the URL that answered a plain 404 or 405.
func missingRouteHint(he *client.HTTPError) string {
	at := ""
	if he.Response != nil && he.Response.Request != nil {
		u := *he.Response.Request.URL
		u.RawQuery, u.User = "", nil
		at = " at " + u.String()
	}
	return "No Layman API answered" + at + ". Check the server address (--server, LAYMAN_SERVER or the profile's): " +
		"it is Layman's own address, e.g. https://layman.example.com, without /rest."
}

// unverifiableHint explains Layman's code 32 with sub_code 8.
const unverifiableHint = "The server cannot verify tokens right now: Layman's own call to its OAuth2 introspection endpoint fails " +
	"(unreachable, or refusing Layman's client credentials). Your login is not the problem; try again later or tell the server's administrator."

func hintOf(err error) string {
	_, hint := classify(err)
	return hint
}

// isCobraUsage recognises cobra's own argument errors, which are not typed.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand", "accepts ", "requires at least", "requires at most", "invalid argument"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}
