package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"slices"
	"strings"
	"text/template"

	"github.com/itchyny/gojq"
	"github.com/mattn/go-runewidth"
)

// Formats are those -o/--output accepts: "wide" is the table with no
// column cut to the terminal's width.
var Formats = []string{"table", "wide", "json", "yaml"}

// Printer writes command results to stdout in the format asked for.
type Printer struct {
	IO     *IOStreams
	Format string // "table" (default), "json" or "yaml"
	query  *gojq.Query
	// template (--template) and whether it made table rows (shared by
	// copies of the printer).
	template *template.Template
	table    *bool
	// items is query applied to each item of a list, when it allows
	// (see itemQuery); nil when the list must be held whole.
	items *gojq.Code
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
		p.items = itemQuery(q)
	}
	return p, nil
}

// Structured reports whether the result is printed as data (json, yaml or
// jq) rather than as a table.
func (p *Printer) Structured() bool {
	return p.Format != "table" && p.Format != "wide" || p.query != nil || p.template != nil
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

func (p *Printer) runJQ(raw json.RawMessage) error {
	v, err := decodeJQ(raw)
	if err != nil {
		return err
	}
	return p.writeJQ(p.query.Run(v))
}

// decodeJQ decodes JSON for gojq, numbers kept exact.
func decodeJQ(raw json.RawMessage) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("server sent invalid JSON: %w", err)
	}
	return v, nil
}

// writeJQ prints strings raw and everything else as JSON, like `gh --jq`.
func (p *Printer) writeJQ(it gojq.Iter) error {
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

func (p *Printer) writeTable(header []string, rows iter.Seq[[]string]) error {
	if !p.IO.OutTTY {
		// Scripts get stable tab-separated fields and no header, a row a
		// line whatever the server's text holds.
		var line strings.Builder
		for r := range rows {
			line.Reset()
			for i, cell := range r {
				if i > 0 {
					line.WriteByte('\t')
				}
				writeTSVField(&line, cell)
			}
			line.WriteByte('\n')
			if _, err := io.WriteString(p.IO.Out, line.String()); err != nil {
				return err
			}
		}
		return nil
	}
	all := [][]string{header}
	for r := range rows {
		cells := make([]string, len(r))
		for i, c := range r {
			cells[i] = cellSafe(c) // server text: no escapes reach the terminal
		}
		all = append(all, cells)
	}
	widths := columnWidths(all)
	if p.Format != "wide" && p.IO.Width > 0 {
		fitColumns(widths, header, p.IO.Width)
	}
	color := p.IO.ColorOut()
	var line strings.Builder
	for _, r := range all {
		line.Reset()
		for i, cell := range r {
			cell = runewidth.Truncate(cell, widths[i], "…")
			pad := widths[i] - runewidth.StringWidth(cell)
			if color {
				cell = colorStatus(cell)
			}
			line.WriteString(cell)
			if i < len(r)-1 {
				line.WriteString(strings.Repeat(" ", pad+columnGap))
			}
		}
		line.WriteByte('\n')
		if _, err := io.WriteString(p.IO.Out, line.String()); err != nil {
			return err
		}
	}
	return nil
}

// writeTSVField writes s as a field of "linear TSV": a tab, newline,
// carriage return or backslash in it as \t, \n, \r or \\, which a
// script's read -r and split on tabs keep in their field, and which
// unescape without loss.
func writeTSVField(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\\':
			b.WriteString(`\\`)
		default:
			b.WriteByte(c)
		}
	}
}

// columnGap separates the columns of a table for a person.
const columnGap = 2

func columnWidths(rows [][]string) []int {
	var widths []int
	for _, r := range rows {
		for i, cell := range r {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], runewidth.StringWidth(cell))
		}
	}
	return widths
}

// shrinkable are the columns cut (with an ellipsis) to fit the terminal;
// names, UUIDs and states are kept whole, for they are copied and read.
var shrinkable = []string{"TITLE", "DESCRIPTION", "DETAILS", "VALUE"}

// minShrunk is the narrowest a shrinkable column is cut to.
const minShrunk = 12

// fitColumns narrows the shrinkable columns so that a row fits in width
// columns, as far as they allow; -o wide shows them whole.
func fitColumns(widths []int, header []string, width int) {
	total := columnGap * (len(widths) - 1)
	for _, w := range widths {
		total += w
	}
	for i, h := range header {
		if total <= width {
			return
		}
		if i < len(widths) && slices.Contains(shrinkable, h) && widths[i] > minShrunk {
			cut := min(total-width, widths[i]-minShrunk)
			widths[i] -= cut
			total -= cut
		}
	}
}
