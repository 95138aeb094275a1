package client_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/auth"
	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/client/laymantest"
)

func TestWFSHidesAPrivateLayerFromAnAnonymousCaller(t *testing.T) {
	srv := laymantest.New(t, laymantest.Options{Validator: laymantest.StaticTokens{"tok": {Username: "alice", Sub: "alice"}}})
	srv.AddUser("alice", laymantest.WithSub("alice"))
	id := srv.AddLayer("alice", "private", laymantest.Features(5), laymantest.Access([]string{"alice"}, []string{"alice"}))
	wfs := srv.URL + "/geoserver/layman/wfs"
	q := client.FeatureQuery{TypeName: "layman:l_" + id, PageSize: 2}

	anon, _ := client.New(srv.URL)
	var out bytes.Buffer
	_, err := anon.DownloadFeatures(context.Background(), wfs, q, client.FeatureFormats[0], &out, nil)
	if !client.IsHiddenLayer(err) || !strings.Contains(err.Error(), "Feature type layman:l_"+id+" unknown") {
		t.Fatalf("anonymous: %v", err)
	}

	owner, _ := client.New(srv.URL, client.WithHTTPClient(&http.Client{Transport: auth.Transport(srv.URL, auth.StaticSource("tok"), nil)}))
	out.Reset()
	n, err := owner.DownloadFeatures(context.Background(), wfs, q, client.FeatureFormats[0], &out, nil)
	if err != nil || n != 5 || strings.Count(out.String(), `"Feature"`) != 5 {
		t.Fatalf("owner: %d, %v\n%s", n, err, out.String())
	}
}

func TestOWSKeepsCredentialsOnTheServersOrigin(t *testing.T) {
	c, _ := client.New("http://127.0.0.1:1/")
	_, err := c.OWS(context.Background(), "http://127.0.0.2:1/geoserver/wfs", nil)
	if err == nil || !strings.Contains(err.Error(), "not on the Layman server's origin") {
		t.Fatalf("another origin: %v", err)
	}
}
