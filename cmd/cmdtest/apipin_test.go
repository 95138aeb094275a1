package cmdtest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/client/laymantest"
	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

// A Layman without its version.txt answers /rest/about/version with HTTP
// 500 (rest_about.py): the command says it cannot tell the API and how to
// pin it; the api setting (LAYMAN_API or the profile's api key) then
// works without asking.
func TestAPIPinnedWhenVersionFails(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{Generation: 2})
	h.SeedLayer("rivers", "Rivers")
	h.Server.SetFault(func(r *http.Request) laymantest.Fault {
		if r.URL.Path == "/rest/about/version" {
			return laymantest.Fault{Status: http.StatusInternalServerError, Body: "<!doctype html><title>500 Internal Server Error</title>"}
		}
		return laymantest.Fault{}
	})
	r := h.Run("layers", "get", "alice:rivers")
	if r.Code != 1 || !strings.Contains(r.Stderr, "cannot tell which Layman API the server speaks: GET /rest/about/version: HTTP 500") ||
		!strings.Contains(r.Stderr, "laymanctl config set api 3") {
		t.Errorf("get with a failing version probe:\n%s", r)
	}

	t.Setenv("LAYMAN_API", "2")
	h.Server.ResetRequests()
	if r := h.Run("layers", "get", "alice:rivers"); r.Code != 0 || !strings.Contains(r.Stdout, "rivers") {
		t.Errorf("get with LAYMAN_API=2:\n%s", r)
	}
	for _, req := range h.Requests() {
		if strings.Contains(req, "/rest/about/version") {
			t.Errorf("pinned, yet asked %s", req)
		}
	}
	t.Setenv("LAYMAN_API", "")
	if r := h.Run("config", "set", "api", "2"); r.Code != 0 {
		t.Fatalf("config set api 2:\n%s", r)
	}
	if r := h.Run("layers", "get", "alice:rivers"); r.Code != 0 {
		t.Errorf("get with the profile's api 2:\n%s", r)
	}

	if r := h.Run("config", "set", "api", "4"); r.Code != 2 || !strings.Contains(r.Stderr, "api must be 2 (Layman 2.x), 3 (Layman 3.x) or auto") {
		t.Errorf("config set api 4:\n%s", r)
	}
	t.Setenv("LAYMAN_API", "v3")
	h.Server.ResetRequests()
	if r := h.Run("layers", "get", "alice:rivers"); r.Code != 2 || !strings.Contains(r.Stderr, `api (env LAYMAN_API) must be 2, 3 or auto, not "v3"`) {
		t.Errorf("LAYMAN_API=v3:\n%s", r)
	}
	h.ExpectNoRequests()
}
