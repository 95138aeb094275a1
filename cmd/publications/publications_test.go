package publications_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

func TestPublicationsList(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		h.SeedLayer("rivers", "Rivers of Bohemia")
		h.SeedMap("overview", "Overview of rivers")
		h.SeedLayer("roads", "Roads")

		r := h.Run("publications", "list")
		lines := strings.Split(strings.TrimSpace(r.Stdout), "\n")
		// Layman's default order: workspace, name, type.
		want := []string{"map\talice\toverview\t", "layer\talice\trivers\t", "layer\talice\troads\t"}
		if r.Code != 0 || len(lines) != len(want) {
			t.Fatalf("table:\n%s", r)
		}
		for i, w := range want {
			if !strings.HasPrefix(lines[i], w) {
				t.Errorf("row %d: want %q first:\n%s", i, w, r)
			}
		}
		r = h.Run("publications", "list", "--search", "rivers", "--order-by", "title", "--jq", `.[] | .publication_type + " " + .name`)
		if r.Code != 0 || r.Stdout != "map overview\nlayer rivers\n" {
			t.Errorf("search ordered by title:\n%s", r)
		}
		h.Server.ResetRequests()
		r = h.Run("publications", "list", "--all", "--limit", "1", "-o", "json")
		var items []json.RawMessage
		if err := json.Unmarshal([]byte(r.Stdout), &items); err != nil || len(items) != 3 {
			t.Errorf("--all: %v\n%s", err, r)
		}
		if n := h.Server.CountRequests("GET", "/rest/publications"); n != 3 {
			t.Errorf("%d page requests for 3 items by 1, want 3", n)
		}
	})
}
