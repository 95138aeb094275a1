package authcmd_test

import (
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/client/laymantest"
)

// A profile's stored token goes only to the server the profile logged in
// to: --server or LAYMAN_SERVER naming another one is refused, nothing sent.
func TestStoredTokenIsNotSentToAnotherServer(t *testing.T) {
	w := newWorld(t)
	w.mustLogin()
	other := laymantest.New(t, laymantest.Options{Strict: true})
	r := w.run(run{}, "--server", other.URL, "layers", "list")
	if r.code != 4 || !strings.Contains(r.stderr, "is logged in to "+w.layman.URL) || !strings.Contains(r.stderr, "--profile NAME --server "+other.URL) {
		t.Fatalf("other server: %s", r)
	}
	if n := len(other.Requests()); n != 0 {
		t.Errorf("%d requests reached the other server", n)
	}
	// The profile's own server, named explicitly, is fine.
	if r := w.run(run{}, "--server", w.layman.URL+"/", "layers", "list"); r.code != 0 {
		t.Errorf("own server: %s", r)
	}
}
