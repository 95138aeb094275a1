package cli

import (
	"bytes"
	"encoding/json"
	"testing"
)

var indentSeeds = []string{
	`{"name":"rivers","title":"Rivers","n":12345678901234567890}`,
	`{ "a" : [ 1 , 2.5e-3 , -0 ] , "b" : { } , "c" : [ ] , "d" : [ { } , [ [ ] ] ] }`,
	`{"s":"quote \" backslash \\ slash \/ tab\t unicode \u00e9 é <b>&amp;</b>","t":"\\","u":"\\\""}`,
	`{"ws":" { [ , : ] } ","nested":{"x":{"y":{"z":[true,false,null]}}}}`,
	"{\n\t\"a\":\r\n 1}",
	`[]`, `{}`, `"x"`, `7`, `null`,
}

// The one-pass indenter writes what json.Indent writes, byte for byte.
func TestAppendIndentedEqualsJSONIndent(t *testing.T) {
	for _, s := range indentSeeds {
		checkIndented(t, []byte(s))
	}
}

func FuzzAppendIndented(f *testing.F) {
	for _, s := range indentSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if json.Valid([]byte(s)) {
			checkIndented(t, bytes.TrimSpace([]byte(s)))
		}
	})
}

func checkIndented(t *testing.T, src []byte) {
	t.Helper()
	var want bytes.Buffer
	if err := json.Indent(&want, src, "  ", "  "); err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	if got := appendIndented([]byte("prefix"), src); string(got) != "prefix"+want.String() {
		t.Errorf("%s:\n got %q\nwant %q", src, got[len("prefix"):], want.String())
	}
}
