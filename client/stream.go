package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/url"
)

// ListItem is one item of a list as the server sent it: valid JSON, a JSON
// object, never decoded unless asked.
type ListItem struct {
	Raw json.RawMessage
	// from names the request, for errors.
	from string
}

// Publication decodes the item.
func (it ListItem) Publication() (Publication, error) {
	var p Publication
	if err := json.Unmarshal(it.Raw, &p); err != nil {
		return Publication{}, fmt.Errorf("decoding answer to %s: %w", it.from, err)
	}
	return p, nil
}

// ItemStream is a list read item by item as the answers arrive: one item
// in memory at a time, however many a page (or a server ignoring paging)
// holds.
type ItemStream struct {
	// Total counts every item matching the filters, as the first answer
	// said; -1 before it arrived or when the server did not say.
	Total int
	// Items yields the items in the server's order; an error ends them.
	Items iter.Seq2[ListItem, error]
}

// openPage sends the request of one page of a list, leaving the answer to
// be read.
type openPage func(context.Context, *ListOptions) (*listReader, error)

// streamList reads one page, or every page when all is set (pages of
// opts.Limit items, DefaultPageSize when 0).
func streamList(ctx context.Context, opts *ListOptions, all bool, open openPage) *ItemStream {
	st := &ItemStream{Total: -1}
	st.Items = func(yield func(ListItem, error) bool) {
		var o ListOptions
		if opts != nil {
			if _, err := opts.query(); err != nil {
				yield(ListItem{}, err)
				return
			}
			o = *opts
		}
		if all && o.Limit <= 0 {
			o.Limit = DefaultPageSize
		}
		for first := true; ; first = false {
			r, err := open(ctx, &o)
			if err != nil {
				yield(ListItem{}, err)
				return
			}
			if first {
				st.Total = r.total
			}
			n, more := 0, true
			for more {
				var it ListItem
				it, more, err = r.next()
				if err != nil {
					r.body.Close()
					yield(ListItem{}, err)
					return
				}
				if more {
					n++
					if !yield(it, nil) {
						r.body.Close()
						return
					}
				}
			}
			r.body.Close()
			o.Offset += n
			switch {
			case !all:
				return
			case n == 0, n > o.Limit: // empty, or the server ignores paging
				return
			case r.total >= 0 && o.Offset >= r.total:
				return
			case r.total < 0 && n < o.Limit:
				return
			}
		}
	}
	return st
}

// allPages streams every item, decoded, one item in memory at a time.
func allPages(ctx context.Context, opts *ListOptions, open openPage) iter.Seq2[Publication, error] {
	return func(yield func(Publication, error) bool) {
		for it, err := range streamList(ctx, opts, true, open).Items {
			var p Publication
			if err == nil {
				p, err = it.Publication()
			}
			if !yield(p, err) || err != nil {
				return
			}
		}
	}
}

// listReader reads a list answer (a JSON array of objects) item by item.
type listReader struct {
	from  string
	body  io.ReadCloser
	dec   *json.Decoder
	total int // -1: not said
	// check, when set, vets each item.
	check func(Publication) error
	// ahead holds what readAhead read; done is set once the answer was
	// read to its end.
	ahead []ListItem
	done  bool
}

// openList GETs a list at path with query q and reads up to its opening
// bracket.
func (c *Client) openList(ctx context.Context, path string, q url.Values) (*listReader, error) {
	resp, from, err := c.getList(ctx, path, q)
	if err != nil {
		return nil, err
	}
	r := &listReader{from: from, body: resp.Body, dec: json.NewDecoder(resp.Body), total: listTotal(resp.Header)}
	switch tok, err := r.dec.Token(); {
	case err != nil:
		r.body.Close()
		return nil, r.fail(err)
	case tok != json.Delim('['):
		r.body.Close()
		return nil, r.malformed("want a JSON array of items, got %s", describeToken(tok))
	}
	return r, nil
}

// next returns the next item; more is false after the last one, once the
// answer was read to its end.
func (r *listReader) next() (it ListItem, more bool, err error) {
	if len(r.ahead) > 0 {
		it, r.ahead = r.ahead[0], r.ahead[1:]
		return it, true, nil
	}
	if r.done {
		return it, false, nil
	}
	it, more, err = r.read()
	r.done = !more
	return it, more, err
}

// readAhead reads and checks the whole answer before next hands over its
// first item.
func (r *listReader) readAhead() error {
	for !r.done {
		it, more, err := r.read()
		if err != nil {
			r.body.Close()
			return err
		}
		if r.done = !more; more {
			r.ahead = append(r.ahead, it)
		}
	}
	return nil
}

func (r *listReader) read() (it ListItem, more bool, err error) {
	if !r.dec.More() {
		if _, err := r.dec.Token(); err != nil { // the closing bracket
			return it, false, r.fail(err)
		}
		switch tok, err := r.dec.Token(); {
		case err == nil:
			return it, false, r.malformed("%s after the list", describeToken(tok))
		case err != io.EOF:
			return it, false, r.fail(err)
		}
		return it, false, nil
	}
	if err := r.dec.Decode(&it.Raw); err != nil {
		return it, false, r.fail(err)
	}
	if it.Raw[0] != '{' {
		return it, false, r.malformed("want an object for each item, got %s", describeJSON(it.Raw))
	}
	it.from = r.from
	if r.check != nil {
		p, err := it.Publication()
		if err == nil {
			err = r.check(p)
		}
		if err != nil {
			return it, false, err
		}
	}
	return it, true, nil
}

// fail names the request in a reading error, or one of encoding/json's.
func (r *listReader) fail(err error) error {
	var syntax *json.SyntaxError
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return r.malformed("the answer ends in the middle of the list")
	case errors.As(err, &syntax):
		return fmt.Errorf("decoding answer to %s: %w", r.from, err)
	}
	return fmt.Errorf("reading answer to %s: %w", r.from, err)
}

func (r *listReader) malformed(format string, args ...any) error {
	return fmt.Errorf("decoding answer to %s: %s", r.from, fmt.Sprintf(format, args...))
}

func describeToken(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		return describeJSON([]byte{byte(t)})
	case string:
		return "a string"
	case nil:
		return "null"
	case bool:
		return "a boolean"
	}
	return "a number"
}

// describeJSON names the kind of a JSON value for an error message.
func describeJSON(v []byte) string {
	switch v[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	}
	return "a number"
}
