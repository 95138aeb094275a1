package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"strings"
	"text/tabwriter"
	"text/template"

	"github.com/itchyny/gojq"
)

// Output formats accepted by -o/--output.
var Formats = []string{"table", "json", "yaml"}

// Printer writes command results to stdout in the format asked for.
type Printer struct {
	IO     *IOStreams
	Format string // "table" (default), "json" or "yaml"
	query  *gojq.Query
	// template (--template) and whether it made table rows (shared by
	// copies of the printer).
	template *template.Template
	table    *bool
}

// NewPrinter validates the format and compiles the jq expression, so that bad
// output options fail before any request is sent.
func NewPrinter(io *IOStreams, format, jq string) (*Printer, error) {
	if format == "" {
		format = "table"
	}
	valid := false
	for _, f := range Formats {
		valid = valid || f == format
	}
	if !valid {
		return nil, Usagef("unknown output format %q: use one of %s", format, strings.Join(Formats, ", "))
	}
	p := &Printer{IO: io, Format: format}
	if jq != "" {
		q, err := gojq.Parse(jq)
		if err != nil {
			return nil, Usagef("invalid --jq expression: %v", err)
		}
		p.query = q
	}
	return p, nil
}

// Structured reports whether the result is printed as data (json, yaml or
// jq) rather than as a table.
func (p *Printer) Structured() bool {
	return p.Format != "table" || p.query != nil || p.template != nil
}

// Table is rows for a person (aligned, with a header) or a script
// (tab-separated, no header) depending on whether stdout is a terminal.
type Table struct {
	Header []string
	Rows   [][]string
}

// Print writes raw (the server's JSON) as json/yaml/jq, or the table.
func (p *Printer) Print(raw json.RawMessage, table func() Table) error {
	if !p.Structured() {
		t := table()
		return p.writeTable(t.Header, func(yield func([]string) bool) {
			for _, r := range t.Rows {
				if !yield(r) {
					return
				}
			}
		})
	}
	return p.printData(raw)
}

// PrintList streams items without holding them all, except under --jq,
// whose expression sees the whole array at once. raw gives an item's JSON
// as the server sent it, row its table row.
func PrintList[T any](p *Printer, items iter.Seq2[T, error], raw func(T) json.RawMessage, header []string, row func(T) []string) error {
	var failed error
	valid := func(yield func(T) bool) {
		for it, err := range items {
			if err != nil {
				failed = err
				return
			}
			if !yield(it) {
				return
			}
		}
	}
	raws := func(yield func(json.RawMessage) bool) {
		for it := range valid {
			if !yield(raw(it)) {
				return
			}
		}
	}
	// Thousands of items: write in blocks, not a system call per item.
	out := bufio.NewWriterSize(p.IO.Out, 64<<10)
	lp := *p
	lp.IO = &IOStreams{Out: out, OutTTY: p.IO.OutTTY}
	var err error
	switch {
	case p.query != nil, p.template != nil:
		var buf bytes.Buffer
		err = writeJSONArray(&buf, raws, false)
		if err == nil && failed == nil {
			err = lp.printData(buf.Bytes())
		}
	case p.Format == "json":
		err = writeJSONArray(out, raws, true)
	case p.Format == "yaml":
		err = lp.writeYAMLList(raws)
	default:
		err = lp.writeTable(header, func(yield func([]string) bool) {
			for it := range valid {
				if !yield(row(it)) {
					return
				}
			}
		})
	}
	if ferr := out.Flush(); err == nil {
		err = ferr
	}
	if failed != nil {
		return failed
	}
	return err
}

func (p *Printer) printData(raw json.RawMessage) error {
	if p.query != nil {
		return p.runJQ(raw)
	}
	if p.template != nil {
		return p.runTemplate(raw)
	}
	if p.Format == "yaml" {
		y, err := jsonToYAML(raw)
		if err != nil {
			return err
		}
		_, err = p.IO.Out.Write(y)
		return err
	}
	var buf bytes.Buffer
	// The server's trailing newline would double ours.
	if err := json.Indent(&buf, bytes.TrimSpace(raw), "", "  "); err != nil {
		return fmt.Errorf("server sent invalid JSON: %w", err)
	}
	buf.WriteByte('\n')
	_, err := buf.WriteTo(p.IO.Out)
	return err
}

// runJQ prints strings raw and everything else as JSON, like `gh --jq`.
func (p *Printer) runJQ(raw json.RawMessage) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("server sent invalid JSON: %w", err)
	}
	it := p.query.Run(v)
	for {
		out, ok := it.Next()
		if !ok {
			return nil
		}
		if err, isErr := out.(error); isErr {
			return fmt.Errorf("--jq: %w", err)
		}
		if s, isStr := out.(string); isStr {
			fmt.Fprintln(p.IO.Out, s)
			continue
		}
		b, err := gojq.Marshal(out)
		if err != nil {
			return fmt.Errorf("--jq: %w", err)
		}
		fmt.Fprintf(p.IO.Out, "%s\n", b)
	}
}

// writeJSONArray writes items as one JSON array; indented, it looks as a
// single page printed by Print does.
func writeJSONArray(w io.Writer, items iter.Seq[json.RawMessage], indent bool) error {
	if _, err := io.WriteString(w, "["); err != nil {
		return err
	}
	sep, item := "\n", &bytes.Buffer{}
	if indent {
		sep = "\n  "
	}
	for it := range items {
		if _, err := io.WriteString(w, sep); err != nil {
			return err
		}
		if indent {
			item.Reset()
			if err := json.Indent(item, it, "  ", "  "); err != nil {
				return fmt.Errorf("server sent invalid JSON: %w", err)
			}
			it = item.Bytes()
		}
		if _, err := w.Write(it); err != nil {
			return err
		}
		sep = ",\n"
		if indent {
			sep = ",\n  "
		}
	}
	if sep[0] == '\n' {
		_, err := io.WriteString(w, "]\n")
		return err
	}
	_, err := io.WriteString(w, "\n]\n")
	return err
}

func (p *Printer) writeYAMLList(items iter.Seq[json.RawMessage]) error {
	empty := true
	for it := range items {
		empty = false
		y, err := jsonToYAML(it)
		if err != nil {
			return err
		}
		lines := strings.Split(strings.TrimRight(string(y), "\n"), "\n")
		for i, l := range lines {
			prefix := "  "
			if i == 0 {
				prefix = "- "
			}
			if _, err := fmt.Fprintf(p.IO.Out, "%s%s\n", prefix, l); err != nil {
				return err
			}
		}
	}
	if empty {
		_, err := io.WriteString(p.IO.Out, "[]\n")
		return err
	}
	return nil
}

func (p *Printer) writeTable(header []string, rows iter.Seq[[]string]) error {
	if !p.IO.OutTTY {
		// Scripts get stable tab-separated fields and no header.
		for r := range rows {
			if _, err := fmt.Fprintln(p.IO.Out, strings.Join(r, "\t")); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(p.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}
