package api

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/cmd/cli"
)

func parseArgs(t *testing.T, args ...string) (*Options, error) {
	t.Helper()
	ios, _, _, _ := cli.Test()
	var got *Options
	c := NewCmd(cli.NewFactory(ios, cli.BuildInfo{}), func(_ context.Context, _ *cli.Factory, o *Options) error { got = o; return nil })
	c.SetArgs(args)
	c.SetOut(io.Discard)
	c.SetErr(io.Discard)
	c.SilenceUsage, c.SilenceErrors = true, true
	err := c.ExecuteContext(context.Background())
	return got, err
}

func TestOptionsParsed(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a.geojson")
	if err := os.WriteFile(file, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := parseArgs(t, "post", "rest/layers", "-F", "title=A = B", "-F", "file=@"+file, "-H", "X-Trace:  42 ", "-H", "Accept: text/plain")
	if err != nil {
		t.Fatal(err)
	}
	want := &Options{
		Method:  "POST",
		Path:    "rest/layers",
		Fields:  []Field{{Key: "title", Value: "A = B"}, {Key: "file", Value: file, File: true}},
		Headers: http.Header{"X-Trace": {"42"}, "Accept": {"text/plain"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("options\n got %+v\nwant %+v", got, want)
	}
}

// As in gh, METHOD may be left out: GET, with -F in the query string.
func TestMethodDefaultsToGET(t *testing.T) {
	got, err := parseArgs(t, "rest/layers", "-F", "limit=5")
	if err != nil {
		t.Fatal(err)
	}
	if got.Method != "GET" || got.Path != "rest/layers" || len(got.Fields) != 1 {
		t.Errorf("options %+v", got)
	}
	path, body, _, cleanup, err := got.body(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	if path != "rest/layers?limit=5" || body != nil {
		t.Errorf("path %q, body %v", path, body)
	}
}

func TestOptionsRejected(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a.geojson")
	if err := os.WriteFile(file, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, args := range map[string][]string{
		"method with space":  {"GE T", "rest"},
		"field without =":    {"GET", "rest", "-F", "limit"},
		"field without key":  {"GET", "rest", "-F", "=1"},
		"missing file":       {"POST", "rest", "-F", "file=@" + filepath.Join(dir, "none")},
		"directory as file":  {"POST", "rest", "-F", "file=@" + dir},
		"header without :":   {"GET", "rest", "-H", "Accept"},
		"input and @file":    {"POST", "rest", "--input", file, "-F", "file=@" + file},
		"missing input file": {"POST", "rest", "--input", filepath.Join(dir, "none")},
		"a method alone":     {"GET"},
		"three arguments":    {"GET", "rest", "more"},
	} {
		got, err := parseArgs(t, args...)
		if err == nil || got != nil {
			t.Errorf("%s: accepted (%v)", name, err)
		}
	}
}

func TestBodyPlacement(t *testing.T) {
	cases := []struct {
		opts      Options
		path, ct  string
		body      string
		multipart bool
	}{
		{Options{Method: "GET", Path: "rest/layers", Fields: []Field{{Key: "limit", Value: "2"}}}, "rest/layers?limit=2", "", "", false},
		{Options{Method: "DELETE", Path: "rest/x?a=1", Fields: []Field{{Key: "b", Value: "2"}}}, "rest/x?a=1&b=2", "", "", false},
		{Options{Method: "PATCH", Path: "rest/x", Fields: []Field{{Key: "title", Value: "A B"}}}, "rest/x", "application/x-www-form-urlencoded", "title=A+B", false},
		{Options{Method: "POST", Path: "rest/x"}, "rest/x", "", "", false},
	}
	for _, c := range cases {
		path, body, ct, cleanup, err := c.opts.body(strings.NewReader(""))
		if err != nil {
			t.Fatal(err)
		}
		var got string
		if body != nil {
			b, _ := io.ReadAll(body)
			got = string(b)
		}
		cleanup()
		if path != c.path || ct != c.ct || got != c.body {
			t.Errorf("%s %v: path %q ct %q body %q", c.opts.Method, c.opts.Fields, path, ct, got)
		}
	}

	file := filepath.Join(t.TempDir(), "a.txt")
	if err := os.WriteFile(file, []byte("file content"), 0o600); err != nil {
		t.Fatal(err)
	}
	o := Options{Method: "POST", Path: "rest/x", Fields: []Field{{Key: "title", Value: "T"}, {Key: "file", Value: file, File: true}}}
	_, body, ct, cleanup, err := o.body(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	if _, ok := body.(io.Seeker); !ok {
		t.Errorf("multipart body %T cannot be replayed", body)
	}
	b, _ := io.ReadAll(body)
	if !strings.HasPrefix(ct, "multipart/form-data; boundary=") || !strings.Contains(string(b), `name="file"; filename="a.txt"`) || !strings.Contains(string(b), "file content") {
		t.Errorf("multipart: %s\n%s", ct, b)
	}
}
