package cmd

import (
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/laymanctl/laymanctl/cmd/cli"
)

// helpWidth is where help text wraps: flag descriptions are wrapped by
// pflag, and the texts we write are kept within it (a test checks).
const helpWidth = 80

// usage is cobra's usage text, except that a group command shows no
// "laymanctl layers [flags]" line (it only lists its commands), flags wrap at
// helpWidth, and help topics are listed by name. It is written out rather
// than set as a template: cobra parses and runs a template on every use,
// more than half of what --help costs.
func usage(c *cobra.Command) error {
	local := c.LocalFlags() // merges the inherited flags, which UseLine counts
	var b strings.Builder
	b.WriteString("Usage:")
	if c.Runnable() && !c.HasAvailableSubCommands() {
		b.WriteString("\n  " + c.UseLine())
	}
	if c.HasAvailableSubCommands() {
		b.WriteString("\n  " + c.CommandPath() + " [command]")
	}
	if len(c.Aliases) > 0 {
		b.WriteString("\n\nAliases:\n  " + c.NameAndAliases())
	}
	if c.HasExample() {
		b.WriteString("\n\nExamples:\n" + c.Example)
	}
	// list names the commands in c's help that pass keep, under title.
	list := func(title string, keep func(*cobra.Command) bool) {
		b.WriteString("\n\n" + title)
		for _, s := range c.Commands() {
			if keep(s) {
				fmt.Fprintf(&b, "\n  %-*s %s", s.NamePadding(), s.Name(), s.Short)
			}
		}
	}
	listed := func(s *cobra.Command) bool { return s.IsAvailableCommand() || s.Name() == "help" }
	if c.HasAvailableSubCommands() {
		if len(c.Groups()) == 0 {
			list("Available Commands:", listed)
		}
		for _, g := range c.Groups() {
			list(g.Title, func(s *cobra.Command) bool { return s.GroupID == g.ID && listed(s) })
		}
		if len(c.Groups()) > 0 && !c.AllChildCommandsHaveGroup() {
			list("Additional Commands:", func(s *cobra.Command) bool { return s.GroupID == "" && listed(s) })
		}
	}
	if c.HasAvailableLocalFlags() {
		b.WriteString("\n\nFlags:\n" + strings.TrimRightFunc(local.FlagUsagesWrapped(helpWidth), unicode.IsSpace))
	}
	if c.HasAvailableInheritedFlags() {
		b.WriteString("\n\nGlobal Flags:\n" + strings.TrimRightFunc(c.InheritedFlags().FlagUsagesWrapped(helpWidth), unicode.IsSpace))
	}
	if c.HasHelpSubCommands() {
		list("Help topics:", (*cobra.Command).IsAdditionalHelpTopicCommand)
	}
	if c.HasAvailableSubCommands() {
		b.WriteString("\n\nRun '" + c.CommandPath() + " COMMAND --help' for more about a command.")
	}
	b.WriteString("\n")
	_, err := io.WriteString(c.OutOrStderr(), b.String())
	return err
}

// Command groups of the root help, as gh and kubectl group theirs.
var groups = []*cobra.Group{
	{ID: "core", Title: "Publishing commands:"},
	{ID: "admin", Title: "Users and raw API:"},
	{ID: "setup", Title: "Set-up commands:"},
}

var groupOf = map[string]string{
	"layers": "core", "maps": "core", "publications": "core", "apply": "core", "diff": "core",
	"users": "admin", "roles": "admin", "api": "admin",
	"auth": "setup", "config": "setup", "version": "setup", "completion": "setup", "help": "setup",
}

// applyConventions gives every command what users of gh and kubectl expect:
// groups in the root help, `ls` for every `list`, and "Did you mean" below
// the root too.
func applyConventions(root *cobra.Command) {
	root.AddGroup(groups...)
	root.SetHelpCommandGroupID("setup")
	root.SetCompletionCommandGroupID("setup")
	root.SetUsageFunc(usage)
	for _, c := range root.Commands() {
		if id, ok := groupOf[c.Name()]; ok && !c.IsAdditionalHelpTopicCommand() {
			c.GroupID = id
		}
	}
	adapt(root)
	help := root.HelpFunc()
	root.SetHelpFunc(func(c *cobra.Command, args []string) {
		c.Long = wrap(c.Long, helpWidth) // now, not at start-up: few runs show it
		help(c, args)
	})
}

// adapt gives c and the commands below it the conventions of
// applyConventions that are not the root's own.
func adapt(c *cobra.Command) {
	for _, sub := range c.Commands() {
		adapt(sub)
	}
	if c.Name() == "list" && !c.HasAlias("ls") {
		c.Aliases = append(c.Aliases, "ls")
	}
	if c.HasParent() && c.HasSubCommands() && c.Run == nil && c.RunE == nil {
		refuseUnknownSubcommand(c)
	}
}

// wrap breaks the lines of a help text that are longer than width at
// spaces, keeping their indentation; shorter lines are left as written.
func wrap(text string, width int) string {
	lines := strings.Split(text, "\n")
	var out []string
	for _, line := range lines {
		indent := line[:len(line)-len(strings.TrimLeft(line, " "))]
		for len(line) > width {
			cut := strings.LastIndex(line[:width+1], " ")
			if cut <= len(indent) {
				break // one long word: leave it whole
			}
			out = append(out, line[:cut])
			line = indent + strings.TrimLeft(line[cut:], " ")
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// refuseUnknownSubcommand makes `laymanctl layers lst` a usage error with a
// suggestion: cobra shows a group command's help, with exit code 0, for any
// argument, and suggests only at the root.
func refuseUnknownSubcommand(c *cobra.Command) {
	c.SuggestionsMinimumDistance = 2
	c.Args = func(c *cobra.Command, args []string) error {
		if len(args) == 0 {
			return nil
		}
		msg := fmt.Sprintf("unknown command %q for %q", args[0], c.CommandPath())
		if s := c.SuggestionsFor(args[0]); len(s) > 0 {
			msg += "\n\nDid you mean this?\n\t" + strings.Join(s, "\n\t") + "\n"
		}
		return cli.Usagef("%s\nRun '%s --help' for usage.", msg, c.CommandPath())
	}
	c.RunE = func(c *cobra.Command, _ []string) error { return c.Help() }
}

// helpTopics are `laymanctl help environment` and `laymanctl help exit-codes`.
func helpTopics() []*cobra.Command {
	topic := func(name, short, long string) *cobra.Command {
		c := &cobra.Command{Use: name, Short: short, Long: long}
		c.SetHelpFunc(func(c *cobra.Command, _ []string) {
			fmt.Fprintln(c.OutOrStdout(), strings.TrimSpace(wrap(c.Long, helpWidth)))
		})
		return c
	}
	return []*cobra.Command{
		topic("environment", "Environment variables laymanctl reads", environmentHelp),
		topic("exit-codes", "What laymanctl's exit codes mean", exitCodesHelp),
	}
}

const environmentHelp = `Environment variables (a flag, where there is one, wins over its variable;
the variable wins over the configuration file):

LAYMAN_SERVER        Layman server URL, as --server.
LAYMAN_PROFILE       configuration profile, as --profile.
LAYMAN_CONFIG        path of the configuration file; 'laymanctl config path'
                     prints the one in use.
LAYMAN_TOKEN_STORE   where stored tokens live: keyring (default) or file.
LAYMAN_DEBUG         any value but 0 or false logs HTTP traffic, as --debug.
LAYMAN_API           2 or 3 pins the server's API generation (Layman 2.x or
                     3.x) instead of asking /rest/about/version; as the
                     profile's api key.
LAYMAN_ANONYMOUS     any value but 0 or false sends no credential, as
                     --anonymous; 0 overrides the profile's anonymous key.
LAYMAN_WAIT_TIMEOUT  without a terminal, how long --wait and apply follow
                     the processing when --timeout is not given (default
                     30m; 0 waits for ever).

Credentials for CI and scripts, used before the profile's stored tokens:
LAYMAN_ACCESS_TOKEN  a bearer token, used as is and never refreshed or stored.
LAYMAN_USERNAME, LAYMAN_PASSWORD
                     a user for the password grant, with:
LAYMAN_CLIENT_ID, LAYMAN_CLIENT_SECRET
                     the OAuth2 application allowed that grant, and
LAYMAN_AUTH_URL      the authorization server (https://layman.example.com/o/).

LAYMAN_BROWSER, BROWSER
                     the command that 'auth login' runs to open the
                     authorization URL, split into words like a shell does
                     ("firefox --new-window"); BROWSER may list commands
                     separated by ':' and the first is used.
DISPLAY, WAYLAND_DISPLAY, SSH_CONNECTION, SSH_TTY
                     'auth login' opens no browser in an SSH session or,
                     on Linux, without a display: it prints the URL.
DBUS_SESSION_BUS_ADDRESS
                     the D-Bus session bus of the Secret Service keychain
                     (Linux).
NO_COLOR             any value turns colours off, as --no-color.
GITHUB_ACTIONS, TF_BUILD, GITLAB_CI
                     when one is true, stderr is a CI log: markers of the
                     runner's commands in server text (::, ##[, ##vso[)
                     get a backslash (:\:, ##\[, ##vso\[) and control
                     characters are escaped; stdout is left as it is.
XDG_CONFIG_HOME, XDG_STATE_HOME, XDG_CACHE_HOME
                     the configuration, state and cache directories
                     (default ~/.config, ~/.local/state and ~/.cache on
                     Linux); a relative path is ignored.
HTTPS_PROXY, HTTP_PROXY, NO_PROXY
                     the proxy for the requests.
`

const exitCodesHelp = `Exit codes:

  0    success
  1    error: the server refused, the network failed, ...
  2    usage error: bad flag, argument or input file; nothing was sent
  4    authentication required or failed; run 'laymanctl auth login'
  5    the publication finished INCOMPLETE
  130  interrupted (Ctrl-C)
`
