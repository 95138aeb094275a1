package layers_test

import (
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/client/laymantest"
	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

// notLoggedIn removes the harness's token and keeps the (empty) file store.
func notLoggedIn(t *testing.T) {
	t.Setenv("LAYMAN_ACCESS_TOKEN", "")
	t.Setenv("LAYMAN_TOKEN_STORE", "file")
}

func TestReadCommandsSuggestAnonymousWhenNotLoggedIn(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{})
	h.SeedLayer("rivers", "Rivers")
	notLoggedIn(t)
	for _, args := range [][]string{{"layers", "list"}, {"layers", "get", "alice:rivers"}, {"layers", "download", "alice:rivers"}} {
		r := h.Run(args...)
		if r.Code != 4 || !strings.Contains(r.Stderr, "not logged in") || !strings.Contains(r.Stderr, "--anonymous") {
			t.Errorf("%v:\n%s", args, r)
		}
	}
	// Writing needs a login: no such suggestion.
	r := h.Run("layers", "delete", "alice:rivers", "--yes")
	if r.Code != 4 || strings.Contains(r.Stderr, "--anonymous") {
		t.Errorf("delete:\n%s", r)
	}
}

func TestAnonymousSendsNoCredential(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{})
	h.Server.AddLayer(cmdtest.Username, "public", laymantest.Features(3))
	h.Server.AddLayer(cmdtest.Username, "private", laymantest.Features(3), laymantest.Access([]string{cmdtest.Username}, []string{cmdtest.Username}))
	h.Server.ResetRequests()
	notLoggedIn(t)
	check := func(how string, r cmdtest.Result) {
		t.Helper()
		if r.Code != 0 || !strings.Contains(r.Stdout, "public") || strings.Contains(r.Stdout, "private") {
			t.Errorf("%s:\n%s", how, r)
		}
		for _, req := range h.Server.Requests() {
			if req.HasBearer {
				t.Errorf("%s: %s %s carried a token", how, req.Method, req.Path)
			}
		}
		h.Server.ResetRequests()
	}
	check("--anonymous", h.Run("layers", "list", "--anonymous"))
	t.Setenv("LAYMAN_ANONYMOUS", "1")
	check("LAYMAN_ANONYMOUS=1", h.Run("layers", "list"))
	t.Setenv("LAYMAN_ANONYMOUS", "")
	h.WriteConfig("current_profile: default\nprofiles:\n  default:\n    anonymous: \"true\"\n")
	check("profile anonymous: true", h.Run("layers", "list"))

	r := h.Run("layers", "download", "alice:public")
	if r.Code != 0 || strings.Count(r.Stdout, `"Feature"`) != 3 {
		t.Errorf("anonymous download of a public layer:\n%s", r)
	}
	r = h.Run("layers", "download", "alice:private")
	if r.Code != 1 || !strings.Contains(r.Stderr, "not found") {
		t.Errorf("anonymous download of a private layer:\n%s", r)
	}
	// Even with a token in the environment, --anonymous sends none.
	t.Setenv("LAYMAN_ACCESS_TOKEN", cmdtest.Token)
	check("--anonymous with a token set", h.Run("layers", "list", "--anonymous"))
}
