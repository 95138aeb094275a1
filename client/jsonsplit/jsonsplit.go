// Package jsonsplit reads JSON values off a stream one at a time, keeping
// each as it was sent: lists of thousands of publications and GeoJSON files
// of gigabytes are checked without holding them whole, and with one
// validity scan per byte (encoding/json's Decoder scans every value twice).
package jsonsplit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"

	"github.com/tidwall/gjson"
)

// NonSpace reads up to the next byte that is not JSON white space.
func NonSpace(r *bufio.Reader) (byte, error) {
	for {
		c, err := r.ReadByte()
		if err != nil || !isSpace(c) {
			return c, err
		}
	}
}

// isSpace reports whether c is JSON white space (RFC 8259, section 2).
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// Value reads the value whose first byte NonSpace has just read, checks
// that it is valid JSON and returns it as it was sent.
func Value(r *bufio.Reader, first byte) ([]byte, error) { return value(r, first, true) }

// Check reads and checks the value whose first byte NonSpace has just
// read, copying it only when it spans the reader's buffer.
func Check(r *bufio.Reader, first byte) error {
	_, err := value(r, first, false)
	return err
}

// value finds the value's end by following strings and brackets only: an
// object or array ends at its closing bracket, a string at its closing
// quote, a number or literal before the next delimiter. A stream that ends
// inside the value gives io.ErrUnexpectedEOF; an invalid value,
// encoding/json's *json.SyntaxError.
func value(r *bufio.Reader, first byte, keep bool) ([]byte, error) {
	var raw []byte
	var err error
	switch first {
	case '{', '[', '"':
		if err = r.UnreadByte(); err == nil {
			raw, err = delimited(r, keep)
		}
	default:
		if raw, err = appendScalar(r, []byte{first}); err == nil {
			err = valid(raw)
		}
	}
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return raw, err
}

// Members reads, with one validity scan, the members of an array that lie
// whole in r's buffer, from the next byte (a member's first) up to the
// last comma between objects there: objects, as a GeoJSON file's features
// are, read at gjson's speed over a whole buffer instead of one object's
// length at a time. run is the length of that run, up to and not including
// the comma; 0 when the buffer holds no such comma.
//
// It reads the run only when the run is valid JSON. That is so only when
// its comma lies between two members, as brackets and quotes must balance
// before it; so when it is not (a comma between objects inside a member),
// reading the members one at a time over the run finds either the error or
// their real end.
func Members(r *bufio.Reader, scratch *[]byte) (run int, read bool) {
	b, _ := r.Peek(r.Size()) // a read error shows again to the caller
	run = lastBetweenObjects(b)
	if run < 0 {
		return 0, false
	}
	*scratch = append(append(append((*scratch)[:0], '['), b[:run]...), ']')
	if !gjson.ValidBytes(*scratch) {
		return run, false
	}
	r.Discard(run)
	return run, true
}

// lastBetweenObjects finds the last comma in b with "}" before it and "{"
// after it, white space aside, or -1.
func lastBetweenObjects(b []byte) int {
	for end := len(b); ; {
		open := bytes.LastIndexByte(b[:end], '{')
		if open < 0 {
			return -1
		}
		end = open
		comma := skipSpaceBack(b, open-1)
		if comma < 0 || b[comma] != ',' {
			continue
		}
		if i := skipSpaceBack(b, comma-1); i >= 0 && b[i] == '}' {
			return comma
		}
	}
}

// skipSpaceBack returns the index of the last byte of b[:i+1] that is not
// JSON white space, or -1.
func skipSpaceBack(b []byte, i int) int {
	for i >= 0 && isSpace(b[i]) {
		i--
	}
	return i
}

// StartsValue reports whether c can begin a JSON value: what a reader
// finds where it wanted another kind is then worth naming.
func StartsValue(c byte) bool {
	return strings.IndexByte(`{["tfn-0123456789`, c) >= 0
}

// valid checks v with gjson, about three times as fast as encoding/json;
// the error of an invalid value is encoding/json's, which says where.
func valid(v []byte) error {
	if !gjson.ValidBytes(v) {
		return SyntaxError(v)
	}
	return nil
}

// SyntaxError is encoding/json's error for invalid JSON.
func SyntaxError(invalid []byte) error {
	var v any
	err := json.Unmarshal(invalid, &v)
	if err == nil {
		err = errors.New("invalid JSON")
	}
	return err
}

// special are the bytes that change delimited's state.
var special = [256]bool{'"': true, '\\': true, '{': true, '[': true, '}': true, ']': true}

// delimited reads an object, array or string from its opening bracket or
// quote, not yet read. One that lies in the reader's buffer is checked there
// and copied only when kept.
func delimited(r *bufio.Reader, keep bool) ([]byte, error) {
	var raw []byte
	depth, inString, escaped, done := 0, false, false, false
	for {
		if _, err := r.Peek(1); err != nil {
			return nil, err
		}
		b, _ := r.Peek(r.Buffered())
		i := 0
		for ; i < len(b) && !done; i++ {
			c := b[i]
			if !special[c] && !escaped {
				continue // most bytes: a table look-up, no branch per kind
			}
			if inString {
				switch {
				case escaped:
					escaped = false
				case c == '\\':
					escaped = true
				case c == '"':
					inString = false
				}
			} else {
				switch c {
				case '"':
					inString = true
				case '{', '[':
					depth++
				case '}', ']':
					depth--
				}
			}
			done = depth == 0 && !inString
		}
		if done && raw == nil { // all in the buffer
			v := b[:i]
			if err := valid(v); err != nil {
				return nil, err
			}
			if keep {
				raw = append([]byte(nil), v...)
			}
			r.Discard(i)
			return raw, nil
		}
		raw = append(raw, b[:i]...)
		r.Discard(i)
		if done {
			return raw, valid(raw)
		}
	}
}

func appendScalar(r *bufio.Reader, raw []byte) ([]byte, error) {
	for {
		c, err := r.ReadByte()
		if err == io.EOF {
			return raw, nil // a number may end the stream
		}
		if err != nil {
			return nil, err
		}
		switch c {
		case ',', '}', ']', ':', ' ', '\t', '\n', '\r', '{', '[', '"':
			return raw, r.UnreadByte()
		}
		raw = append(raw, c)
	}
}
