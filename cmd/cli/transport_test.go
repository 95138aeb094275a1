package cli

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
)

// Parallel chunk uploads keep a connection per worker: four requests at a
// time, ten times over, open four connections, not two more each round
// (with TLS, each one a handshake).
func TestParallelRequestsReuseConnections(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	ios, _, _, _ := Test()
	f := NewFactory(ios, BuildInfo{})
	config := filepath.Join(t.TempDir(), "config.yaml")
	f.Env = func(k string) string {
		if k == "LAYMAN_CONFIG" {
			return config
		}
		return ""
	}
	c, err := f.HTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	const workers = 4
	for range 10 {
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				resp, err := c.Get(srv.URL)
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			})
		}
		wg.Wait()
	}
	if n := conns.Load(); n > workers {
		t.Errorf("%d connections for %d workers", n, workers)
	}
}
