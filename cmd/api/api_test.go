package api_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

// layerPath is the layer's URL path in the harness's generation.
func layerPath(h *cmdtest.Harness, uuid, name string) string {
	if h.Generation == 2 {
		return "rest/workspaces/alice/layers/" + name
	}
	return "rest/layers/" + uuid
}

func TestGet(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		h.SeedLayer("rivers", "Rivers")
		h.SeedLayer("roads", "Roads")
		r := h.Run("api", "GET", "/rest/current-user")
		var me map[string]any
		if err := json.Unmarshal([]byte(r.Stdout), &me); err != nil || r.Code != 0 || me["username"] != "alice" {
			t.Fatalf("current user: %v\n%s", err, r)
		}
		if !strings.HasPrefix(r.Stdout, "{\n  \"") {
			t.Errorf("JSON not pretty-printed:\n%s", r)
		}
		if reqs := h.Server.Requests(); len(reqs) != 1 || !reqs[0].Authenticated {
			t.Errorf("request not authenticated: %+v", reqs)
		}

		h.Server.ResetRequests()
		r = h.Run("api", "get", "rest/layers?order_by=title", "-F", "limit=1", "-F", "offset=1", "--jq", ".[].name")
		if r.Code != 0 || r.Stdout != "roads\n" {
			t.Errorf("GET with -F as query:\n%s", r)
		}
		if reqs := h.Requests(); len(reqs) != 1 || !strings.Contains(reqs[0], "limit=1") || !strings.Contains(reqs[0], "order_by=title") {
			t.Errorf("query: %v", reqs)
		}
	})
}

func TestPostMultipartAndPatchForm(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		file := filepath.Join(t.TempDir(), "lakes.geojson")
		if err := os.WriteFile(file, []byte(`{"type":"FeatureCollection","features":[]}`), 0o600); err != nil {
			t.Fatal(err)
		}
		args := []string{"api", "POST", "rest/layers", "-F", "workspace=alice", "-F", "file=@" + file, "-F", "title=Lakes"}
		if h.Generation == 2 {
			args = []string{"api", "POST", "rest/workspaces/alice/layers", "-F", "file=@" + file, "-F", "title=Lakes"}
		}
		r := h.Run(args...)
		var created []map[string]any
		if err := json.Unmarshal([]byte(r.Stdout), &created); err != nil || r.Code != 0 || len(created) != 1 || created[0]["name"] != "lakes" {
			t.Fatalf("multipart POST: %v\n%s", err, r)
		}
		lakes, ok := h.Server.Publication("layer:alice:lakes")
		if !ok || lakes.Title != "Lakes" || strings.Join(lakes.Files, ",") != "lakes.geojson" {
			t.Fatalf("published: %+v", lakes)
		}

		r = h.Run("api", "PATCH", layerPath(h, lakes.UUID, "lakes"), "-F", "title=Lakes of Bohemia")
		if r.Code != 0 {
			t.Fatalf("form PATCH:\n%s", r)
		}
		if got, _ := h.Server.Publication(lakes.UUID); got.Title != "Lakes of Bohemia" {
			t.Errorf("title after PATCH: %q", got.Title)
		}

		body := filepath.Join(t.TempDir(), "patch.txt")
		if err := os.WriteFile(body, []byte("title=From+a+file"), 0o600); err != nil {
			t.Fatal(err)
		}
		ct := "Content-Type: application/x-www-form-urlencoded"
		if r = h.Run("api", "PATCH", layerPath(h, lakes.UUID, "lakes"), "--input", body, "-H", ct); r.Code != 0 {
			t.Fatalf("--input FILE:\n%s", r)
		}
		if got, _ := h.Server.Publication(lakes.UUID); got.Title != "From a file" {
			t.Errorf("title after --input FILE: %q", got.Title)
		}
		r = h.RunWith(cmdtest.RunOptions{Stdin: "title=From+stdin"}, "api", "PATCH", layerPath(h, lakes.UUID, "lakes"), "--input", "-", "-H", ct)
		if r.Code != 0 {
			t.Fatalf("--input -:\n%s", r)
		}
		if got, _ := h.Server.Publication(lakes.UUID); got.Title != "From stdin" {
			t.Errorf("title after --input -: %q", got.Title)
		}
	})
}

func TestLaymanErrorExitsOne(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		r := h.Run("api", "GET", layerPath(h, "0b4ea2a1-9c5e-4c4c-8f5a-1f0e7a3c2b11", "missing"))
		if r.Code != 1 || !strings.Contains(r.Stderr, "Layman error 15 (HTTP 404): Layer was not found") || r.Stdout != "" {
			t.Errorf("not found:\n%s", r)
		}
	})
}

// A body that ends with a newline is printed with exactly one.
func TestOneTrailingNewline(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		for _, format := range []string{"json", "yaml"} {
			r := h.Run("api", "GET", "rest/about/version", "-o", format)
			if r.Code != 0 || !strings.HasSuffix(r.Stdout, "\n") || strings.HasSuffix(r.Stdout, "\n\n") {
				t.Errorf("-o %s: stdout ends %q\n%s", format, r.Stdout[max(len(r.Stdout)-4, 0):], r)
			}
		}
	})
}
