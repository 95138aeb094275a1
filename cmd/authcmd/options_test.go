package authcmd_test

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/laymanctl/laymanctl/auth"
	"github.com/laymanctl/laymanctl/auth/authtest"
	"github.com/laymanctl/laymanctl/cmd/authcmd"
	"github.com/laymanctl/laymanctl/cmd/cli"
)

// parseLogin runs `auth login args` up to the point where the login would
// start and returns the options it would start with.
func parseLogin(t *testing.T, browser func() (auth.Browser, string), args ...string) (*authcmd.LoginOptions, string, error) {
	t.Helper()
	ios, _, _, errOut := cli.Test()
	f := cli.NewFactory(ios, cli.BuildInfo{})
	f.Env = func(string) string { return "" }
	f.Browser = browser
	var got *authcmd.LoginOptions
	c := authcmd.NewCmdLogin(f, func(o *authcmd.LoginOptions) error { got = o; return nil })
	c.SetArgs(args)
	c.SetOut(&bytes.Buffer{})
	c.SetErr(&bytes.Buffer{})
	err := c.Execute()
	return got, errOut.String(), err
}

func TestLoginOptions(t *testing.T) {
	opened := authtest.MustNotOpen(t)
	browser := func() (auth.Browser, string) { return opened, "" }

	o, _, err := parseLogin(t, browser)
	if err != nil || o.Listen != "127.0.0.1:0" || o.Timeout != auth.DefaultLoginTimeout || o.Scopes != nil || o.Browser != opened || o.WithToken || o.ClientSecretStdin {
		t.Fatalf("defaults: %+v, %v", o, err)
	}
	o, _, err = parseLogin(t, browser, "--auth-url", "https://example.com/o/", "--client-id", "portal-cli", "--client-secret-stdin",
		"--scopes", "read  write", "--listen", "[::1]:8400", "--timeout", "90s", "--username", "river_mapper", "--token-store", "file")
	want := authcmd.LoginOptions{Factory: o.Factory, AuthURL: "https://example.com/o/", ClientID: "portal-cli", ClientSecretStdin: true,
		Scopes: []string{"read", "write"}, Listen: "[::1]:8400", Timeout: 90 * time.Second, Username: "river_mapper", TokenStore: "file", Browser: opened}
	if err != nil || !reflect.DeepEqual(*o, want) {
		t.Fatalf("all flags: %+v, %v", o, err)
	}
	for _, args := range [][]string{{"--no-browser"}, {"--with-token"}} {
		if o, _, err := parseLogin(t, browser, args...); err != nil || o.Browser != nil {
			t.Errorf("%v: a browser was chosen (%v)", args, err)
		}
	}
	// Why no browser opens is said by the login, once it needs one.
	o, stderr, err := parseLogin(t, func() (auth.Browser, string) { return nil, "this is an SSH session" })
	if err != nil || o.Browser != nil || o.BrowserNote != "this is an SSH session" || stderr != "" {
		t.Errorf("no display: %+v %q, %v", o, stderr, err)
	}
}

func TestLoginOptionsRejected(t *testing.T) {
	for _, args := range [][]string{
		{"--listen", "0.0.0.0:0"},
		{"--listen", "localhost:0"},
		{"--listen", "127.0.0.1"},
		{"--listen", "127.0.0.1:99999"},
		{"--timeout", "0s"},
		{"--scopes", " "},
		{"--auth-url", "ftp://example.com/o/"},
		{"--auth-url", "https://user:pw@example.com/o/"},
		// As `config set auth_url` refuses them: not part of a base URL.
		{"--auth-url", "https://example.com/o/?next=s3cr3t"},
		{"--auth-url", "https://example.com/o/?"},
		{"--auth-url", "https://example.com/o/#s3cr3t"},
		{"--username", "Bad-Name"},
		{"--token-store", "memory"},
		{"--token-store", "vault"},
		{"--with-token", "--client-secret-stdin"},
		{"extra-argument"},
	} {
		o, _, err := parseLogin(t, nil, args...)
		var usage *cli.UsageError
		if o != nil || !errors.As(err, &usage) || strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("%v: want a usage error before the login, not quoting the URL's extras, got %v", args, err)
		}
	}
}
