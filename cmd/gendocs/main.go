// Command gendocs writes laymanctl's man pages and shell completion scripts
// from the cobra command tree; the release build runs it before packaging.
//
//	go run ./cmd/gendocs -date 1764388641 DIR
package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/laymanctl/laymanctl/cmd"
	"github.com/laymanctl/laymanctl/cmd/cli"
)

func main() {
	date := flag.Int64("date", 0, "Unix time printed in the man pages (the commit's, so that builds are reproducible)")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: gendocs [-date UNIX] DIR")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := generate(flag.Arg(0), time.Unix(*date, 0).UTC()); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

// generate writes DIR/man/*.1.gz and DIR/completions/laymanctl.{bash,zsh,fish,ps1}.
func generate(dir string, date time.Time) error {
	ios, _, _, _ := cli.Test()
	f := cli.NewFactory(ios, cli.BuildInfo{Version: "dev"})
	f.Env = func(string) string { return "" }
	root := cmd.NewRootCmd(f)
	// The generated-on footer carries today's date.
	root.DisableAutoGenTag = true

	man := filepath.Join(dir, "man")
	comp := filepath.Join(dir, "completions")
	for _, d := range []string{man, comp} {
		if err := os.RemoveAll(d); err != nil {
			return err
		}
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	if err := writeMan(root, man, date); err != nil {
		return err
	}
	scripts := map[string]func(*bytes.Buffer) error{
		"laymanctl.bash": func(b *bytes.Buffer) error { return root.GenBashCompletionV2(b, true) },
		"laymanctl.zsh":  func(b *bytes.Buffer) error { return root.GenZshCompletion(b) },
		"laymanctl.fish": func(b *bytes.Buffer) error { return root.GenFishCompletion(b, true) },
		"laymanctl.ps1":  func(b *bytes.Buffer) error { return root.GenPowerShellCompletionWithDesc(b) },
	}
	for name, gen := range scripts {
		var b bytes.Buffer
		if err := gen(&b); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(comp, name), b.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// writeMan writes one gzipped page per command, as Debian and Homebrew
// expect; gzip without a name or time in its header keeps them reproducible.
func writeMan(root *cobra.Command, dir string, date time.Time) error {
	header := &doc.GenManHeader{Title: "LAYMANCTL", Section: "1", Source: "laymanctl", Manual: "laymanctl manual", Date: &date}
	var walk func(c *cobra.Command) error
	walk = func(c *cobra.Command) error {
		if !c.IsAvailableCommand() && c != root || c.IsAdditionalHelpTopicCommand() {
			return nil
		}
		for _, sub := range c.Commands() {
			if err := walk(sub); err != nil {
				return err
			}
		}
		var page bytes.Buffer
		if err := doc.GenMan(c, header, &page); err != nil {
			return err
		}
		var gz bytes.Buffer
		zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		if err != nil {
			return err
		}
		if _, err := zw.Write(page.Bytes()); err != nil {
			return err
		}
		if err := zw.Close(); err != nil {
			return err
		}
		name := strings.ReplaceAll(c.CommandPath(), " ", "-") + ".1.gz"
		return os.WriteFile(filepath.Join(dir, name), gz.Bytes(), 0o644)
	}
	return walk(root)
}
