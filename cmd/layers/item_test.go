package layers_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/client/laymantest"
	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

var pngMagic = []byte("\x89PNG\r\n\x1a\n")

func TestGetByUUIDAndName(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		rivers := h.SeedLayer("rivers", "Rivers of Bohemia")
		for _, ref := range []string{rivers.UUID, strings.ToUpper(rivers.UUID), "alice:rivers"} {
			r := h.Run("layers", "get", ref, "-o", "json")
			var l map[string]any
			if err := json.Unmarshal([]byte(r.Stdout), &l); err != nil || r.Code != 0 {
				t.Fatalf("%s: %v\n%s", ref, err, r)
			}
			if l["uuid"] != rivers.UUID || l["title"] != "Rivers of Bohemia" || l["layman_metadata"] == nil {
				t.Errorf("%s: %v", ref, l)
			}
		}
		r := h.RunWith(cmdtest.TTY(""), "layers", "get", "alice:rivers")
		// Column widths follow the longest field name; compare words.
		words := strings.Join(strings.Fields(r.Stdout), " ")
		for _, want := range []string{"FIELD", "title Rivers of Bohemia", "status COMPLETE", rivers.UUID} {
			if !strings.Contains(words, want) {
				t.Errorf("table lacks %q:\n%s", want, r)
			}
		}
	})
}

func TestLaymanErrorIsShownWithDetail(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		// Each generation is asked by what it addresses layers with, so the
		// answer is Layman's own error.
		ref := map[int]string{2: "alice:missing", 3: "0b4ea2a1-9c5e-4c4c-8f5a-1f0e7a3c2b11"}[h.Generation]
		r := h.Run("layers", "get", ref)
		if r.Code != 1 || !strings.Contains(r.Stderr, "Layman error 15 (HTTP 404): Layer was not found") || r.Stdout != "" {
			t.Errorf("not found:\n%s", r)
		}
		if h.Generation == 3 && !strings.Contains(r.Stderr, ref) {
			t.Errorf("detail (the uuid) missing:\n%s", r)
		}
	})
}

func TestDelete(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		a := h.SeedLayer("a", "A")
		b := h.SeedLayer("b", "B")
		h.SeedLayer("c", "C")
		h.SeedLayer("d", "D")

		// No terminal and no --yes: refused before any request.
		r := h.Run("layers", "delete", "alice:a")
		if r.Code != 2 || !strings.Contains(r.Stderr, "--yes") {
			t.Errorf("without --yes in a script:\n%s", r)
		}
		h.ExpectNoRequests()

		// Declined on a terminal: nothing deleted.
		r = h.RunWith(cmdtest.TTY("n\n"), "layers", "delete", "alice:a")
		if r.Code != 1 || !strings.Contains(r.Stderr, "Delete layer alice:a? [y/N]") {
			t.Errorf("declined:\n%s", r)
		}
		if n := h.Server.CountRequests("DELETE", "/"); n != 0 {
			t.Errorf("%d DELETE requests after declining", n)
		}
		if _, ok := h.Server.Publication(a.UUID); !ok {
			t.Fatal("declined delete removed the layer")
		}

		// Accepted on a terminal.
		r = h.RunWith(cmdtest.TTY("y\n"), "layers", "delete", a.UUID)
		if r.Code != 0 || !strings.Contains(r.Stderr, "Deleted layer "+a.UUID) {
			t.Errorf("accepted:\n%s", r)
		}
		if _, ok := h.Server.Publication(a.UUID); ok {
			t.Error("layer still there after a confirmed delete")
		}

		// --yes in a script, several refs, JSON answer.
		r = h.Run("layers", "delete", "alice:b", "alice:c", "--yes", "-o", "json")
		var deleted []map[string]any
		if err := json.Unmarshal([]byte(r.Stdout), &deleted); err != nil || r.Code != 0 || len(deleted) != 2 || deleted[0]["uuid"] != b.UUID {
			t.Errorf("--yes: %v\n%s", err, r)
		}

		// Every layer of a workspace.
		h.SeedLayer("e", "E")
		r = h.Run("layers", "delete", "--workspace", "alice", "--all", "--yes")
		if r.Code != 0 || !strings.Contains(r.Stderr, "Deleted 2 layers in workspace alice") {
			t.Errorf("--all:\n%s", r)
		}
		for _, ref := range []string{"alice:d", "alice:e"} {
			if _, ok := h.Server.Publication(ref); ok {
				t.Errorf("%s survived --all", ref)
			}
		}
	})
}

func TestWaitComplete(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{ProcessingPolls: 2}, func(t *testing.T, h *cmdtest.Harness) {
		h.SeedLayer("rivers", "Rivers")
		r := h.RunWith(cmdtest.RunOptions{ErrTTY: true}, "layers", "wait", "alice:rivers", "--timeout", "30s")
		if r.Code != 0 || !strings.HasPrefix(r.Stdout, "alice\trivers\t") || !strings.HasSuffix(r.Stdout, "\tCOMPLETE\n") {
			t.Errorf("wait:\n%s", r)
		}
		if !strings.Contains(r.Stderr, "UPDATING") || !strings.Contains(r.Stderr, "COMPLETE") {
			t.Errorf("no progress on a terminal:\n%s", r)
		}
	})
}

func TestWaitIncompleteExitsFive(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		rivers := h.SeedLayer("rivers", "Rivers")
		h.Server.SetIncomplete(rivers.UUID, "wms", `{"code":53,"message":"Error querying GeoServer","detail":"GeoServer refused the layer"}`)
		r := h.Run("layers", "wait", rivers.UUID, "-o", "json")
		if r.Code != 5 {
			t.Errorf("exit %d, want 5:\n%s", r.Code, r)
		}
		if !strings.Contains(r.Stderr, "INCOMPLETE") || !strings.Contains(r.Stderr, "wms") || !strings.Contains(r.Stderr, "GeoServer refused the layer") {
			t.Errorf("failing source's error not shown:\n%s", r)
		}
		if !json.Valid([]byte(r.Stdout)) || !strings.Contains(r.Stdout, "INCOMPLETE") {
			t.Errorf("final state not printed as data:\n%s", r)
		}
	})
}

func TestDownloads(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		rivers := h.SeedLayer("rivers", "Rivers")
		dir := t.TempDir()

		out := filepath.Join(dir, "rivers.png")
		r := h.Run("layers", "thumbnail", rivers.UUID, "-O", out)
		data, err := os.ReadFile(out)
		if r.Code != 0 || err != nil || !bytes.HasPrefix(data, pngMagic) || r.Stdout != "" {
			t.Errorf("thumbnail -O: %v\n%s", err, r)
		}

		r = h.Run("layers", "thumbnail", "alice:rivers")
		if r.Code != 0 || !strings.HasPrefix(r.Stdout, string(pngMagic)) {
			t.Errorf("thumbnail to a pipe:\n%s", r)
		}

		h.Server.ResetRequests()
		r = h.RunWith(cmdtest.TTY(""), "layers", "thumbnail", "alice:rivers")
		if r.Code != 2 || !strings.Contains(r.Stderr, "-O FILE") || r.Stdout != "" {
			t.Errorf("thumbnail to a terminal:\n%s", r)
		}
		h.ExpectNoRequests()

		sld := filepath.Join(dir, "rivers.sld")
		r = h.Run("layers", "style", "alice:rivers", "-O", sld)
		data, err = os.ReadFile(sld)
		if r.Code != 0 || err != nil || !bytes.Contains(data, []byte("StyledLayerDescriptor")) {
			t.Errorf("style -O: %v\n%s", err, r)
		}
		r = h.RunWith(cmdtest.TTY(""), "layers", "style", "alice:rivers")
		if r.Code != 0 || !strings.Contains(r.Stdout, "StyledLayerDescriptor") {
			t.Errorf("style (text) on a terminal:\n%s", r)
		}
	})
}

func TestFailedDownloadLeavesNoFile(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		rivers := h.SeedLayer("rivers", "Rivers")
		h.Server.SetIncomplete(rivers.UUID, "thumbnail", laymantest.ErrorJSON(16, nil))
		dir := t.TempDir()
		out := filepath.Join(dir, "rivers.png")
		if err := os.WriteFile(out, []byte("previous"), 0o600); err != nil {
			t.Fatal(err)
		}
		r := h.Run("layers", "thumbnail", "alice:rivers", "-O", out)
		if r.Code != 1 || !strings.Contains(r.Stderr, "Layman error 16") {
			t.Errorf("missing thumbnail:\n%s", r)
		}
		entries, _ := os.ReadDir(dir)
		data, _ := os.ReadFile(out)
		if len(entries) != 1 || string(data) != "previous" {
			t.Errorf("directory after a failed download: %v, file %q", entries, data)
		}
	})
}
