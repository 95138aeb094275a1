package upload

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/laymanctl/laymanctl/auth"
	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/client/laymantest"
)

// Every URL set a 3.0.0-dev server may have (master builds of 2025-05 to
// 2026-06, and the pending maps-endpoint branch) serves every operation:
// the client finds each route's form instead of trusting the version.
func TestEveryMasterURLSet(t *testing.T) {
	for _, urls := range []laymantest.URLSet{laymantest.URLsMaster, laymantest.URLsBeforeUUID, laymantest.URLsMapUUID,
		laymantest.URLsLayerUUID, laymantest.URLsUnifiedLayers, laymantest.URLsUnifiedMaps} {
		t.Run("urls="+string(urls), func(t *testing.T) {
			e := newEnvWith(t, laymantest.Options{URLs: urls})
			ctx := testContext(t)
			dir := t.TempDir()
			small := randomFile(t, dir, "roads.geojson", 300)
			res, err := e.up.Publish(ctx, LayerParams{Workspace: "alice", Files: []string{small}})
			if err != nil {
				t.Fatalf("Publish: %v", err)
			}
			e.assertStored(t, res.Ref, small)

			e.up.Threshold, e.up.ChunkSize = 1, 1024
			big := randomFile(t, dir, "rivers.geojson", 5000)
			res, err = e.up.Publish(ctx, LayerParams{Workspace: "alice", Files: []string{big}})
			if err != nil {
				t.Fatalf("chunked Publish: %v", err)
			}
			if e.srv.ChunkRequests(res.Ref.UUID) == 0 {
				t.Error("no chunk reached the server")
			}
			e.assertStored(t, res.Ref, big)
			bigger := randomFile(t, dir, "rivers2.geojson", 4000)
			if _, err := e.up.Update(ctx, client.Ref{Workspace: "alice", Name: "rivers"}, LayerParams{Title: "Rivers", Files: []string{bigger}}); err != nil {
				t.Fatalf("chunked Update: %v", err)
			}
			e.assertStored(t, res.Ref, bigger)

			if l, err := e.client.Layers.Get(ctx, client.Ref{Workspace: "alice", Name: "rivers"}); err != nil || l.Title != "Rivers" {
				t.Fatalf("Get: %+v %v", l, err)
			}
			page, err := e.client.Layers.List(ctx, &client.ListOptions{Workspace: "alice"})
			if err != nil || len(page.Items) != 2 {
				t.Fatalf("List: %+v %v", page, err)
			}

			mapPath := writeFiles(t, map[string]string{"city.json": `{"describedBy":"https://raw.githubusercontent.com/hslayers/map-compositions/2.0.0/schema.json","schema_version":"2.0.0","name":"city","title":"City","abstract":"","projection":"epsg:3857","extent":[14,50,15,51],"nativeExtent":[1558472.87,6446275.84,1669792.36,6621293.72],"layers":[]}`})["city.json"]
			m, err := e.up.PublishMap(ctx, "alice", mapPath, MapParams{})
			if err != nil {
				t.Fatalf("PublishMap: %v", err)
			}
			if _, err := e.up.UpdateMap(ctx, client.Ref{Workspace: "alice", Name: m.Ref.Name}, "", MapParams{Title: "City 2"}); err != nil {
				t.Fatalf("UpdateMap: %v", err)
			}
			if _, err := Wait(ctx, e.client, client.Ref{Workspace: "alice", Name: "city"}, KindMap, nil); err != nil {
				t.Fatalf("Wait map: %v", err)
			}
			if maps, err := e.client.Maps.DeleteAll(ctx, "alice"); err != nil || len(maps) != 1 {
				t.Fatalf("Maps.DeleteAll: %+v %v", maps, err)
			}
			if _, err := e.client.Layers.Delete(ctx, client.Ref{Workspace: "alice", Name: "roads"}); err != nil {
				t.Fatalf("Delete: %v", err)
			}
			if _, ok := e.srv.Publication("alice:roads"); ok {
				t.Error("alice:roads still exists")
			}
		})
	}
}

// Master of 2025-09-29..2026-04-14 answers GET /rest/layers?workspace=alice
// with every workspace's layers. alice:x must still mean alice's x for
// every operation, never bob's.
func TestWorkspaceFilterIgnored(t *testing.T) {
	e := newEnvWith(t, laymantest.Options{URLs: laymantest.URLsLayerUUID})
	e.srv.AddUser("bob")
	bobs := e.srv.AddLayer("bob", "x")
	alices := e.srv.AddLayer("alice", "x")
	ctx := testContext(t)
	ref := client.Ref{Workspace: "alice", Name: "x"}

	if l, err := e.client.Layers.Get(ctx, ref); err != nil || l.UUID != alices {
		if err == nil {
			err = fmt.Errorf("got uuid %s", l.UUID)
		}
		t.Fatalf("Get alice:x = %v; want uuid %s", err, alices)
	}
	page, err := e.client.Layers.List(ctx, &client.ListOptions{Workspace: "alice"})
	if err != nil || len(page.Items) != 1 || page.Items[0].UUID != alices {
		t.Fatalf("List alice = %+v, %v", page, err)
	}
	res, err := e.up.Update(ctx, ref, LayerParams{Title: "Alice's x"})
	if err != nil || res.Ref.UUID != alices {
		t.Fatalf("Update = %+v, %v", res, err)
	}
	if _, err := Wait(ctx, e.client, ref, KindLayer, nil); err != nil {
		t.Fatal(err)
	}
	if info, _ := e.srv.Publication(bobs); info.Title != "x" {
		t.Errorf("bob's layer was changed: %+v", info)
	}
	if d, err := e.client.Layers.Delete(ctx, ref); err != nil || d.UUID != alices {
		t.Fatalf("Delete = %+v, %v", d, err)
	}
	if _, ok := e.srv.Publication(bobs); !ok {
		t.Fatal("deleting alice:x deleted bob:x")
	}
	if _, ok := e.srv.Publication(alices); ok {
		t.Error("alice:x still exists")
	}
}

// staleCache says the server is 2.x: it was, before an upgrade to 3.x.
type staleCache struct{}

func (staleCache) Load(string) (client.Generation, time.Time, bool) {
	return client.Gen2, time.Now(), true
}
func (staleCache) Store(string, client.Generation, time.Time) error { return nil }

// A generation cached before the server was upgraded from 2.x is re-probed
// by writes too: publish, update, wait and chunk uploads find the 3.x URLs.
func TestStaleGenerationReprobedOnWrites(t *testing.T) {
	e := newEnvWith(t, laymantest.Options{})
	c, err := client.New(e.srv.URL, client.WithGenerationCache(staleCache{}),
		client.WithHTTPClient(&http.Client{Transport: auth.Transport(e.srv.URL, e.tokens, nil)}))
	if err != nil {
		t.Fatal(err)
	}
	up := &Uploader{Client: c, Retry: fastRetry, Threshold: 1, ChunkSize: 1024}
	ctx := testContext(t)
	f := randomFile(t, t.TempDir(), "roads.geojson", 3000)
	res, err := up.Publish(ctx, LayerParams{Workspace: "alice", Files: []string{f}})
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if _, err := Wait(ctx, c, client.Ref{Workspace: "alice", Name: res.Ref.Name}, KindLayer, nil); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	if _, err := up.Update(ctx, client.Ref{Workspace: "alice", Name: "roads"}, LayerParams{Title: "Roads"}); err != nil {
		t.Fatalf("Update: %v", err)
	}
	if info, _ := e.srv.Publication(res.Ref.UUID); info.Title != "Roads" {
		t.Errorf("after update: %+v", info)
	}
}
