package client

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/url"

	"github.com/laymanctl/laymanctl/client/jsonsplit"
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
// opts.Limit items, DefaultPageSize when 0). With all, once a full page
// has shown that the server pages, the next page is requested while this
// one is read, so the server prepares it while the items are printed; an
// answer with fewer items than a full page moves the offset, and that
// request is dropped.
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
		ctx, cancel := context.WithCancel(ctx)
		var next *pageRequest
		paged := false // a full page came: the server honours limit
		defer func() {
			cancel()
			next.drop()
		}()
		for first := true; ; first = false {
			var r *listReader
			var err error
			if next != nil && next.offset == o.Offset {
				r, err = next.answer()
			} else {
				next.drop()
				r, err = open(ctx, &o)
			}
			next = nil
			if err != nil {
				yield(ListItem{}, err)
				return
			}
			if first {
				st.Total = r.total
			}
			if all && paged && r.total >= 0 && o.Offset+o.Limit < r.total {
				next = requestPage(ctx, open, o, o.Offset+o.Limit)
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
			paged = n == o.Limit
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

// pageRequest is a page requested ahead of its turn.
type pageRequest struct {
	offset int
	done   chan struct{}
	r      *listReader
	err    error
}

func requestPage(ctx context.Context, open openPage, o ListOptions, offset int) *pageRequest {
	o.Offset = offset
	p := &pageRequest{offset: offset, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		p.r, p.err = open(ctx, &o)
	}()
	return p
}

// answer waits for the page's answer.
func (p *pageRequest) answer() (*listReader, error) {
	<-p.done
	return p.r, p.err
}

// drop closes the answer of a page that will not be read; nil does nothing.
func (p *pageRequest) drop() {
	if p == nil {
		return
	}
	if r, _ := p.answer(); r != nil {
		r.body.Close()
	}
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

// listReader reads a list answer (a JSON array of objects) item by item,
// each kept as the server sent it.
type listReader struct {
	from  string
	body  io.ReadCloser
	in    *bufio.Reader
	total int // -1: not said
	items int // read so far: every later one follows a comma
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
	r := &listReader{from: from, body: resp.Body, in: bufio.NewReaderSize(resp.Body, 64<<10), total: listTotal(resp.Header)}
	switch c, err := jsonsplit.NonSpace(r.in); {
	case err != nil:
		r.body.Close()
		return nil, r.fail(err)
	case c != '[':
		r.body.Close()
		return nil, r.unexpected(c, "want a JSON array of items, got %s")
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
	c, err := jsonsplit.NonSpace(r.in)
	if err == nil && r.items > 0 {
		switch c {
		case ',':
			c, err = jsonsplit.NonSpace(r.in)
			if err == nil && c == ']' {
				return it, false, r.syntax([]byte{c}) // a trailing comma
			}
		case ']':
		default:
			return it, false, r.syntax([]byte{'[', '0', c})
		}
	}
	switch {
	case err != nil:
		return it, false, r.fail(err)
	case c == ']':
		return it, false, r.end()
	case c != '{':
		return it, false, r.unexpected(c, "want an object for each item, got %s")
	}
	if it.Raw, err = jsonsplit.Value(r.in, c); err != nil {
		return it, false, r.fail(err)
	}
	r.items++
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

// end checks that nothing but white space follows the closing bracket.
func (r *listReader) end() error {
	switch c, err := jsonsplit.NonSpace(r.in); {
	case err == io.EOF:
		return nil
	case err != nil:
		return r.fail(err)
	default:
		return r.unexpected(c, "%s after the list")
	}
}

// unexpected says what value starts with c where another was wanted, or,
// when c starts none, encoding/json's syntax error.
func (r *listReader) unexpected(c byte, format string) error {
	if !jsonsplit.StartsValue(c) {
		return r.syntax([]byte{c})
	}
	return r.malformed(format, describeJSON([]byte{c}))
}

// syntax is encoding/json's error for invalid JSON.
func (r *listReader) syntax(invalid []byte) error { return r.fail(jsonsplit.SyntaxError(invalid)) }

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
