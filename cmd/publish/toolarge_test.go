package publish_test

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/laymanctl/laymanctl/client/laymantest"
	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

// proxyLimit is the request body limit of the reverse proxy in front of
// the fake: below laymanctl's default 1 MiB chunks.
const proxyLimit = 512 << 10

// limitingProxy is a reverse proxy to the harness's Layman that answers
// bodies over proxyLimit with nginx's 413 page, and points laymanctl at it.
func limitingProxy(t *testing.T, h *cmdtest.Harness) (refused *atomic.Int64) {
	t.Helper()
	return limitingProxyWhen(t, h, func() bool { return true })
}

// limitingProxyWhen is limitingProxy refusing only while limit() is true.
func limitingProxyWhen(t *testing.T, h *cmdtest.Harness, limit func() bool) (refused *atomic.Int64) {
	t.Helper()
	target, err := url.Parse(h.Server.URL)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	refused = new(atomic.Int64)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > proxyLimit && limit() {
			refused.Add(1)
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			_, _ = w.Write([]byte("<html><head><title>413 Request Entity Too Large</title></head><body><center><h1>413 Request Entity Too Large</h1></center><hr><center>nginx</center></body></html>"))
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	t.Setenv("LAYMAN_SERVER", proxy.URL)
	return refused
}

// A proxy refusing 1 MiB chunks: publish deletes the layer it just created
// and publishes it again in smaller chunks, by itself, saying so.
func TestPublishThroughBodyLimitingProxy(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		refused := limitingProxy(t, h)
		content := laymantest.GeoJSON(20<<20, 3)
		path := write(t, t.TempDir(), "rivers.geojson", content)
		r := h.Run("layers", "publish", "-w", ws, path, "--wait")
		if r.Code != 0 {
			t.Fatalf("publish through the proxy: %s", r)
		}
		if refused.Load() == 0 {
			t.Fatal("the proxy refused nothing: the test does not test the limit")
		}
		if !strings.Contains(r.Stderr, "HTTP 413") || !strings.Contains(r.Stderr, "publishing it again in 256KiB chunks") {
			t.Errorf("stderr does not say that the layer is published again in smaller chunks:\n%s", r.Stderr)
		}
		info, ok := h.Server.Publication("layer:" + ws + ":rivers")
		if !ok || info.Status != "COMPLETE" {
			t.Fatalf("layer after publish: %+v (found %v), want COMPLETE", info, ok)
		}
		if got, _ := h.Server.FileSHA256("layer:"+ws+":rivers", "rivers.geojson"); got != laymantest.SHA256File(t, path) {
			t.Error("the server's file differs from the local one")
		}
	})
}

// An update refused by the proxy cannot be redone (Layman keeps the
// refused upload's directory, so the next update goes in one request, which
// the proxy refuses too): the commands printed are the ones that work, at
// once, and running them puts the data on the server.
func TestUpdateThroughBodyLimitingProxyPrintsWorkingCommands(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		h.SeedLayer("rivers", "Rivers")
		limitingProxy(t, h)
		content := laymantest.GeoJSON(4<<20, 4)
		path := write(t, t.TempDir(), "rivers.geojson", content)
		r := h.Run("layers", "update", ws+":rivers", path)
		if r.Code != 1 || !strings.Contains(r.Stderr, "HTTP 413") {
			t.Fatalf("update through the proxy: %s\nwant exit 1 naming the 413", r)
		}
		steps := printedCommands(r.Stderr)
		if len(steps) != 2 || steps[0][1] != "delete" || steps[1][1] != "publish" || !strings.Contains(r.Stderr, "--chunk-size 256KiB") {
			t.Fatalf("want a delete and a publish command with smaller chunks, got:\n%s", r.Stderr)
		}
		runPrinted(t, h, steps)
		info, ok := h.Server.Publication("layer:" + ws + ":rivers")
		if !ok || info.Status != "COMPLETE" {
			t.Fatalf("layer after the printed commands: %+v (found %v), want COMPLETE", info, ok)
		}
		if got, _ := h.Server.FileSHA256("layer:"+ws+":rivers", "rivers.geojson"); got != laymantest.SHA256File(t, path) {
			t.Error("the server's file differs from the local one")
		}
	})
}

// printedCommands are the command lines stderr shows indented, each split
// at && into the arguments of its laymanctl runs.
func printedCommands(stderr string) [][]string {
	var steps [][]string
	for _, line := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(line, "  laymanctl ") {
			for _, cmd := range strings.Split(line, " && ") {
				steps = append(steps, strings.Fields(cmd)[1:])
			}
		}
	}
	return steps
}

// runPrinted runs the printed commands in order, the last with --wait; each
// must succeed.
func runPrinted(t *testing.T, h *cmdtest.Harness, steps [][]string) {
	t.Helper()
	for i, step := range steps {
		if i == len(steps)-1 {
			step = append(step, "--wait")
		}
		if s := h.Run(step...); s.Code != 0 {
			t.Fatalf("%s: %s", strings.Join(step, " "), s)
		}
	}
}

// An upload interrupted in 1 MiB chunks and resumed through a proxy that
// refuses them: the resume prints the commands that work (not the resume
// again), and running them puts the data on the server. The proxy is
// there from the start (the journal knows the upload), or only for the
// resume (laymanctl knows the layer by its UUID only).
func TestResumeThroughBodyLimitingProxyPrintsWorkingCommands(t *testing.T) {
	for _, fromStart := range []bool{true, false} {
		t.Run(map[bool]string{true: "proxy from the start", false: "proxy for the resume"}[fromStart], func(t *testing.T) {
			cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
				var limit atomic.Bool
				if fromStart {
					limitingProxyWhen(t, h, limit.Load)
				}
				path := write(t, t.TempDir(), "rivers.geojson", laymantest.GeoJSON(4<<20, 5))
				var n atomic.Int64
				h.Server.SetFault(func(r *http.Request) laymantest.Fault {
					if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/chunk") && n.Add(1) > 1 {
						// An expired login: resumable, not retried.
						return laymantest.Fault{Status: http.StatusForbidden, Body: laymantest.ErrorJSON(32, nil)}
					}
					return laymantest.Fault{}
				})
				r := h.Run("layers", "publish", "-w", ws, path, "--parallel", "1", "--no-wait")
				_, resume, ok := strings.Cut(r.Stderr, "resume with: ")
				if r.Code != 1 || !ok {
					t.Fatalf("the interrupted publish should exit 1 with a resume command:\n%s", r)
				}
				h.Server.SetFault(nil)
				limit.Store(true)
				if !fromStart {
					limitingProxy(t, h)
				}
				r = h.Run(strings.Fields(strings.SplitN(resume, "\n", 2)[0])[1:]...)
				if r.Code != 1 || !strings.Contains(r.Stderr, "HTTP 413") {
					t.Fatalf("resume through the proxy: %s\nwant exit 1 naming the 413", r)
				}
				steps := printedCommands(r.Stderr)
				if len(steps) != 2 || steps[0][1] != "delete" || steps[1][1] != "publish" || strings.Contains(r.Stderr, "resume with") {
					t.Fatalf("want only a delete and a publish command, got:\n%s", r.Stderr)
				}
				runPrinted(t, h, steps)
				if got, _ := h.Server.FileSHA256("layer:"+ws+":rivers", "rivers.geojson"); got != laymantest.SHA256File(t, path) {
					t.Error("the server's file differs from the local one")
				}
			})
		})
	}
}
