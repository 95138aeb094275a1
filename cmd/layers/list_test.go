package layers_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

func TestListFormats(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		rivers := h.SeedLayer("rivers", "Rivers of Bohemia")
		roads := h.SeedLayer("roads", "Roads")

		tty := h.RunWith(cmdtest.TTY(""), "layers", "list")
		if tty.Code != 0 || !strings.HasPrefix(tty.Stdout, "WORKSPACE") || !strings.Contains(tty.Stdout, "Rivers of Bohemia") || !strings.Contains(tty.Stdout, rivers.UUID) {
			t.Errorf("table on a terminal:\n%s", tty)
		}

		plain := h.Run("layers", "list")
		lines := strings.Split(strings.TrimSpace(plain.Stdout), "\n")
		if plain.Code != 0 || len(lines) != 2 || plain.Stderr != "" {
			t.Fatalf("table for a script:\n%s", plain)
		}
		fields := strings.Split(lines[0], "\t")
		if fields[0] != "alice" || fields[1] != "rivers" || fields[2] != "Rivers of Bohemia" || fields[len(fields)-1] != rivers.UUID {
			t.Errorf("tab-separated row without header: %q", lines[0])
		}

		js := h.Run("layers", "list", "-o", "json")
		var items []map[string]any
		if err := json.Unmarshal([]byte(js.Stdout), &items); err != nil || js.Code != 0 {
			t.Fatalf("json: %v\n%s", err, js)
		}
		// The server's JSON, not a re-encoding: fields the client has no
		// struct field for are kept.
		if len(items) != 2 || items[1]["uuid"] != roads.UUID || items[0]["wfs_wms_status"] != "AVAILABLE" || items[0]["used_in_maps"] == nil {
			t.Errorf("json items: %v", items)
		}

		yml := h.Run("layers", "list", "-o", "yaml")
		if yml.Code != 0 || !strings.Contains(yml.Stdout, "- workspace: alice\n") || !strings.Contains(yml.Stdout, "  name: roads\n") {
			t.Errorf("yaml:\n%s", yml)
		}

		jq := h.Run("layers", "list", "--jq", ".[].name")
		if jq.Code != 0 || jq.Stdout != "rivers\nroads\n" {
			t.Errorf("jq:\n%s", jq)
		}
	})
}

func TestListFiltersReachTheServer(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		h.SeedLayer("rivers", "Rivers of Bohemia")
		h.SeedLayer("roads", "Roads")
		r := h.Run("layers", "list", "--search", "rivers", "--order-by", "full_text", "--jq", ".[].name")
		if r.Code != 0 || r.Stdout != "rivers\n" {
			t.Errorf("search:\n%s", r)
		}
		r = h.Run("layers", "list", "--bbox", "-10,-10,-5,-5", "--bbox-crs", "EPSG:4326", "-o", "json")
		if r.Code != 0 || strings.TrimSpace(r.Stdout) != "[]" {
			t.Errorf("bbox outside every layer:\n%s", r)
		}
		r = h.Run("layers", "list", "--workspace", "alice", "--limit", "1", "--offset", "1", "--jq", ".[].name")
		if r.Code != 0 || r.Stdout != "roads\n" {
			t.Errorf("workspace, limit, offset:\n%s", r)
		}
	})
}

func TestListAllStreamsEveryPage(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		var want []string
		for i := range 5 {
			name := fmt.Sprintf("layer_%d", i)
			h.SeedLayer(name, "Layer "+name)
			want = append(want, name)
		}
		r := h.Run("layers", "list", "--all", "--limit", "2", "-o", "json")
		var items []struct{ Name string }
		if err := json.Unmarshal([]byte(r.Stdout), &items); err != nil || r.Code != 0 {
			t.Fatalf("%v\n%s", err, r)
		}
		var got []string
		for _, it := range items {
			got = append(got, it.Name)
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("items %v, want %v", got, want)
		}
		pages := h.Server.CountRequests("GET", "/rest/layers")
		if pages != 3 {
			t.Errorf("%d page requests for 5 items by 2, want 3: %v", pages, h.Requests())
		}

		// Tables and --jq stream the same pages.
		r = h.Run("layers", "list", "--all", "--limit", "2")
		if n := strings.Count(r.Stdout, "\n"); r.Code != 0 || n != 5 {
			t.Errorf("table rows %d, want 5:\n%s", n, r)
		}
		r = h.Run("layers", "list", "--all", "--limit", "2", "--jq", "length")
		if r.Stdout != "5\n" {
			t.Errorf("--jq over all pages:\n%s", r)
		}
	})
}

func TestListMoreHintOnTerminal(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		h.SeedLayer("a", "A")
		h.SeedLayer("b", "B")
		r := h.RunWith(cmdtest.TTY(""), "layers", "list", "--limit", "1")
		if r.Code != 0 || !strings.Contains(r.Stderr, "Showing 1-1 of 2 layers") {
			t.Errorf("no paging hint:\n%s", r)
		}
		if r := h.Run("layers", "list", "--limit", "1"); r.Stderr != "" {
			t.Errorf("paging hint without a terminal:\n%s", r)
		}
	})
}

func TestListIsOneRequestWithCachedGeneration(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		rivers := h.SeedLayer("rivers", "Rivers")
		// Warm the generation cache the way a first command does.
		if r := h.Run("layers", "get", rivers.UUID); r.Code != 0 {
			t.Fatalf("warm-up:\n%s", r)
		}
		for _, args := range [][]string{
			{"layers", "list", "-o", "json"},
			{"layers", "list", "-o", "json", "--workspace", "alice"},
		} {
			h.Server.ResetRequests()
			if r := h.Run(args...); r.Code != 0 {
				t.Fatalf("%v:\n%s", args, r)
			}
			if reqs := h.Requests(); len(reqs) != 1 {
				t.Errorf("%v: %d requests, want 1: %v", args, len(reqs), reqs)
			}
		}
	})
}
