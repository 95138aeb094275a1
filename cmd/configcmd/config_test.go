package configcmd_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

func TestSetGetListProfilesUse(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{})
	steps := [][]string{
		{"config", "set", "server", "https://layman.example.com"},
		{"--profile", "prod", "config", "set", "server", "https://prod.example.com"},
		{"--profile", "prod", "config", "set", "token_store", "file"},
	}
	for _, s := range steps {
		if r := h.Run(s...); r.Code != 0 {
			t.Fatalf("%v:\n%s", s, r)
		}
	}
	if r := h.Run("config", "get", "server"); r.Stdout != "https://layman.example.com\n" {
		t.Errorf("get in the first profile:\n%s", r)
	}
	if r := h.Run("--profile", "prod", "config", "get", "token_store"); r.Stdout != "file\n" {
		t.Errorf("get with --profile:\n%s", r)
	}
	r := h.Run("config", "profiles", "-o", "json")
	var profiles []struct {
		Name   string
		Server string
		Active bool
	}
	if err := json.Unmarshal([]byte(r.Stdout), &profiles); err != nil || len(profiles) != 2 || !profiles[0].Active || profiles[0].Name != "default" {
		t.Errorf("profiles: %v\n%s", err, r)
	}
	if r := h.Run("config", "use", "prod"); r.Code != 0 || !strings.Contains(r.Stderr, "Using profile prod") {
		t.Errorf("use:\n%s", r)
	}
	if r := h.Run("config", "list"); !strings.Contains(r.Stdout, "server\thttps://prod.example.com\n") || !strings.Contains(r.Stdout, "token_store\tfile\n") {
		t.Errorf("list after use:\n%s", r)
	}
	t.Setenv("LAYMAN_PROFILE", "default")
	if r := h.Run("config", "get", "server"); r.Stdout != "https://layman.example.com\n" {
		t.Errorf("LAYMAN_PROFILE ignored:\n%s", r)
	}
	if st, err := os.Stat(h.ConfigPath); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("config file mode: %v %v", st, err)
	}
	h.ExpectNoRequests()
}

func TestConfigBadInput(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{})
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"config", "set", "sever", "x"}, 2, `unknown key "sever"`},
		{[]string{"config", "set", "token_store", "plaintext"}, 2, "token_store must be keyring or file"},
		{[]string{"config", "set", "server", "layman.example.com"}, 2, "http:// or https:// URL"},
		{[]string{"config", "get"}, 2, "expects KEY"},
		{[]string{"config", "use", "nope"}, 2, `unknown profile "nope"`},
		{[]string{"--profile", "bad name", "config", "list"}, 2, "invalid profile name"},
		{[]string{"--profile", "nope", "config", "get", "server"}, 2, `unknown profile "nope"`},
	}
	for _, c := range cases {
		r := h.Run(c.args...)
		if r.Code != c.code || !strings.Contains(r.Stderr, c.want) {
			t.Errorf("%v: want exit %d with %q\n%s", c.args, c.code, c.want, r)
		}
	}
	h.WriteConfig("profiles:\n  prod:\n    sever: x\n")
	if r := h.Run("config", "list"); r.Code != 1 || !strings.Contains(r.Stderr, h.ConfigPath) || !strings.Contains(r.Stderr, "[3:") {
		t.Errorf("corrupt config:\n%s", r)
	}
	if _, err := os.ReadFile(h.ConfigPath); err != nil {
		t.Fatal(err)
	}
	h.ExpectNoRequests()
}

// An unknown profile is answered with the known ones, or how to make one.
func TestUseUnknownProfileNamesTheKnownOnes(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{})
	r := h.Run("config", "use", "nosuch")
	if want := "unknown profile \"nosuch\"; no profiles yet; create one with `laymanctl auth login --profile nosuch --server URL`\n"; r.Code != 2 || !strings.HasSuffix(r.Stderr, want) {
		t.Errorf("no profiles: want %q\n%s", want, r)
	}
	for _, s := range [][]string{
		{"config", "set", "server", "https://layman.example.com"},
		{"--profile", "prod", "config", "set", "server", "https://prod.example.com"},
	} {
		if r := h.Run(s...); r.Code != 0 {
			t.Fatalf("%v:\n%s", s, r)
		}
	}
	r = h.Run("config", "use", "nosuch")
	if want := "unknown profile \"nosuch\"; known profiles: default, prod\n"; r.Code != 2 || !strings.HasSuffix(r.Stderr, want) {
		t.Errorf("want %q\n%s", want, r)
	}
	h.ExpectNoRequests()
}
