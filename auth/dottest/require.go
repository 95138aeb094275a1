package dottest

import (
	"errors"
	"os"
	"testing"
)

// ErrUnavailable marks a missing external component (Python, Django, DOT,
// Chromium).
var ErrUnavailable = errors.New("component unavailable")

// Require ends the test when err is not nil: a skip with a one-line reason
// when a component is missing, a failure when CI=true or for any other error.
func Require(t testing.TB, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if errors.Is(err, ErrUnavailable) && os.Getenv("CI") != "true" {
		t.Skip(err)
	}
	t.Fatal(err)
}
