package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"strings"
	"testing"
)

var sample = json.RawMessage(`[{"name":"rivers","title":"Rivers","n":12345678901234567890},{"name":"roads","title":"Roads","n":2}]`)

func sampleTable() Table {
	return Table{Header: []string{"NAME", "TITLE"}, Rows: [][]string{{"rivers", "Rivers"}, {"roads", "Roads"}}}
}

func TestNewPrinterRejectsBadOptions(t *testing.T) {
	io, _, _, _ := Test()
	var ue *UsageError
	if _, err := NewPrinter(io, "xml", ""); !errors.As(err, &ue) || !strings.Contains(err.Error(), "table, wide, json, yaml") {
		t.Errorf("bad format: %v", err)
	}
	if _, err := NewPrinter(io, "json", ".[ | "); !errors.As(err, &ue) {
		t.Errorf("bad jq: %v", err)
	}
}

func TestPrintFormats(t *testing.T) {
	cases := []struct {
		format, jq string
		tty        bool
		want       string
	}{
		{"json", "", false, "[\n  {\n    \"name\": \"rivers\",\n    \"title\": \"Rivers\",\n    \"n\": 12345678901234567890\n  },"},
		{"yaml", "", false, "- name: rivers\n  title: Rivers\n"},
		{"", ".[].name", false, "rivers\nroads\n"},
		{"", ".[0].n", false, "12345678901234567890\n"},
		{"", "", false, "rivers\tRivers\nroads\tRoads\n"},
		{"", "", true, "NAME    TITLE\nrivers  Rivers\nroads   Roads\n"},
	}
	for _, c := range cases {
		io, _, out, _ := Test()
		io.OutTTY = c.tty
		p, err := NewPrinter(io, c.format, c.jq)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Print(sample, sampleTable); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(out.String(), c.want) {
			t.Errorf("format %q jq %q tty %v:\n got %q\nwant prefix %q", c.format, c.jq, c.tty, out.String(), c.want)
		}
	}
}

// A script reads a row a line and a field a tab, whatever a server's title
// holds; the escapes undo without loss.
func TestTSVRowPerLine(t *testing.T) {
	io, _, out, _ := Test()
	p, err := NewPrinter(io, "", "")
	if err != nil {
		t.Fatal(err)
	}
	title := "Rivers\n::add-mask::x\tC:\\data\r"
	table := func() Table {
		return Table{Header: []string{"NAME", "TITLE"}, Rows: [][]string{{"rivers", title}, {"roads", "Roads"}}}
	}
	if err := p.Print(sample, table); err != nil {
		t.Fatal(err)
	}
	want := "rivers\tRivers\\n::add-mask::x\\tC:\\\\data\\r\nroads\tRoads\n"
	if out.String() != want {
		t.Fatalf("got %q\nwant %q", out, want)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	fields := strings.Split(lines[0], "\t")
	unescape := strings.NewReplacer(`\\`, `\`, `\t`, "\t", `\n`, "\n", `\r`, "\r")
	if len(lines) != 2 || len(fields) != 2 || unescape.Replace(fields[1]) != title {
		t.Errorf("rows %q, fields %q: the title does not come back whole", lines, fields)
	}
}

func rawJSON(r json.RawMessage) json.RawMessage { return r }

func items(raws ...string) iter.Seq2[json.RawMessage, error] {
	return func(yield func(json.RawMessage, error) bool) {
		for _, r := range raws {
			if !yield(json.RawMessage(r), nil) {
				return
			}
		}
	}
}

func TestPrintListStreams(t *testing.T) {
	row := func(r json.RawMessage) ([]string, error) {
		var v struct{ Name string }
		err := json.Unmarshal(r, &v)
		return []string{v.Name}, err
	}
	for format, want := range map[string]string{
		// As Print indents a page, so that --all changes no layout.
		"json":  "[\n  {\n    \"name\": \"a\"\n  },\n  {\n    \"name\": \"b\"\n  }\n]\n",
		"yaml":  "- name: a\n- name: b\n",
		"table": "a\nb\n",
	} {
		io, _, out, _ := Test()
		p, _ := NewPrinter(io, format, "")
		if err := PrintList(p, items(`{"name":"a"}`, `{"name":"b"}`), rawJSON, []string{"NAME"}, row); err != nil {
			t.Fatal(err)
		}
		if out.String() != want {
			t.Errorf("%s: got %q want %q", format, out.String(), want)
		}
		var v any
		if format == "json" && json.Unmarshal(out.Bytes(), &v) != nil {
			t.Errorf("json list output is not valid JSON")
		}
	}
	io, _, out, _ := Test()
	p, _ := NewPrinter(io, "json", "")
	PrintList(p, items(), rawJSON, nil, row)
	if out.String() != "[]\n" {
		t.Errorf("empty list: %q", out.String())
	}
	io, _, out, _ = Test()
	p, _ = NewPrinter(io, "", "length")
	PrintList(p, items(`{"name":"a"}`, `{"name":"b"}`), rawJSON, nil, row)
	if out.String() != "2\n" {
		t.Errorf("jq over list: %q", out.String())
	}
}

func TestPrintListReportsStreamError(t *testing.T) {
	io, _, _, _ := Test()
	p, _ := NewPrinter(io, "json", "")
	boom := errors.New("page 2 failed")
	seq := func(yield func(json.RawMessage, error) bool) {
		if yield(json.RawMessage(`{}`), nil) {
			yield(nil, boom)
		}
	}
	if err := PrintList(p, seq, rawJSON, nil, nil); !errors.Is(err, boom) {
		t.Errorf("stream error lost: %v", err)
	}
}

func FuzzJQOutput(f *testing.F) {
	f.Add(`{"a":[1,2,{"b":null}]}`, ".a[]")
	f.Add(`[1e400, "x", true]`, ".[]")
	f.Add(`{}`, "keys")
	f.Fuzz(func(t *testing.T, doc, expr string) {
		if !json.Valid([]byte(doc)) {
			return
		}
		io, _, _, _ := Test()
		p, err := NewPrinter(io, "", expr)
		if err != nil {
			return
		}
		// An empty expression gives a table printer, which commands always
		// hand a table.
		_ = p.Print(json.RawMessage(doc), func() Table { return Table{} })
		yp, _ := NewPrinter(io, "yaml", "")
		_ = yp.Print(json.RawMessage(doc), nil)
	})
}

func TestPrintListJSONLooksLikeAPage(t *testing.T) {
	page, _, pageOut, _ := Test()
	p, _ := NewPrinter(page, "json", "")
	if err := p.Print(sample, sampleTable); err != nil {
		t.Fatal(err)
	}
	list, _, listOut, _ := Test()
	lp, _ := NewPrinter(list, "json", "")
	var all []json.RawMessage
	json.Unmarshal(sample, &all)
	seq := func(yield func(json.RawMessage, error) bool) {
		for _, it := range all {
			if !yield(it, nil) {
				return
			}
		}
	}
	if err := PrintList(lp, seq, rawJSON, nil, nil); err != nil {
		t.Fatal(err)
	}
	if listOut.String() != pageOut.String() {
		t.Errorf("--all output:\n%s\none page:\n%s", listOut, pageOut)
	}
}

// --jq starting with .[] runs item by item and prints what it printed on
// the whole array; other expressions still see the array.
func TestJQPerItemEqualsWholeArray(t *testing.T) {
	list := `[{"name":"a","n":1,"t":["x"]},{"name":"b","n":12345678901234567890},{"name":"c","n":2.5,"t":[]}]`
	var raws []json.RawMessage
	json.Unmarshal([]byte(list), &raws)
	for _, c := range []struct {
		expr    string
		perItem bool
	}{
		{".[]", true},
		{".[].name", true},
		{".[]?.n", true},
		{".[] | .t[]?", true},
		{".[] | {name, n}", true},
		{".[] as $p | select($p.n > 1) | $p.name", true},
		{"def up: ascii_upcase; .[] | .name | up", true},
		{".[] | .t | length", true},
		{".[].t[0] // \"none\"", false},
		{".[] | .n | tostring", true},
		{".[] | error(\"boom \" + .name)", true},
		{"length", false},
		{"map(.name)", false},
		{".[0]", false},
		{"first(.[])", false},
		{".[].name, .[].n", false},
		{"(.[]) | .name", false},
		{"..[]?", false},
		{".[] // 1", false},
		{"[.[] | .n] | add", false},
	} {
		whole, _, wantOut, _ := Test()
		wp, err := NewPrinter(whole, "", c.expr)
		if err != nil {
			t.Fatal(err)
		}
		wantErr := wp.Print(json.RawMessage(list), nil)
		ios, _, out, _ := Test()
		p, _ := NewPrinter(ios, "", c.expr)
		if p.HoldsList() == c.perItem {
			t.Errorf("%s: holds the list %v, want %v", c.expr, p.HoldsList(), !c.perItem)
		}
		err = PrintList(p, items(func() []string {
			var s []string
			for _, r := range raws {
				s = append(s, string(r))
			}
			return s
		}()...), rawJSON, nil, nil)
		if out.String() != wantOut.String() || fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Errorf("%s: got %q (%v), want %q (%v)", c.expr, out, err, wantOut, wantErr)
		}
	}
}
