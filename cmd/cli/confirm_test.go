package cli

import (
	"errors"
	"strings"
	"testing"
)

func TestConfirm(t *testing.T) {
	cases := []struct {
		name        string
		interactive bool
		yes         bool
		answer      string
		want        error
		prompted    bool
	}{
		{"yes flag", false, true, "", nil, false},
		{"y", true, false, "y\n", nil, true},
		{"YES", true, false, " YES \n", nil, true},
		{"n", true, false, "n\n", ErrCancelled, true},
		{"empty means no", true, false, "\n", ErrCancelled, true},
		{"end of input", true, false, "", ErrCancelled, true},
	}
	for _, c := range cases {
		io, in, out, errOut := Test()
		io.InTTY, io.ErrTTY = c.interactive, c.interactive
		in.WriteString(c.answer)
		err := Confirm(io, "delete layer alice:rivers", c.yes)
		if !errors.Is(err, c.want) && err != c.want {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
		if got := strings.Contains(errOut.String(), "Delete layer alice:rivers? [y/N]"); got != c.prompted {
			t.Errorf("%s: prompted %v: %q", c.name, got, errOut.String())
		}
		if out.Len() > 0 {
			t.Errorf("%s: prompt on stdout: %q", c.name, out.String())
		}
	}
}

func TestConfirmNeverPromptsWithoutTerminal(t *testing.T) {
	for _, tty := range [][2]bool{{false, false}, {true, false}, {false, true}} {
		io, in, _, errOut := Test()
		io.InTTY, io.ErrTTY = tty[0], tty[1]
		in.WriteString("y\n")
		err := Confirm(io, "delete user bob", false)
		var ee *ExitError
		if !errors.As(err, &ee) || ee.Code != ExitUsage || !strings.Contains(ee.Hint, "--yes") {
			t.Errorf("stdin tty %v, stderr tty %v: %v", tty[0], tty[1], err)
		}
		if errOut.Len() > 0 || in.Len() == 0 {
			t.Errorf("prompted or read stdin without a terminal")
		}
	}
}
