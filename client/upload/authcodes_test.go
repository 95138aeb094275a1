package upload

import (
	"errors"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/client/laymantest"
)

// introspectionDown is Layman's answer while it cannot reach its
// introspection endpoint (authn/oauth2/__init__.py, sub_code 8).
const introspectionDown = `{"code": 32, "message": "Unsuccessful OAuth2 authentication.", "sub_code": 8, "detail": "Introspection endpoint is not reachable or returned status code other than 200."}`

// Sub_code 8 mid-upload spends no refresh token and leaves the upload
// resumable; the resume then finishes it.
func TestIntrospectionDownMidUpload(t *testing.T) {
	e := newEnv(t, 3)
	e.up.ChunkSize = 64 * KiB
	e.up.Parallel = 1
	var n atomic.Int64
	e.srv.SetFault(func(r *http.Request) laymantest.Fault {
		if isChunkPost(r) && n.Add(1) > 10 {
			return laymantest.Fault{Status: http.StatusForbidden, Body: introspectionDown}
		}
		return laymantest.Fault{}
	})
	p := randomFile(t, t.TempDir(), "ortho.tif", 2*MiB)
	ctx := testContext(t)
	_, err := e.up.Publish(ctx, LayerParams{Workspace: "alice", Files: []string{p}})
	var ie *InterruptedError
	if !errors.As(err, &ie) || !client.IsAuthUnverifiable(err) {
		t.Fatalf("Publish = %v, want a resumable upload stopped by sub_code 8", err)
	}
	if e.tokens.refreshes != 0 {
		t.Errorf("%d refreshes spent on a server fault", e.tokens.refreshes)
	}
	e.srv.SetFault(nil)
	res, err := e.up.Resume(ctx, ie.Ref, ie.Files)
	if err != nil {
		t.Fatalf("Resume: %v", err)
	}
	e.assertStored(t, res.Ref, p)
}
