package cmdtest

import (
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/client/laymantest/reallayman"
)

// AsAliceOnRealLayman runs fn on every real Layman version with a harness
// pointed at it and logged in as alice (her username reserved); suffix
// ("master", "24") keeps publication names apart. The test binary's
// TestMain must run reallayman.Run.
func AsAliceOnRealLayman(t *testing.T, fn func(t *testing.T, s *reallayman.Server, h *Harness, suffix string)) {
	for _, v := range reallayman.Versions {
		t.Run(v, func(t *testing.T) {
			s := reallayman.Get(t, reallayman.Options{Version: v})
			h := New(t, Options{})
			t.Setenv("LAYMAN_SERVER", s.LaymanURL)
			t.Setenv("LAYMAN_TOKEN_STORE", "file")
			t.Setenv("LAYMAN_ACCESS_TOKEN", s.User(t, s.Alice))
			fn(t, s, h, strings.ReplaceAll(v, ".", ""))
		})
	}
}
