package jsonsplit

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
)

// Values are read one after another as sent, whatever kind, and whether or
// not they lie in the reader's buffer (16 bytes here, the smallest bufio
// allows, so the long ones span several reads).
func TestValuesAsSent(t *testing.T) {
	values := []string{`{"a":[1,{"b":"}]\""}],"c":null}`, `"say \"hi\" \\"`, `-1.5e3`, `true`, `[]`, `{}`,
		`{"long":"` + strings.Repeat("x", 100) + `"}`}
	in := bufio.NewReaderSize(strings.NewReader(strings.Join(values, " ,\n")), 16)
	for i, want := range values {
		c, err := NonSpace(in)
		if err == nil && i > 0 {
			if c != ',' {
				t.Fatalf("value %d: read %q, want a comma", i, c)
			}
			c, err = NonSpace(in)
		}
		if err != nil {
			t.Fatal(err)
		}
		got, err := Value(in, c)
		if err != nil || string(got) != want {
			t.Errorf("value %d: %s, %v; want %s", i, got, err, want)
		}
	}
	if _, err := NonSpace(in); err != io.EOF {
		t.Errorf("after the values: %v, want EOF", err)
	}
}

func TestInvalidAndTruncatedValues(t *testing.T) {
	for in, want := range map[string]string{
		`{"a":tru}`:          "invalid character '}' in literal true",
		`{"a" 1}`:            "invalid character '1' after object key",
		`[1,]`:               "invalid character ']'",
		`{"a":"b`:            "unexpected EOF",
		`"abc`:               "unexpected EOF",
		`{"a":[1,2,3,4,5,6,`: "unexpected EOF",
		`01`:                 "invalid character '1' after top-level value",
	} {
		for _, check := range []bool{false, true} {
			r := bufio.NewReaderSize(strings.NewReader(in), 16)
			c, _ := NonSpace(r)
			var err error
			if check {
				err = Check(r, c)
			} else {
				_, err = Value(r, c)
			}
			var se *json.SyntaxError
			if err == nil || !strings.Contains(err.Error(), want) ||
				want == "unexpected EOF" != errors.Is(err, io.ErrUnexpectedEOF) || want != "unexpected EOF" && !errors.As(err, &se) {
				t.Errorf("%s (check %v): %v, want %q", in, check, err, want)
			}
		}
	}
}

// Members reads a run of objects up to the last comma between two of them
// in the buffer, and nothing when that run is not valid JSON, also when the
// comma it cut at lies inside a member.
func TestMembers(t *testing.T) {
	for _, c := range []struct {
		name, in string
		n        int // bytes read; 0: none, and the run tried is > 0 but for "no comma"
	}{
		{"objects", `{"a":1},{"b":{"c":2}} , {"d":3}]`, len(`{"a":1},{"b":{"c":2}} `)},
		{"commas inside members", `{"p":{"q":1},"r":[{},{}]},` + "\n" + `{"s":2}]}`, len(`{"p":{"q":1},"r":[{},{}]}`)},
		{"last cut inside a member", `{"g":[{"x":1},{"y":2}]`, 0},
		{"cut inside a string", `{"s":"},{"}`, 0},
		{"invalid member", `{"a":tru},{"b":1}`, 0},
		{"no comma between objects", `{"a":1}]`, 0},
	} {
		r := bufio.NewReaderSize(strings.NewReader(c.in), 64)
		var scratch []byte
		run, read := Members(r, &scratch)
		n := 0
		if read {
			n = run
		}
		rest, _ := io.ReadAll(r)
		if n != c.n || string(rest) != c.in[n:] {
			t.Errorf("%s: read %d bytes, rest %q; want %d", c.name, n, rest, c.n)
		}
		if !read && (run > 0) != (c.name != "no comma between objects") {
			t.Errorf("%s: tried %d bytes", c.name, run)
		}
	}
}
