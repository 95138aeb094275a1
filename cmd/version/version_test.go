package version_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

func TestVersionClientOnlyTouchesNothing(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{})
	// A corrupt config and no server prove that --client reads neither.
	h.WriteConfig("profiles: [\n")
	t.Setenv("LAYMAN_SERVER", "")
	r := h.Run("version", "--client", "-o", "json")
	if r.Code != 0 {
		t.Fatalf("version --client:\n%s", r)
	}
	var info struct {
		Client struct{ Version, Commit, Date string }
		Server any
	}
	if err := json.Unmarshal([]byte(r.Stdout), &info); err != nil || info.Client.Version != "test" || info.Server != nil {
		t.Errorf("json: %v\n%s", err, r)
	}
	h.ExpectNoRequests()
	if _, err := os.Stat(filepath.Join(h.Dir, "cache")); !os.IsNotExist(err) {
		t.Errorf("version --client wrote the cache: %v", err)
	}
}

func TestVersionReportsServerAndGeneration(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		r := h.RunWith(cmdtest.TTY(""), "version")
		want := map[int]string{2: "API 2.x", 3: "API 3.x"}[h.Generation]
		if r.Code != 0 || !strings.Contains(r.Stdout, "laymanctl  test") || !strings.Contains(r.Stdout, want) {
			t.Errorf("version:\n%s", r)
		}
		// The version is public: no token needed.
		t.Setenv("LAYMAN_ACCESS_TOKEN", "")
		r = h.Run("version", "--jq", ".server.api_generation")
		if r.Code != 0 || strings.TrimSpace(r.Stdout) != strings.TrimPrefix(want, "API ") {
			t.Errorf("anonymous version:\n%s", r)
		}
	})
}

func TestVersionServerUnreachable(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{})
	t.Setenv("LAYMAN_SERVER", "http://127.0.0.1:1")
	r := h.Run("version")
	if r.Code != 1 || !strings.Contains(r.Stdout, "laymanctl") || !strings.Contains(r.Stderr, "cannot read the server version") {
		t.Errorf("unreachable server:\n%s", r)
	}
}
