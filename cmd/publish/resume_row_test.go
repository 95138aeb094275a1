package publish_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/client/laymantest"
	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

// A resume by UUID prints the same row as publish: 3.x's layer JSON lacks
// the workspace, so it must come from elsewhere.
func TestResumeRowNamesTheWorkspace(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		path := write(t, t.TempDir(), "dem.tif", data(1<<20, 11))
		tfw := write(t, t.TempDir(), "dem.tfw", []byte("1\n0\n0\n-1\n0\n0\n"))
		h.Server.SetFault(func(r *http.Request) laymantest.Fault {
			if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/chunk") {
				return laymantest.Fault{Status: http.StatusForbidden, Body: laymantest.ErrorJSON(32, nil)}
			}
			return laymantest.Fault{}
		})
		if r := h.Run("layers", "publish", "-w", ws, "--chunk-size", "256KiB", "--no-wait", path, tfw); r.Code != 1 {
			t.Fatalf("the failing upload should exit 1:\n%s", r)
		}
		h.Server.SetFault(nil)
		info, ok := h.Server.Publication("layer:" + ws + ":dem")
		if !ok {
			t.Fatal("the interrupted layer is not on the server")
		}
		r := h.Run("layers", "resume", info.UUID, "--chunk-size", "256KiB", "--no-wait", path, tfw)
		if want := ws + "\tdem\t" + info.UUID + "\t"; r.Code != 0 || !strings.HasPrefix(r.Stdout, want) {
			t.Errorf("stdout %q, want a row starting %q\n%s", r.Stdout, want, r)
		}
	})
}
