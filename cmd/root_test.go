package cmd_test

import (
	"strings"
	"testing"

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
