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
	t.Setenv("LAYMAN_SERVER", "") // the file's value is the effective one
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
	if r := h.Run("config", "list"); !strings.Contains(r.Stdout, "server\thttps://prod.example.com\tfile\n") || !strings.Contains(r.Stdout, "token_store\tfile\tfile\n") {
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
		{[]string{"config", "set", "server", "https://robot:s3cret@layman.example.com"}, 2, "without credentials"},
		{[]string{"config", "set", "auth_url", "https://layman.example.com/o/?next=x"}, 2, "without credentials"},
		{[]string{"config", "get"}, 2, "expects KEY"},
		{[]string{"config", "get", "sever"}, 2, `unknown key "sever"`},
		{[]string{"config", "unset", "sever"}, 2, `unknown key "sever"`},
		{[]string{"config", "delete", "nope"}, 2, `unknown profile "nope"`},
		{[]string{"config", "delete"}, 2, "expects PROFILE"},
		{[]string{"config", "path", "x"}, 2, "takes no arguments"},
		{[]string{"config", "use", "nope"}, 2, `unknown profile "nope"`},
		{[]string{"--profile", "bad name", "config", "list"}, 2, "invalid profile name"},
		{[]string{"--profile", "nope", "config", "get", "server"}, 2, `unknown profile "nope"`},
	}
	for _, c := range cases {
		r := h.Run(c.args...)
		if r.Code != c.code || !strings.Contains(r.Stderr, c.want) || strings.Contains(r.Stderr, "s3cret") {
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

// config get and list show what a command would use, and where it comes
// from: flag, environment, file or default.
func TestGetAndListShowTheEffectiveValueAndItsSource(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{})
	h.WriteConfig("profiles:\n  default:\n    server: https://file.example.com\n    scopes: read\n")
	t.Setenv("LAYMAN_SERVER", "https://env.example.com")
	cases := []struct {
		args  []string
		value string
		from  string
	}{
		{[]string{"config", "get", "server"}, "https://env.example.com", "env LAYMAN_SERVER"},
		{[]string{"--server", "https://flag.example.com", "config", "get", "server"}, "https://flag.example.com", "flag --server"},
		{[]string{"config", "get", "scopes"}, "read", "file"},
		{[]string{"config", "get", "output"}, "table", "default"},
		{[]string{"config", "get", "token_store"}, "keyring", "default"},
		{[]string{"config", "get", "ca_file"}, "", "unset"},
	}
	for _, c := range cases {
		r := h.RunWith(cmdtest.RunOptions{ErrTTY: true}, c.args...)
		if r.Code != 0 || r.Stdout != c.value+"\n" || r.Stderr != "("+c.from+")\n" {
			t.Errorf("%v: want %q from %q\n%s", c.args, c.value, c.from, r)
		}
	}
	// Scripts get the value alone.
	if r := h.Run("config", "get", "server"); r.Stdout != "https://env.example.com\n" || r.Stderr != "" {
		t.Errorf("get without a terminal:\n%s", r)
	}
	t.Setenv("LAYMAN_TOKEN_STORE", "file")
	r := h.Run("config", "get", "token_store", "-o", "json")
	var s struct{ Key, Value, Source, Name string }
	if err := json.Unmarshal([]byte(r.Stdout), &s); err != nil || s != (struct{ Key, Value, Source, Name string }{"token_store", "file", "env", "LAYMAN_TOKEN_STORE"}) {
		t.Errorf("get -o json: %v\n%s", err, r)
	}
	r = h.Run("config", "list", "-o", "table")
	for _, row := range []string{"server\thttps://env.example.com\tenv LAYMAN_SERVER\n", "output\ttable\tflag --output\n", "client_id\tlaymanctl\tdefault\n", "ca_file\t\tunset\n"} {
		if !strings.Contains(r.Stdout, row) {
			t.Errorf("list lacks %q:\n%s", row, r)
		}
	}
	h.ExpectNoRequests()
}

func TestUnsetDeletePath(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{})
	t.Setenv("LAYMAN_SERVER", "")
	h.WriteConfig("current_profile: prod\nprofiles:\n  prod:\n    server: https://prod.example.com\n    ca_file: /etc/ca.pem\n  staging:\n    server: https://staging.example.com\n")
	if r := h.Run("config", "unset", "ca_file"); r.Code != 0 {
		t.Fatalf("unset:\n%s", r)
	}
	if r := h.Run("config", "get", "ca_file"); r.Stdout != "\n" {
		t.Errorf("ca_file after unset:\n%s", r)
	}
	if r := h.Run("config", "get", "server"); r.Stdout != "https://prod.example.com\n" {
		t.Errorf("unset removed more than ca_file:\n%s", r)
	}
	r := h.Run("config", "delete", "prod")
	if r.Code != 0 || r.Stderr != "Deleted profile prod\n" {
		t.Fatalf("delete:\n%s", r)
	}
	data, _ := os.ReadFile(h.ConfigPath)
	if strings.Contains(string(data), "prod") || !strings.Contains(string(data), "staging") {
		t.Errorf("config after deleting the current profile prod:\n%s", data)
	}
	if r := h.Run("config", "profiles"); r.Stdout != "\tstaging\thttps://staging.example.com\n" {
		t.Errorf("profiles after delete:\n%s", r)
	}
	if r := h.Run("config", "path"); r.Code != 0 || r.Stdout != h.ConfigPath+"\n" {
		t.Errorf("path:\n%s", r)
	}
	t.Setenv("LAYMAN_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", "/x/cfg")
	if r := h.Run("config", "path"); r.Stdout != "/x/cfg/laymanctl/config.yaml\n" {
		t.Errorf("path without LAYMAN_CONFIG:\n%s", r)
	}
	h.ExpectNoRequests()
}
