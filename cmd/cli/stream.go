package cli

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"strings"

	"github.com/itchyny/gojq"
)

// PrintList prints a list as its items arrive, holding one at a time:
// json re-indents each item as the server sent it, tables and yaml convert
// one item at a time, and --jq runs per item when the expression allows
// (see itemQuery). Otherwise --jq, like --template, sees the whole array,
// which is then held. raw gives an item's JSON as the server sent it, row its
// table row. When items fail, what came before is printed, but never the
// end of a JSON or YAML list: the output cannot pass for a whole list.
func PrintList[T any](p *Printer, items iter.Seq2[T, error], raw func(T) json.RawMessage, header []string, row func(T) ([]string, error)) error {
	raws := func(yield func(json.RawMessage, error) bool) {
		for it, err := range items {
			var r json.RawMessage
			if err == nil {
				r = raw(it)
			}
			if !yield(r, err) || err != nil {
				return
			}
		}
	}
	// Thousands of items: write in blocks, not a system call per item.
	out := bufio.NewWriterSize(p.IO.Out, 64<<10)
	lp := *p
	lp.IO = &IOStreams{Out: out, OutTTY: p.IO.OutTTY, NoColor: p.IO.NoColor, Width: p.IO.Width}
	var err error
	switch {
	case p.items != nil:
		err = lp.jqEach(raws)
	case p.query != nil:
		err = lp.jqAll(raws)
	case p.template != nil:
		err = lp.templateAll(raws)
	case p.Format == "json":
		err = writeJSONArray(out, raws)
	case p.Format == "yaml":
		err = lp.writeYAMLList(raws)
	default:
		var failed error
		err = lp.writeTable(header, func(yield func([]string) bool) {
			for it, err := range items {
				var r []string
				if err == nil {
					r, err = row(it)
				}
				if err != nil {
					failed = err
					return
				}
				if !yield(r) {
					return
				}
			}
		})
		err = cmp.Or(failed, err)
	}
	if ferr := out.Flush(); err == nil {
		err = ferr
	}
	return err
}

// writeJSONArray writes items (valid JSON, as the client hands them over)
// as one JSON array indented as Print indents a page, so that streaming
// changes no layout.
func writeJSONArray(w io.Writer, items iter.Seq2[json.RawMessage, error]) error {
	sep := "[\n  "
	var item []byte
	for it, err := range items {
		if err != nil {
			return err
		}
		item = appendIndented(append(item[:0], sep...), it)
		if _, err := w.Write(item); err != nil {
			return err
		}
		sep = ",\n  "
	}
	end := "\n]\n"
	if sep[0] == '[' {
		end = "[]\n"
	}
	_, err := io.WriteString(w, end)
	return err
}

func (p *Printer) writeYAMLList(items iter.Seq2[json.RawMessage, error]) error {
	empty := true
	for it, err := range items {
		if err != nil {
			return err
		}
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

// HoldsList reports whether PrintList must hold the whole list: --jq
// with an expression that needs the array at once.
func (p *Printer) HoldsList() bool { return p.query != nil && p.items == nil }

// jqEach runs the per-item query on each item in turn.
func (p *Printer) jqEach(raws iter.Seq2[json.RawMessage, error]) error {
	for v, err := range decodedJQ(raws) {
		if err != nil {
			return err
		}
		if err := p.writeJQ(p.items.Run(v)); err != nil {
			return err
		}
	}
	return nil
}

// jqAll runs the query once on the whole list, held decoded.
func (p *Printer) jqAll(raws iter.Seq2[json.RawMessage, error]) error {
	all := []any{}
	for v, err := range decodedJQ(raws) {
		if err != nil {
			return err
		}
		all = append(all, v)
	}
	return p.writeJQ(p.query.Run(all))
}

// templateAll runs --template once on the whole list, held as JSON.
func (p *Printer) templateAll(raws iter.Seq2[json.RawMessage, error]) error {
	var all bytes.Buffer
	all.WriteByte('[')
	for raw, err := range raws {
		if err != nil {
			return err
		}
		if all.Len() > 1 {
			all.WriteByte(',')
		}
		all.Write(raw)
	}
	all.WriteByte(']')
	return p.runTemplate(all.Bytes())
}

func decodedJQ(raws iter.Seq2[json.RawMessage, error]) iter.Seq2[any, error] {
	return func(yield func(any, error) bool) {
		for raw, err := range raws {
			var v any
			if err == nil {
				v, err = decodeJQ(raw)
			}
			if !yield(v, err) || err != nil {
				return
			}
		}
	}
}

// itemQuery compiles q without its leading .[] when q starts with one:
// `.[]`, `.[].name`, `.[] | select(.x)`, `.[] as $p | ...`. Run on each
// item of a list in turn, it gives what q gives on the whole list, in the
// same order, so the list need not be held. nil when q needs the whole
// array (`length`, `map(.name)`, `.[0]`, `first(.[])`, ...).
func itemQuery(q *gojq.Query) *gojq.Code {
	per := perItem(q)
	if per == nil {
		return nil
	}
	code, err := gojq.Compile(per)
	if err != nil {
		return nil // the whole query reports it when run
	}
	return code
}

// perItem rewrites q's leftmost term, along a chain of pipes, from .[] to
// the identity; nil when that term is not a leading .[].
func perItem(q *gojq.Query) *gojq.Query {
	c := *q
	switch {
	case q.Term != nil:
		c.Term = withoutIter(q.Term)
		if c.Term == nil {
			return nil
		}
	case q.Op == gojq.OpPipe && q.Left != nil:
		c.Left = perItem(q.Left)
		if c.Left == nil {
			return nil
		}
	default:
		return nil
	}
	return &c
}

// withoutIter is t without a leading .[] (or .[]?, the same on an array);
// nil when t does not start with one.
func withoutIter(t *gojq.Term) *gojq.Term {
	if t.Type != gojq.TermTypeIdentity || len(t.SuffixList) == 0 || !t.SuffixList[0].Iter || t.SuffixList[0].Index != nil {
		return nil
	}
	rest := t.SuffixList[1:]
	if len(rest) > 0 && rest[0].Optional && rest[0].Index == nil && !rest[0].Iter {
		rest = rest[1:]
	}
	c := *t
	c.SuffixList = rest
	return &c
}
