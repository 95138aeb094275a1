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
