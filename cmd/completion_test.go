package cmd_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

// complete runs cobra's hidden __complete as the shell scripts do and returns
// the candidates and the directive number.
func complete(t *testing.T, h *cmdtest.Harness, args ...string) ([]string, string) {
	t.Helper()
	r := h.Run(append([]string{"__complete"}, args...)...)
	if r.Code != 0 {
		t.Fatalf("__complete %v:\n%s", args, r)
	}
	lines := strings.Split(strings.TrimSuffix(r.Stdout, "\n"), "\n")
	var out []string
	for _, l := range lines[:len(lines)-1] {
		name, _, _ := strings.Cut(l, "\t") // drop descriptions
		out = append(out, name)
	}
	return out, lines[len(lines)-1]
}

const (
	dirDefault  = ":0" // files
	dirNoFiles  = ":4"
	dirNoSpace  = ":6" // NoSpace|NoFileComp
	dirFilterEx = ":8" // by extension
)

func TestCompletionOffersRefsFromTheServer(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		h.SeedLayer("rivers", "Rivers")
		h.SeedLayer("roads", "Roads")
		h.SeedMap("overview", "Overview")
		for _, tc := range []struct {
			args []string
			want []string
		}{
			{[]string{"layers", "get", ""}, []string{"alice:rivers", "alice:roads"}},
			{[]string{"layers", "get", "alice:ri"}, []string{"alice:rivers"}},
			{[]string{"layers", "delete", "alice:rivers", ""}, []string{"alice:rivers", "alice:roads"}},
			{[]string{"layers", "wait", ""}, []string{"alice:rivers", "alice:roads"}},
			{[]string{"layers", "style", ""}, []string{"alice:rivers", "alice:roads"}},
			{[]string{"layers", "update", ""}, []string{"alice:rivers", "alice:roads"}},
			{[]string{"maps", "get", ""}, []string{"alice:overview"}},
			{[]string{"maps", "file", "alice:"}, []string{"alice:overview"}},
			{[]string{"users", "delete", ""}, []string{"alice"}},
			{[]string{"maps", "create", "--layer", ""}, []string{"alice:rivers", "alice:roads"}},
			{[]string{"layers", "list", "--workspace", ""}, []string{"alice"}},
			{[]string{"layers", "publish", "x.geojson", "-w", ""}, []string{"alice"}},
		} {
			got, dir := complete(t, h, tc.args...)
			slices.Sort(got)
			if !slices.Equal(got, tc.want) || dir != dirNoFiles {
				t.Errorf("%v: got %v %s, want %v %s", tc.args, got, dir, tc.want, dirNoFiles)
			}
		}
		got, dir := complete(t, h, "layers", "publish", "x.geojson", "--read", "alice,")
		if !slices.Contains(got, "alice,alice") || !slices.Contains(got, "alice,EVERYONE") || dir != dirNoSpace {
			t.Errorf("--read alice,: got %v %s", got, dir)
		}
	})
}

// A REF is never a local file, even when the server cannot be asked.
func TestCompletionNeverOffersFilesForARef(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{})
	t.Setenv("LAYMAN_SERVER", "http://127.0.0.1:1")
	n := 0
	for _, c := range commands(t) {
		if !strings.Contains(c.Use, "REF") {
			continue
		}
		n++
		got, dir := complete(t, h, append(path(c), "")...)
		if len(got) != 0 || dir != dirNoFiles {
			t.Errorf("%s with the server down: got %v %s, want nothing and no files", c.CommandPath(), got, dir)
		}
	}
	if n < 10 {
		t.Errorf("only %d commands take a REF", n)
	}
	t.Setenv("LAYMAN_SERVER", "")
	if got, dir := complete(t, h, "layers", "get", ""); len(got) != 0 || dir != dirNoFiles {
		t.Errorf("no server configured: got %v %s", got, dir)
	}
}

func TestCompletionOfLocalValues(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{})
	h.WriteConfig("profiles:\n  prod:\n    server: https://prod.example.com\n  staging: {}\n")
	for _, tc := range []struct {
		args []string
		want []string
		dir  string
	}{
		{[]string{"-o", ""}, []string{"table", "wide", "json", "yaml"}, dirNoFiles},
		{[]string{"layers", "list", "--order-by", ""}, []string{"title", "last_change", "full_text", "bbox"}, dirNoFiles},
		{[]string{"auth", "login", "--token-store", ""}, []string{"keyring", "file", "memory"}, dirNoFiles},
		{[]string{"layers", "publish", "--overview-resampling", ""}, []string{"nearest", "average", "rms", "bilinear", "gauss", "cubic", "cubicspline", "lanczos", "average_magphase", "mode"}, dirNoFiles},
		{[]string{"--profile", ""}, []string{"prod", "staging"}, dirNoFiles},
		{[]string{"config", "use", ""}, []string{"prod", "staging"}, dirNoFiles},
		{[]string{"config", "delete", ""}, []string{"prod", "staging"}, dirNoFiles},
		{[]string{"config", "get", ""}, []string{"server", "auth_url", "authorize_url", "token_url", "revoke_url", "introspect_url", "client_id", "scopes", "token_store", "output", "ca_file", "anonymous", "api"}, dirNoFiles},
		{[]string{"config", "set", "api", ""}, []string{"auto", "2", "3"}, dirNoFiles},
		{[]string{"config", "set", "token_store", ""}, []string{"keyring", "file"}, dirNoFiles},
		{[]string{"config", "set", "output", ""}, []string{"table", "wide", "json", "yaml"}, dirNoFiles},
		{[]string{"api", ""}, []string{"GET", "POST", "PATCH", "PUT", "DELETE"}, dirNoFiles},
		{[]string{"version", ""}, nil, dirNoFiles},
		{[]string{"layers", "list", "--search", ""}, nil, dirNoFiles},
		// Files where files are expected.
		{[]string{"layers", "publish", ""}, nil, dirDefault},
		{[]string{"layers", "update", "alice:rivers", ""}, nil, dirDefault},
		{[]string{"layers", "publish", "--style", ""}, []string{"sld", "qml"}, dirFilterEx},
		{[]string{"maps", "publish", ""}, []string{"json"}, dirFilterEx},
		{[]string{"apply", "-f", ""}, nil, dirDefault},
	} {
		got, dir := complete(t, h, tc.args...)
		if !slices.Equal(got, tc.want) || dir != tc.dir {
			t.Errorf("%v: got %v %s, want %v %s", tc.args, got, dir, tc.want, tc.dir)
		}
	}
	h.ExpectNoRequests()
}
