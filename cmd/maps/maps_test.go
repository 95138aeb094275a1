package maps_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

func TestListAndGet(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		overview := h.SeedMap("overview", "Overview of Bohemia")
		h.SeedLayer("rivers", "Rivers") // not a map: must not be listed

		r := h.RunWith(cmdtest.TTY(""), "maps", "list")
		if r.Code != 0 || !strings.HasPrefix(r.Stdout, "WORKSPACE") || !strings.Contains(r.Stdout, "Overview of Bohemia") || strings.Contains(r.Stdout, "rivers") {
			t.Errorf("table:\n%s", r)
		}
		r = h.Run("maps", "list", "--workspace", "alice", "-o", "json")
		var items []map[string]any
		if err := json.Unmarshal([]byte(r.Stdout), &items); err != nil || len(items) != 1 || items[0]["uuid"] != overview.UUID {
			t.Errorf("json: %v\n%s", err, r)
		}
		for _, ref := range []string{overview.UUID, "alice:overview"} {
			r = h.Run("maps", "get", ref, "--jq", ".title")
			if r.Code != 0 || r.Stdout != "Overview of Bohemia\n" {
				t.Errorf("get %s:\n%s", ref, r)
			}
		}
		r = h.Run("maps", "get", map[int]string{2: "alice:missing", 3: "0b4ea2a1-9c5e-4c4c-8f5a-1f0e7a3c2b11"}[h.Generation])
		if r.Code != 1 || !strings.Contains(r.Stderr, "Layman error 26 (HTTP 404): Map was not found") {
			t.Errorf("missing map:\n%s", r)
		}
	})
}

func TestFileAndThumbnail(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		h.SeedMap("overview", "Overview")
		dir := t.TempDir()
		out := filepath.Join(dir, "map.json")
		r := h.Run("maps", "file", "alice:overview", "-O", out)
		data, err := os.ReadFile(out)
		if r.Code != 0 || err != nil || !json.Valid(data) || !bytes.Contains(data, []byte(`"overview"`)) {
			t.Errorf("file -O: %v\n%s", err, r)
		}
		// JSON is text: a terminal may show it, and so may a pipe.
		for _, o := range []cmdtest.RunOptions{cmdtest.TTY(""), {}} {
			r = h.RunWith(o, "maps", "file", "alice:overview")
			if r.Code != 0 || !json.Valid([]byte(r.Stdout)) {
				t.Errorf("file to stdout (tty %v):\n%s", o.OutTTY, r)
			}
		}
		r = h.Run("maps", "thumbnail", "alice:overview")
		if r.Code != 0 || !strings.HasPrefix(r.Stdout, "\x89PNG") {
			t.Errorf("thumbnail to a pipe:\n%s", r)
		}
		png := filepath.Join(dir, "map.png")
		if r = h.Run("maps", "thumbnail", "alice:overview", "-O", png); r.Code != 0 {
			t.Errorf("thumbnail -O:\n%s", r)
		}
		h.Server.ResetRequests()
		r = h.RunWith(cmdtest.TTY(""), "maps", "thumbnail", "alice:overview")
		if r.Code != 2 || r.Stdout != "" {
			t.Errorf("thumbnail to a terminal:\n%s", r)
		}
		h.ExpectNoRequests()
	})
}

func TestDeleteAndWait(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{ProcessingPolls: 1}, func(t *testing.T, h *cmdtest.Harness) {
		overview := h.SeedMap("overview", "Overview")
		h.SeedMap("detail", "Detail")
		if r := h.Run("maps", "wait", overview.UUID); r.Code != 0 || r.Stdout != "alice\toverview\t"+overview.UUID+"\tCOMPLETE\n" {
			t.Errorf("wait:\n%s", r)
		}
		h.Server.ResetRequests()
		if r := h.Run("maps", "delete", "alice:overview"); r.Code != 2 {
			t.Errorf("delete without --yes in a script:\n%s", r)
		}
		h.ExpectNoRequests()
		if r := h.RunWith(cmdtest.TTY("yes\n"), "maps", "delete", "alice:overview"); r.Code != 0 {
			t.Errorf("confirmed delete:\n%s", r)
		}
		if r := h.Run("maps", "delete", "--workspace", "alice", "--all", "--yes", "--jq", ".[].name"); r.Code != 0 || r.Stdout != "detail\n" {
			t.Errorf("delete --all:\n%s", r)
		}
		if r := h.Run("maps", "list", "-o", "json"); strings.TrimSpace(r.Stdout) != "[]" {
			t.Errorf("maps left:\n%s", r)
		}
	})
}
