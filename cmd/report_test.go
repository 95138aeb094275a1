package cmd

import (
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/cmd/cli"
)

// A Layman error message quoting a hostile name reaches a person's terminal
// escaped; a script reading stderr gets it as the server sent it.
func TestErrorMessageEscapedOnTerminal(t *testing.T) {
	err := &client.LaymanError{Code: 2, StatusCode: 400, Message: "Wrong parameter \x1b]52;c;cm0gLXJmIH4K\a value"}
	for _, tty := range []bool{true, false} {
		ios, _, _, errOut := cli.Test()
		ios.ErrTTY = tty
		report(ios, err)
		raw := strings.Contains(errOut.String(), "\x1b]52")
		if raw == tty {
			t.Errorf("terminal %v: stderr %q", tty, errOut.String())
		}
	}
}
