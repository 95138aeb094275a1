package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

const layerDetail = `{"name":"roads","uuid":"` + uuid1 + `","url":"http://x/rest/layers/` + uuid1 + `","title":"Roads","description":"d",
"updated_at":"2024-03-18T09:29:53.769233+00:00","layman_metadata":{"publication_status":"INCOMPLETE"},
"wms":{"url":"http://x/geoserver/wms","name":"l_` + uuid1 + `"},
"wfs":{"url":"http://x/geoserver/wfs","status":"FAILURE","error":{"code":52,"message":"GeoServer HTTP or connection error","detail":"timeout"}},
"thumbnail":{"url":"http://x/thumb","path":"p","status":"NOT_AVAILABLE"},
"file":{"paths":["layers/x/input_file/roads.geojson"]},"db":{"schema":"ws","table":"t","geo_column":"wkb_geometry"},
"style":{"url":"http://x/style","type":"sld"},"metadata":{"identifier":"m-1","csw_url":"http://x/csw"},
"access_rights":{"read":["EVERYONE"],"write":["ws"]},"bounding_box":[1,2,3,4],"native_crs":"EPSG:4326",
"native_bounding_box":[null,null,null,null],"geodata_type":"vector","original_data_source":"file","used_in_maps":[]}`

const mapDetail = `{"name":"city","uuid":"` + uuid2 + `","url":"http://x/rest/maps/` + uuid2 + `","title":"City","description":"",
"updated_at":"2024-03-18T09:29:53+00:00","layman_metadata":{"publication_status":"COMPLETE"},
"file":{"url":"http://x/file","path":"maps/x/input_file/city.json"},"thumbnail":{"url":"http://x/thumb","path":"p"},
"access_rights":{"read":["EVERYONE"],"write":["ws"]},"bounding_box":[1,2,3,4],"native_crs":"EPSG:3857","native_bounding_box":[1,2,3,4]}`

// Every Ref form on every generation ends at the URL that generation uses.
func TestLayersGetBothGenerations(t *testing.T) {
	tests := []struct {
		name string
		gen  Generation
		ref  Ref
		want []string
	}{
		{"3.x by uuid", Gen3, Ref{UUID: uuid1}, []string{"GET /prefix/rest/layers/" + uuid1}},
		{"3.x by name", Gen3, Ref{Workspace: "ws", Name: "roads"}, []string{
			"GET /prefix/rest/layers?limit=500&workspace=ws", "GET /prefix/rest/layers/" + uuid1}},
		{"2.x by name", Gen2, Ref{Workspace: "ws", Name: "roads"}, []string{"GET /prefix/rest/workspaces/ws/layers/roads"}},
		{"2.x by uuid", Gen2, Ref{UUID: uuid1}, []string{
			"GET /prefix/rest/layers?limit=500", "GET /prefix/rest/workspaces/ws/layers/roads"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t)
			ts.handle("GET /rest/layers", func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Query().Get("workspace") == "ws" {
					jsonAnswer(200, "["+pubJSON("layer", "ws", "roads", uuid1)+"]")(w, r)
					return
				}
				w.Header().Set("X-Total-Count", "2")
				jsonAnswer(200, "["+pubJSON("layer", "other", "x", uuid2)+","+pubJSON("layer", "ws", "roads", uuid1)+"]")(w, r)
			})
			ts.json("GET /rest/layers/{uuid}", 200, layerDetail)
			ts.json("GET /rest/workspaces/ws/layers/roads", 200, layerDetail)
			l, err := ts.gen(tt.gen).Layers.Get(ctxT(t), tt.ref)
			if err != nil {
				t.Fatal(err)
			}
			ts.expectRequests(tt.want...)
			if l.Name != "roads" || l.UUID != uuid1 || l.WFS.Error == nil || l.DB.GeoColumn != "wkb_geometry" || l.NativeBoundingBox != nil {
				t.Errorf("decoded layer: %+v", l)
			}
			var back map[string]any
			if b, _ := json.Marshal(l); json.Unmarshal(b, &back) != nil || back["original_data_source"] != "file" {
				t.Errorf("marshalling a layer does not give the server's JSON: %v", back)
			}
		})
	}
}

func TestLayerStatus(t *testing.T) {
	var l Layer
	if err := json.Unmarshal([]byte(layerDetail), &l); err != nil {
		t.Fatal(err)
	}
	st := l.Status()
	if st.Publication != StatusIncomplete || !st.Done() {
		t.Errorf("publication status %q", st.Publication)
	}
	if len(st.Sources) != 2 || st.Sources[0].Source != "wfs" || st.Sources[1].Source != "thumbnail" {
		t.Fatalf("sources %+v", st.Sources)
	}
	if got := st.Sources[0].Error.Error(); got != "Layman error 52: GeoServer HTTP or connection error: timeout" {
		t.Errorf("source error %q", got)
	}
	var m Map
	if err := json.Unmarshal([]byte(mapDetail), &m); err != nil {
		t.Fatal(err)
	}
	if st := m.Status(); st.Publication != StatusComplete || len(st.Sources) != 0 {
		t.Errorf("map status %+v", st)
	}
	if (Status{Publication: StatusUpdating}).Done() {
		t.Error("UPDATING reported as done")
	}
}

func TestMapsBothGenerations(t *testing.T) {
	for _, tt := range []struct {
		name  string
		gen   Generation
		ref   Ref
		lists []string
		item  string
	}{
		{"3.x by uuid", Gen3, Ref{UUID: uuid2}, nil, "/prefix/rest/maps/" + uuid2},
		{"3.x by name", Gen3, Ref{Workspace: "ws", Name: "city"}, []string{"GET /prefix/rest/workspaces/ws/maps?limit=500"}, "/prefix/rest/maps/" + uuid2},
		{"2.x by name", Gen2, Ref{Workspace: "ws", Name: "city"}, nil, "/prefix/rest/workspaces/ws/maps/city"},
		{"2.x by uuid", Gen2, Ref{UUID: uuid2}, []string{"GET /prefix/rest/maps?limit=500"}, "/prefix/rest/workspaces/ws/maps/city"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t)
			list := jsonAnswer(200, "["+pubJSON("map", "ws", "city", uuid2)+"]")
			ts.handle("GET /rest/maps", list)
			ts.handle("GET /rest/workspaces/ws/maps", list)
			for _, p := range []string{"/rest/maps/{uuid}", "/rest/workspaces/ws/maps/city"} {
				ts.json("GET "+p, 200, mapDetail)
				ts.json("DELETE "+p, 200, `{"name":"city","uuid":"`+uuid2+`","url":"u"}`)
				ts.handle("GET "+p+"/file", func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "application/json")
					io.WriteString(w, `{"describedBy":"x"}`)
				})
				ts.handle("GET "+p+"/thumbnail", func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "image/png")
					io.WriteString(w, "\x89PNG")
				})
			}
			c := ts.gen(tt.gen)
			ctx := ctxT(t)
			m, err := c.Maps.Get(ctx, tt.ref)
			if err != nil || m.Name != "city" || m.File.Path == "" {
				t.Fatalf("Get: %+v, %v", m, err)
			}
			body, ctype, err := c.Maps.File(ctx, tt.ref)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(body)
			body.Close()
			if string(b) != `{"describedBy":"x"}` || ctype != "application/json" {
				t.Errorf("File: %q %q", b, ctype)
			}
			body, ctype, err = c.Maps.Thumbnail(ctx, tt.ref)
			if err != nil {
				t.Fatal(err)
			}
			b, _ = io.ReadAll(body)
			body.Close()
			if string(b) != "\x89PNG" || ctype != "image/png" {
				t.Errorf("Thumbnail: %q %q", b, ctype)
			}
			d, err := c.Maps.Delete(ctx, tt.ref)
			if err != nil || d.UUID != uuid2 || d.Name != "city" {
				t.Fatalf("Delete: %+v, %v", d, err)
			}
			var want []string
			for _, suffix := range []string{"", "/file", "/thumbnail"} {
				want = append(want, tt.lists...)
				want = append(want, "GET "+tt.item+suffix)
			}
			want = append(want, tt.lists...)
			want = append(want, "DELETE "+tt.item)
			ts.expectRequests(want...)
		})
	}
}

func TestLayersStyleThumbnailDelete(t *testing.T) {
	for _, tt := range []struct {
		gen  Generation
		ref  Ref
		item string
	}{
		{Gen3, Ref{UUID: uuid1}, "/prefix/rest/layers/" + uuid1},
		{Gen2, Ref{Workspace: "ws", Name: "roads"}, "/prefix/rest/workspaces/ws/layers/roads"},
	} {
		t.Run(tt.gen.String(), func(t *testing.T) {
			ts := newTestServer(t)
			p := strings.TrimPrefix(tt.item, "/prefix")
			ts.handle("GET "+p+"/style", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/vnd.ogc.sld+xml")
				io.WriteString(w, "<StyledLayerDescriptor/>")
			})
			ts.handle("GET "+p+"/thumbnail", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "image/png")
				io.WriteString(w, "png")
			})
			ts.json("DELETE "+p, 200, `{"name":"roads","uuid":"`+uuid1+`","url":"u"}`)
			c := ts.gen(tt.gen)
			ctx := ctxT(t)
			body, ctype, err := c.Layers.Style(ctx, tt.ref)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(body)
			body.Close()
			if string(b) != "<StyledLayerDescriptor/>" || ctype != "application/vnd.ogc.sld+xml" {
				t.Errorf("Style: %q %q", b, ctype)
			}
			body, _, err = c.Layers.Thumbnail(ctx, tt.ref)
			if err != nil {
				t.Fatal(err)
			}
			body.Close()
			if d, err := c.Layers.Delete(ctx, tt.ref); err != nil || d.UUID != uuid1 {
				t.Fatalf("Delete: %+v %v", d, err)
			}
			ts.expectRequests("GET "+tt.item+"/style", "GET "+tt.item+"/thumbnail", "DELETE "+tt.item)
		})
	}
}

func TestDeleteAll(t *testing.T) {
	deleted := "[" + pubJSON("layer", "ws", "a", uuid1) + "," + pubJSON("layer", "ws", "b", uuid2) + "]"
	for _, tt := range []struct {
		gen        Generation
		layersPath string
	}{
		{Gen3, "/prefix/rest/layers?workspace=ws"},
		{Gen2, "/prefix/rest/workspaces/ws/layers"},
	} {
		t.Run(tt.gen.String(), func(t *testing.T) {
			ts := newTestServer(t)
			ts.json("DELETE /rest/layers", 200, deleted)
			ts.json("DELETE /rest/workspaces/ws/layers", 200, deleted)
			ts.json("DELETE /rest/workspaces/ws/maps", 200, "[]")
			c := ts.gen(tt.gen)
			got, err := c.Layers.DeleteAll(ctxT(t), "ws")
			if err != nil || len(got) != 2 || got[1].Name != "b" {
				t.Fatalf("layers: %+v %v", got, err)
			}
			if got, err := c.Maps.DeleteAll(ctxT(t), "ws"); err != nil || len(got) != 0 {
				t.Fatalf("maps: %+v %v", got, err)
			}
			if _, err := c.Maps.DeleteAll(ctxT(t), "Bad-Name"); err == nil {
				t.Error("invalid workspace accepted")
			}
			ts.expectRequests("DELETE "+tt.layersPath, "DELETE /prefix/rest/workspaces/ws/maps")
		})
	}
}

func TestResolveNotFound(t *testing.T) {
	ts := newTestServer(t)
	ts.json("GET /rest/layers", 200, "["+pubJSON("layer", "ws", "other", uuid2)+"]")
	_, err := ts.gen(Gen3).Layers.Get(ctxT(t), Ref{Workspace: "ws", Name: "roads"})
	var nf *NotFoundError
	if !errors.As(err, &nf) || !IsNotFound(err) || err.Error() != "layer ws:roads was not found" {
		t.Fatalf("err = %v", err)
	}
	_, err = ts.gen(Gen2).Layers.Delete(ctxT(t), Ref{UUID: uuid1})
	if !IsNotFound(err) || !strings.Contains(err.Error(), uuid1) {
		t.Fatalf("2.x err = %v", err)
	}
	ts.expectRequests("GET /prefix/rest/layers?limit=500&workspace=ws", "GET /prefix/rest/layers?limit=500")
}

// Resolving a UUID on 2.x streams through every page of the list.
func TestResolveAcrossPages(t *testing.T) {
	ts := newTestServer(t)
	ts.handle("GET /rest/layers", func(w http.ResponseWriter, r *http.Request) {
		offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		w.Header().Set("X-Total-Count", "1001")
		items := make([]string, 0, 500)
		for i := offset; i < min(offset+500, 1001); i++ {
			id := uuid2
			if i == 1000 {
				id = uuid1
			}
			items = append(items, pubJSON("layer", "ws", fmt.Sprintf("l%d", i), id))
		}
		jsonAnswer(200, "["+strings.Join(items, ",")+"]")(w, r)
	})
	ts.json("GET /rest/workspaces/ws/layers/l1000", 200, layerDetail)
	if _, err := ts.gen(Gen2).Layers.Get(ctxT(t), Ref{UUID: uuid1}); err != nil {
		t.Fatal(err)
	}
	ts.expectRequests("GET /prefix/rest/layers?limit=500", "GET /prefix/rest/layers?limit=500&offset=500",
		"GET /prefix/rest/layers?limit=500&offset=1000", "GET /prefix/rest/workspaces/ws/layers/l1000")
}
