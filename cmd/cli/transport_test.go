package cli

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
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
	// Each round's requests are held until all of them have arrived: in
	// flight together, they need a connection each, and no more.
	arrived, release := make(chan struct{}), make(chan struct{})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		arrived <- struct{}{}
		<-release
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
		// A connection goes back to the pool just after its body is read:
		// the next round starts once every one is back, or refused.
		var wg, idle sync.WaitGroup
		idle.Add(workers)
		ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{PutIdleConn: func(err error) {
			if err != nil {
				t.Errorf("a connection was closed, not kept: %v", err)
			}
			idle.Done()
		}})
		for range workers {
			wg.Go(func() {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
				resp, err := c.Do(req)
				if err != nil {
					t.Error(err)
					idle.Done()
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			})
		}
		for range workers {
			<-arrived
		}
		for range workers {
			release <- struct{}{}
		}
		wg.Wait()
		idle.Wait()
	}
	if n := conns.Load(); n > workers {
		t.Errorf("%d connections for %d workers", n, workers)
	}
}
