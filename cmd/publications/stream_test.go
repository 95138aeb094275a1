package publications_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/client/laymantest"
	"github.com/laymanctl/laymanctl/cmd/cli"
	"github.com/laymanctl/laymanctl/cmd/cmdtest"
	"github.com/laymanctl/laymanctl/cmd/publications"
)

// listOutput is what `<kind> list` printed before lists were streamed:
// the whole answer read, then handed to Printer.Print.
func listOutput(t *testing.T, h *cmdtest.Harness, kind publications.Kind, format, jq string, tty bool) string {
	t.Helper()
	c := h.Client()
	var page *client.PublicationPage
	var err error
	switch kind.Plural {
	case "layers":
		page, err = c.Layers.List(context.Background(), nil)
	case "maps":
		page, err = c.Maps.List(context.Background(), nil)
	default:
		page, err = c.Publications.List(context.Background(), nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	ios, _, out, _ := cli.Test()
	ios.OutTTY = tty
	p, err := cli.NewPrinter(ios, format, jq)
	if err != nil {
		t.Fatal(err)
	}
	err = p.Print(page.Raw, func() cli.Table {
		header, rows := publications.ListTable(kind, page.Items)
		return cli.Table{Header: header, Rows: rows}
	})
	if err != nil {
		t.Fatal(err)
	}
	h.Server.ResetRequests()
	return out.String()
}

var outputs = []struct {
	name string
	args []string
	tty  bool
}{
	{"tsv", nil, false},
	{"table", nil, true},
	{"json", []string{"-o", "json"}, false},
	{"yaml", []string{"-o", "yaml"}, false},
	{"jq items", []string{"--jq", ".[].name"}, false},
	{"jq pipe", []string{"--jq", `.[] | {name, uuid, t: .title}`}, false},
	{"jq select", []string{"--jq", `.[] as $p | select($p.name | startswith("layer_001")) | $p.uuid`}, false},
	{"jq whole", []string{"--jq", "length"}, false},
	{"jq map", []string{"--jq", "map(.name) | join(\",\")"}, false},
	{"jq first", []string{"--jq", ".[0]"}, false},
}

func format(args []string) (f, jq string) {
	for i := 0; i+1 < len(args); i += 2 {
		switch args[i] {
		case "-o":
			f = args[i+1]
		case "--jq":
			jq = args[i+1]
		}
	}
	return f, jq
}

// Streaming changed how lists are read, not what they print: every format,
// one page or every page, equals the whole-answer printing of before.
func TestStreamedListsPrintAsBefore(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		h.SeedLayer("rivers", `Rivers <of> "Bohemia" & Moravia`)
		h.SeedLayer("roads", "Silnice a dálnice\tčeské")
		h.SeedMap("overview", "Overview")
		// Enough items for several pages.
		h.Server.SeedLayers(cmdtest.Username, 80)
		for _, kind := range []publications.Kind{publications.Layers, publications.Maps, publications.Publications} {
			for _, o := range outputs {
				f, jq := format(o.args)
				want := listOutput(t, h, kind, f, jq, o.tty)
				run := cmdtest.RunOptions{OutTTY: o.tty}
				for _, extra := range [][]string{nil, {"--all"}, {"--all", "--limit", "30"}} {
					args := append(append([]string{kind.Plural, "list"}, o.args...), extra...)
					r := h.RunWith(run, args...)
					if r.Code != 0 || r.Stdout != want {
						t.Errorf("%v: exit %d, stderr %q, output differs from before:\n got %.300q\nwant %.300q", args, r.Code, r.Stderr, r.Stdout, want)
					}
				}
			}
		}
	})
}

func TestEmptyListsPrintAsBefore(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		for _, o := range outputs {
			f, jq := format(o.args)
			want := listOutput(t, h, publications.Layers, f, jq, o.tty)
			for _, extra := range [][]string{nil, {"--all"}} {
				args := append(append([]string{"layers", "list"}, o.args...), extra...)
				r := h.RunWith(cmdtest.RunOptions{OutTTY: o.tty}, args...)
				if r.Code != 0 || r.Stdout != want {
					t.Errorf("%v: got %q, want %q (exit %d, stderr %q)", args, r.Stdout, want, r.Code, r.Stderr)
				}
			}
		}
	})
}

// A server that ignores paging (or a list without --limit) sends every item
// in one answer; it is read item by item and printed as before, in one
// request.
func TestOneResponseServerPrintsAsBefore(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		h.SeedLayer("rivers", "Rivers")
		h.Server.SeedLayers(cmdtest.Username, 80)
		page, err := h.Client().Layers.List(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		wants := map[string]string{}
		for _, o := range outputs {
			f, jq := format(o.args)
			wants[o.name] = listOutput(t, h, publications.Layers, f, jq, o.tty)
		}
		h.Server.SetFault(func(*http.Request) laymantest.Fault {
			return laymantest.Fault{Status: http.StatusOK, Body: string(page.Raw)}
		})
		for _, o := range outputs {
			for _, extra := range [][]string{nil, {"--all"}, {"--all", "--limit", "30"}} {
				h.Server.ResetRequests()
				args := append(append([]string{"layers", "list"}, o.args...), extra...)
				r := h.RunWith(cmdtest.RunOptions{OutTTY: o.tty}, args...)
				if r.Code != 0 || r.Stdout != wants[o.name] {
					t.Errorf("%v: exit %d, stderr %q, output differs from before:\n got %.300q\nwant %.300q", args, r.Code, r.Stderr, r.Stdout, wants[o.name])
				}
				if n := len(h.Requests()); n != 1 {
					t.Errorf("%v: %d requests, want 1", args, n)
				}
			}
		}
	})
}

// A malformed answer is a clear error naming the request, exit 1, in every
// format, and never ends as valid JSON on stdout.
func TestMalformedListAnswer(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		for _, c := range []struct{ body, want string }{
			{`[{"name":"a"},{"name":"b"},{"na`, "the answer ends in the middle of the list"},
			{``, "the answer ends in the middle of the list"},
			{`{"name":"a"}`, "want a JSON array of items, got an object"},
			{`[{"name":"a"}] []`, "an array after the list"},
			{`[{"name":"a"},]`, "invalid character ']'"},
			{`[{"name":"a"}, 1]`, "want an object for each item, got a number"},
			{`<html><body>Bad gateway</body></html>`, "invalid character '<'"},
		} {
			h.Server.SetFault(func(*http.Request) laymantest.Fault {
				return laymantest.Fault{Status: http.StatusOK, Body: c.body}
			})
			for _, o := range outputs {
				for _, extra := range [][]string{nil, {"--all"}} {
					args := append(append([]string{"layers", "list"}, o.args...), extra...)
					r := h.RunWith(cmdtest.RunOptions{OutTTY: o.tty}, args...)
					if r.Code != 1 || !strings.Contains(r.Stderr, "decoding answer to GET ") || !strings.Contains(r.Stderr, "/rest/layers") || !strings.Contains(r.Stderr, c.want) {
						t.Errorf("%v on %q: exit %d, stderr %q; want exit 1 and %q", args, c.body, r.Code, r.Stderr, c.want)
					}
					if f, _ := format(o.args); f == "json" && json.Valid([]byte(r.Stdout)) {
						t.Errorf("%v on %q: stdout is valid JSON: %q", args, c.body, r.Stdout)
					}
				}
			}
		}
	})
}

// --all with --jq holds the list only when the expression needs it, and
// then says so once.
func TestListAllJQSaysWhenItHoldsTheList(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{Generation: 3})
	h.Server.SeedLayers(cmdtest.Username, 5)
	for _, c := range []struct {
		args []string
		note bool
	}{
		{[]string{"--all", "--jq", ".[] | .name"}, false},
		{[]string{"--all", "--jq", ".[].uuid"}, false},
		{[]string{"--all", "--jq", "length"}, true},
		{[]string{"--all", "--jq", "map(.name)", "--quiet"}, false},
		{[]string{"--jq", "length"}, false}, // one page: nothing to say
	} {
		r := h.Run(append([]string{"layers", "list", "--limit", "2"}, c.args...)...)
		if r.Code != 0 {
			t.Fatalf("%v:\n%s", c.args, r)
		}
		if got := strings.Count(r.Stderr, "needs the whole list"); got != map[bool]int{true: 1}[c.note] {
			t.Errorf("%v: stderr %q, want the note %v", c.args, r.Stderr, c.note)
		}
	}
}
