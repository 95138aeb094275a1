package cmd_test

import (
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/laymanctl/laymanctl/cmd"
	"github.com/laymanctl/laymanctl/cmd/cli"
	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

// commands walks the whole tree, help topics and cobra's own commands included.
func commands(t *testing.T) []*cobra.Command {
	ios, _, _, _ := cli.Test()
	root := cmd.NewRootCmd(cli.NewFactory(ios, cli.BuildInfo{}))
	var all []*cobra.Command
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		all = append(all, c)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	if len(all) < 30 {
		t.Fatalf("only %d commands found", len(all))
	}
	return all
}

func path(c *cobra.Command) []string { return strings.Fields(c.CommandPath())[1:] }

func TestVersionFlag(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{})
	r := h.Run("--version")
	if r.Code != 0 || r.Stdout != "laymanctl version test (commit none, built unknown)\n" || r.Stderr != "" {
		t.Errorf("--version:\n%s", r)
	}
	h.ExpectNoRequests()
}

func TestRootHelpGroupsCommandsAndListsTopics(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{})
	out := h.Run("--help").Stdout
	section := func(title string) string {
		_, s, _ := strings.Cut(out, title+"\n")
		s, _, _ = strings.Cut(s, "\n\n")
		return s
	}
	for title, cmds := range map[string][]string{
		"Publishing commands:": {"layers", "maps", "publications"},
		"Users and raw API:":   {"api", "roles", "users"},
		"Set-up commands:":     {"auth", "completion", "config", "help", "version"},
	} {
		for _, c := range cmds {
			if !strings.Contains(section(title), "  "+c+" ") {
				t.Errorf("%s lacks %s:\n%s", title, c, out)
			}
		}
	}
	for _, want := range []string{
		"Help topics:\n  environment ", "\n  exit-codes ", "laymanctl help environment",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("root help lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Additional Commands:") {
		t.Errorf("a top-level command has no group:\n%s", out)
	}
}

func TestHelpTopics(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{})
	env := h.Run("help", "environment")
	for _, v := range []string{"LAYMAN_SERVER", "LAYMAN_PROFILE", "LAYMAN_CONFIG", "LAYMAN_TOKEN_STORE", "LAYMAN_DEBUG",
		"LAYMAN_ACCESS_TOKEN", "LAYMAN_USERNAME", "LAYMAN_PASSWORD", "LAYMAN_CLIENT_ID", "LAYMAN_CLIENT_SECRET",
		"LAYMAN_AUTH_URL", "LAYMAN_BROWSER", "NO_COLOR", "XDG_STATE_HOME"} {
		if !strings.Contains(env.Stdout, v) {
			t.Errorf("help environment does not mention %s:\n%s", v, env)
		}
	}
	for _, v := range envReadBySource(t) {
		if !strings.Contains(env.Stdout, v) {
			t.Errorf("laymanctl reads %s, but help environment does not mention it", v)
		}
	}
	codes := h.Run("help", "exit-codes")
	for _, line := range []string{"  0    success", "  2    usage error", "  4    authentication", "  5    the publication finished INCOMPLETE", "  130  interrupted"} {
		if codes.Code != 0 || !strings.Contains(codes.Stdout, line) {
			t.Errorf("help exit-codes lacks %q:\n%s", line, codes)
		}
	}
	if strings.Contains(env.Stdout+codes.Stdout, "Usage:") {
		t.Errorf("a help topic prints a usage section:\n%s%s", env.Stdout, codes.Stdout)
	}
}

func TestEveryListHasLsAlias(t *testing.T) {
	n := 0
	for _, c := range commands(t) {
		if c.Name() == "list" {
			n++
			if !c.HasAlias("ls") {
				t.Errorf("%s has no ls alias", c.CommandPath())
			}
		}
	}
	if n < 5 {
		t.Errorf("only %d list commands", n)
	}
	h := cmdtest.New(t, cmdtest.Options{})
	h.SeedLayer("rivers", "Rivers")
	if r := h.Run("layers", "ls", "-w", cmdtest.Username); r.Code != 0 || !strings.Contains(r.Stdout, "rivers") {
		t.Errorf("layers ls:\n%s", r)
	}
}

// A typo below the root gets the same "Did you mean" as one at the root.
func TestTypoSuggestionsAtEveryLevel(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{})
	groups := 0
	for _, c := range commands(t) {
		if !c.HasAvailableSubCommands() {
			continue
		}
		groups++
		var target string
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() && len(sub.Name()) > 3 {
				target = sub.Name()
				break
			}
		}
		if target == "" {
			continue
		}
		typo := target[:len(target)-2] + target[len(target)-1:] // drop a letter
		r := h.Run(append(path(c), typo)...)
		if r.Code != 2 || !strings.Contains(r.Stderr, "Did you mean this?\n\t") || !strings.Contains(r.Stderr, "\t"+target+"\n") {
			t.Errorf("%s %s:\n%s", c.CommandPath(), typo, r)
		}
	}
	if groups < 6 {
		t.Errorf("only %d group commands", groups)
	}
	h.ExpectNoRequests()
}

// `laymanctl layers --help` shows `laymanctl layers [command]` and no
// `laymanctl layers [flags]` line that cannot be run.
func TestGroupCommandsShowNoBogusUsageLine(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{})
	for _, c := range commands(t) {
		if !c.HasAvailableSubCommands() {
			continue
		}
		out := h.Run(append(path(c), "--help")...).Stdout
		if strings.Contains(out, c.CommandPath()+" [flags]") || !strings.Contains(out, c.CommandPath()+" [command]") {
			t.Errorf("%s --help:\n%s", c.CommandPath(), out)
		}
	}
}

func TestHelpFitsIn80Columns(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{})
	for _, c := range commands(t) {
		args := append(path(c), "--help")
		if c.IsAdditionalHelpTopicCommand() {
			args = append([]string{"help"}, path(c)...)
		}
		r := h.Run(args...)
		for _, line := range strings.Split(r.Stdout, "\n") {
			if utf8.RuneCountInString(line) > 80 {
				t.Errorf("%s: %d columns: %s", strings.Join(args, " "), utf8.RuneCountInString(line), line)
			}
		}
	}
}

// Every command of laymanctl's own shows examples in its help.
func TestEveryCommandHasExamples(t *testing.T) {
	for _, c := range commands(t) {
		if !c.IsAvailableCommand() || c.HasAvailableSubCommands() || c.Name() == "help" ||
			c.HasParent() && c.Parent().Name() == "completion" { // cobra's own
			continue
		}
		if strings.TrimSpace(c.Example) == "" {
			t.Errorf("%s --help shows no examples", c.CommandPath())
		}
	}
}

// Every command that deletes on the server has --yes/-y and, without a
// terminal and without --yes, refuses naming it and deletes nothing.
// (config delete removes a local profile only, like kubectl's
// delete-context, and asks nothing.)
func TestEveryServerDeleteNeedsYes(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{})
	h.SeedLayer("rivers", "Rivers")
	h.SeedMap("lakes", "Lakes")
	args := map[string][]string{
		"layers delete": {cmdtest.Username + ":rivers"},
		"maps delete":   {cmdtest.Username + ":lakes"},
		"users delete":  {cmdtest.Username},
	}
	n := 0
	for _, c := range commands(t) {
		name := strings.Join(path(c), " ")
		if c.Name() != "delete" || name == "config delete" {
			continue
		}
		n++
		if yes := c.Flags().Lookup("yes"); yes == nil || yes.Shorthand != "y" {
			t.Errorf("%s has no --yes/-y", name)
		}
		a, ok := args[name]
		if !ok {
			t.Errorf("%s: add its arguments to this test", name)
			continue
		}
		r := h.Run(append(path(c), a...)...)
		if r.Code != 2 || !strings.Contains(r.Stderr, "refusing to delete") || !strings.Contains(r.Stderr, "Pass --yes") {
			t.Errorf("%s without a terminal:\n%s", name, r)
		}
	}
	if n != len(args) {
		t.Errorf("%d delete commands, want %d", n, len(args))
	}
	for _, req := range h.Writes() {
		t.Errorf("sent %s without confirmation", req)
	}
}

// envRead matches an environment variable read by name in the source:
// os.Getenv("X"), f.Env("X"), env("X"), userDir("X", ...), or a name
// constant = "LAYMAN_X".
var envRead = regexp.MustCompile(`(?:Getenv|LookupEnv|Env|env|userDir)\(\s*"([A-Z][A-Z0-9_]+)"|= "(LAYMAN_[A-Z0-9_]+)"`)

// envReadBySource lists the variables the product's code reads (tests and
// test support left out).
func envReadBySource(t *testing.T) []string {
	seen := map[string]bool{}
	err := filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && p != ".." || strings.HasSuffix(d.Name(), "test") || d.Name() == "testdata" || d.Name() == "reallayman" || d.Name() == "laymansandbox") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range envRead.FindAllStringSubmatch(string(src), -1) {
			seen[m[1]+m[2]] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !seen["LAYMAN_SERVER"] || !seen["XDG_STATE_HOME"] {
		t.Fatalf("the source scan found too little: %v", seen)
	}
	return slices.Sorted(maps.Keys(seen))
}

// Layman refuses to change a publication it is still processing (error
// 49); the commands that change one wait until it is free, within
// --timeout, and that flag's help says so.
func TestTimeoutHelpNamesTheBusyWait(t *testing.T) {
	var changing []string
	for _, c := range commands(t) {
		timeout := c.Flags().Lookup("timeout")
		if timeout == nil || c.Name() != "update" && c.Name() != "apply" {
			continue
		}
		changing = append(changing, c.CommandPath())
		if !strings.Contains(timeout.Usage, "error 49") {
			t.Errorf("%s --timeout: %q does not say that it bounds the wait while Layman is busy (error 49)", c.CommandPath(), timeout.Usage)
		}
	}
	if want := []string{"laymanctl apply", "laymanctl layers update", "laymanctl maps update"}; !slices.Equal(changing, want) {
		t.Errorf("commands checked: %q, want %q", changing, want)
	}
}

// A command line builds only the commands it reaches (cli.Factory.AddLater):
// every command, under each of its names, shows the same help as in the
// whole tree.
func TestEveryCommandIsReached(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{})
	n := 0
	for _, c := range commands(t) {
		if c.Hidden {
			continue
		}
		for _, name := range append([]string{c.Name()}, c.Aliases...) {
			args := path(c)
			if len(args) > 0 {
				args[len(args)-1] = name
			}
			args = append(args, "--help")
			ios, _, out, _ := cli.Test()
			whole := cmd.NewRootCmd(cli.NewFactory(ios, cli.BuildInfo{Version: "test", Commit: "none", Date: "unknown"}))
			whole.SetArgs(args)
			whole.SetOut(ios.Out)
			if err := whole.Execute(); err != nil {
				t.Fatalf("%v in the whole tree: %v", args, err)
			}
			if r := h.Run(args...); r.Code != 0 || r.Stdout != out.String() || out.Len() == 0 {
				t.Errorf("%v:\n%s\nwant stdout:\n%s", args, r, out)
			}
			n++
		}
	}
	if n < 40 {
		t.Errorf("only %d command names tried", n)
	}
	h.ExpectNoRequests()
}
