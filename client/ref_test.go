package client

import (
	"strings"
	"testing"
)

func TestParseRef(t *testing.T) {
	for in, want := range map[string]Ref{
		uuid1:                           {UUID: uuid1},
		strings.ToUpper(uuid1):          {UUID: uuid1},
		" ws:roads ":                    {Workspace: "ws", Name: "roads"},
		"a:" + strings.Repeat("n", 210): {Workspace: "a", Name: strings.Repeat("n", 210)},
	} {
		got, err := ParseRef(in)
		if err != nil || got != want {
			t.Errorf("%q: %+v %v", in, got, err)
		}
	}
	for in, msg := range map[string]string{
		"":                                    "empty",
		"roads":                               "want a UUID",
		"0e8d3b5a-1f2c-4d6e-8a9b-0c1d2e3f4a5": "want a UUID",
		"Bad-Name:roads":                      "must start with a lowercase letter",
		"ws__x:roads":                         "must start with a lowercase letter",
		"1ws:roads":                           "must start with a lowercase letter",
		strings.Repeat("w", 60) + ":n":        "at most 59",
		"ws:":                                 "name is empty",
		"my_ws2:name:with:colons":             "one colon",
		"ws:" + strings.Repeat("é", 211):      "211 characters long; at most 210",
	} {
		_, err := ParseRef(in)
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: error %v, want it to mention %q", in, err, msg)
		}
	}
}

func TestRefString(t *testing.T) {
	if s := (Ref{UUID: uuid1}).String(); s != uuid1 {
		t.Error(s)
	}
	if s := (Ref{UUID: uuid1, Workspace: "ws", Name: "n"}).String(); s != "ws:n" {
		t.Error(s)
	}
}

func FuzzParseRef(f *testing.F) {
	for _, s := range []string{uuid1, "ws:roads", "Bad:x", "ws:", ":x", "a_b:c:d", "", "x", "ws:é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRef(s)
		if err != nil {
			if r != (Ref{}) {
				t.Fatalf("error with a non-empty ref %+v", r)
			}
			return
		}
		if (r.UUID == "") == (r.Workspace == "") {
			t.Fatalf("%q: want exactly one of UUID and workspace: %+v", s, r)
		}
		if r.Workspace != "" && (ValidateWorkspace(r.Workspace) != nil || ValidateName(r.Name) != nil) {
			t.Fatalf("%q: invalid parts accepted: %+v", s, r)
		}
		back, err := ParseRef(r.String())
		if err != nil || back != r {
			t.Fatalf("%q: String %q parses to %+v, %v", s, r.String(), back, err)
		}
	})
}
