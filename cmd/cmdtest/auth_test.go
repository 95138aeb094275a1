package cmdtest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/client/laymantest"
	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

// A token Layman rejects (HTTP 403, code 32) ends with exit 4 and advice;
// nothing is printed on stdout. (/rest/users does not authenticate, so
// users list is not among them: src/layman/user/rest_users.py.)
func TestRejectedTokenExitsFour(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		t.Setenv("LAYMAN_ACCESS_TOKEN", "revoked-token")
		for _, args := range [][]string{{"layers", "list"}, {"maps", "list"}, {"api", "GET", "rest/current-user"}} {
			r := h.Run(args...)
			if r.Code != 4 || !strings.Contains(r.Stderr, "LAYMAN_ACCESS_TOKEN") || r.Stdout != "" {
				t.Errorf("%v:\n%s", args, r)
			}
			if strings.Contains(r.Stderr, "revoked-token") {
				t.Errorf("%v: the token is printed:\n%s", args, r)
			}
		}
	})
}

// Without any credentials, commands do not start a login: exit 4.
func TestNoCredentialsExitsFour(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{Generation: 3})
	t.Setenv("LAYMAN_ACCESS_TOKEN", "")
	t.Setenv("LAYMAN_TOKEN_STORE", "file")
	r := h.Run("layers", "list")
	if r.Code != 4 || !strings.Contains(r.Stderr, "auth login") {
		t.Errorf("not logged in:\n%s", r)
	}
	h.ExpectNoRequests()
}

// Layman answers code 32 with sub_code 8 while it cannot reach its
// introspection endpoint: a server fault, exit 1, and no advice to log in.
func TestIntrospectionUnreachableExitsOne(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{Generation: 3})
	h.Server.SetFault(func(r *http.Request) laymantest.Fault {
		return laymantest.Fault{Status: http.StatusForbidden, Body: `{"code": 32, "message": "Unsuccessful OAuth2 authentication.", "sub_code": 8, "detail": "Introspection endpoint is not reachable or returned status code other than 200."}`}
	})
	r := h.Run("layers", "list")
	if r.Code != 1 || !strings.Contains(r.Stderr, "cannot verify tokens right now") || strings.Contains(r.Stderr, "auth login") || r.Stdout != "" {
		t.Errorf("sub_code 8:\n%s", r)
	}
}
