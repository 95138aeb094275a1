package upload

import (
	"errors"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/client"
)

// What only Layman 2.4 takes (an image mosaic without --time-regex,
// --file-path, --append) reaches a 2.4 server and is refused on others
// before any POST or PATCH.
func TestLayman24Features(t *testing.T) {
	generations(t, func(t *testing.T, gen int) {
		e := newEnv(t, gen)
		ctx := testContext(t)
		dir := t.TempDir()
		refused := func(what string, err error) {
			t.Helper()
			var ve *ValidationError
			if !errors.As(err, &ve) || !strings.Contains(ve.Error(), "needs Layman 2.4") {
				t.Errorf("%s on gen %d: %v, want refused locally", what, gen, err)
			}
			if n := e.srv.CountRequests("POST", "/rest/") + e.srv.CountRequests("PATCH", "/rest/"); n != 0 {
				t.Errorf("%s on gen %d: %d writes sent", what, gen, n)
			}
		}

		mosaic := []string{randomFile(t, dir, "a.tif", 500), randomFile(t, dir, "b.tif", 500)}
		res, err := e.up.Publish(ctx, LayerParams{Workspace: "alice", Name: "mosaic", Files: mosaic})
		if gen == 2 {
			if err != nil {
				t.Fatalf("mosaic: %v", err)
			}
			if l, err := e.client.Layers.Get(ctx, res.Ref); err != nil || !l.ImageMosaic {
				t.Errorf("mosaic: image_mosaic false (%v)", err)
			}
		} else {
			refused("a mosaic", err)
		}

		_, err = e.up.Publish(ctx, LayerParams{Workspace: "alice", Name: "fp", FilePath: "ortho/2024.tif"})
		if gen == 2 {
			if err != nil {
				t.Fatalf("--file-path: %v", err)
			}
			if info, ok := e.srv.Publication("alice:fp"); !ok || info.Type != "layer" {
				t.Errorf("--file-path layer: %+v", info)
			}
		} else {
			refused("--file-path", err)
		}

		if gen == 2 {
			first := randomFile(t, dir, "s_20240101.tif", 500)
			if _, err := e.up.Publish(ctx, LayerParams{Workspace: "alice", Name: "ts", Files: []string{first}, TimeRegex: "[0-9]{8}"}); err != nil {
				t.Fatal(err)
			}
		} else {
			e.srv.AddLayer("alice", "ts")
		}
		second := randomFile(t, dir, "s_20240201.tif", 500)
		res, err = e.up.Update(ctx, client.Ref{Workspace: "alice", Name: "ts"}, LayerParams{Files: []string{second}, Append: true})
		if gen == 2 {
			if err != nil {
				t.Fatalf("--append: %v", err)
			}
			if _, ok := e.srv.FileSHA256(res.Ref.UUID, "s_20240101.tif"); !ok {
				t.Error("--append replaced the first granule")
			}
			e.assertStored(t, res.Ref, second)
		} else {
			refused("--append", err)
		}
	})
}
