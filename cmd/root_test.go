package cmd_test

import (
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/client/laymantest"
	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

func TestUnknownSubcommandIsAUsageError(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{})
	for _, args := range [][]string{{"layers", "lst"}, {"auth", "nope"}, {"config", "x"}, {"nope"}} {
		r := h.Run(args...)
		if r.Code != 2 || !strings.Contains(r.Stderr, `unknown command "`+args[len(args)-1]+`"`) || r.Stdout != "" {
			t.Errorf("%v:\n%s", args, r)
		}
	}
	// A group command alone shows its help, as --help does.
	if r := h.Run("layers"); r.Code != 0 || !strings.Contains(r.Stdout, "Available Commands:") {
		t.Errorf("layers alone:\n%s", r)
	}
	h.ExpectNoRequests()
}

func TestUnreachableServerNamesIt(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{})
	t.Setenv("LAYMAN_SERVER", "http://127.0.0.1:1")
	r := h.Run("layers", "list")
	if r.Code != 1 || !strings.Contains(r.Stderr, "error: cannot reach http://127.0.0.1:1: ") || !strings.Contains(r.Stderr, "Check that address") {
		t.Errorf("unreachable server:\n%s", r)
	}
}

// An error of the auth transport is shown without http.Client's request
// line in front of it.
func TestAuthErrorsHaveNoRequestLine(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{})
	t.Setenv("LAYMAN_ACCESS_TOKEN", "revoked-token")
	r := h.Run("layers", "list")
	if r.Code != 4 || !strings.HasPrefix(r.Stderr, "error: ") || strings.Contains(r.Stderr, `Get "`) || strings.Contains(r.Stderr, "revoked-token") {
		t.Errorf("rejected token:\n%s", r)
	}
}

// A server address with a path Layman is not under (its REST URL
// .../rest/ as given, a wrong prefix) gets Flask's plain 404 for every
// route: the error names the URL asked and says to check the address, for
// lists as for commands that probe the API generation first (pinning the
// API would not help).
func TestWrongServerPathIsNamed(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{})
	// Not strict: the requests to routes it lacks are the point.
	srv := laymantest.New(t, laymantest.Options{Generation: 3})
	t.Setenv("LAYMAN_SERVER", srv.URL+"/rest/")
	for _, args := range [][]string{{"layers", "list"}, {"layers", "get", "alice:rivers"}} {
		r := h.Run(args...)
		if r.Code != 1 || !strings.Contains(r.Stderr, srv.URL+"/rest/rest/") || !strings.Contains(r.Stderr, "Check the server address") ||
			strings.Contains(r.Stderr, "pin its API") {
			t.Errorf("%v with --server .../rest/:\n%s", args, r)
		}
	}
}

// A server URL with credentials, a query or a fragment is refused before
// anything is sent, and a password in it is not echoed.
func TestServerURLWithExtrasIsRefused(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{})
	for _, server := range []string{"https://robot:s3cret@127.0.0.1:1", "https://robot:s3cret@127.0.0.1:x", h.Server.URL + "?x=1", h.Server.URL + "#top"} {
		r := h.Run("--server", server, "layers", "list")
		if r.Code != 2 || !strings.Contains(r.Stderr, "invalid server URL") || strings.Contains(r.Stderr, "s3cret") {
			t.Errorf("--server %s:\n%s", server, r)
		}
	}
	h.ExpectNoRequests()
}

// LAYMAN_AUTH_URL and a hand-edited auth_url get the check that `config
// set auth_url` and `auth login --auth-url` make, and are not quoted: they
// may hold a password.
func TestAuthURLWithExtrasIsRefused(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{})
	t.Setenv("LAYMAN_SERVER", h.Server.URL)
	for _, authURL := range []string{"https://robot:s3cret@127.0.0.1:1/o/", "https://127.0.0.1:1/o/?next=s3cret", "https://127.0.0.1:1/o/#s3cret"} {
		t.Setenv("LAYMAN_AUTH_URL", authURL)
		r := h.Run("layers", "list")
		if r.Code != 2 || !strings.Contains(r.Stderr, "LAYMAN_AUTH_URL: want the authorization server's http(s):// URL without credentials") ||
			strings.Contains(r.Stderr, "s3cret") {
			t.Errorf("LAYMAN_AUTH_URL=%s:\n%s", authURL, r)
		}
	}
	t.Setenv("LAYMAN_AUTH_URL", "")
	h.WriteConfig("profiles:\n  default:\n    auth_url: https://127.0.0.1:1/o/?next=s3cret\n")
	if r := h.Run("layers", "list"); r.Code != 2 || !strings.Contains(r.Stderr, `the auth_url of profile "default": want`) || strings.Contains(r.Stderr, "s3cret") {
		t.Errorf("auth_url with a query in the file:\n%s", r)
	}
	h.ExpectNoRequests()
}
