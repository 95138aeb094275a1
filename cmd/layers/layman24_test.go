package layers_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/client/laymantest/reallayman"
	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

func copyFile(t *testing.T, from, to string) string {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return to
}

// Layman 2.4's own features work on 2.4 and are refused, before anything
// is sent, on master, which lacks them: an image mosaic of several rasters
// without --time-regex, --file-path (a raster in GeoServer's data
// directory) and update --append (granules added to a time series).
func TestLayman24FeaturesOnRealLayman(t *testing.T) {
	cmdtest.AsAliceOnRealLayman(t, func(t *testing.T, s *reallayman.Server, h *cmdtest.Harness, suffix string) {
		has24 := s.Version == reallayman.V24
		dir := t.TempDir()
		want := func(what string, r cmdtest.Result, ok bool) {
			t.Helper()
			if !ok {
				t.Errorf("%s on %s:\n%s", what, s.Version, r)
			}
		}

		m1 := copyFile(t, reallayman.Sample("small.tif"), filepath.Join(dir, "mosaic_a.tif"))
		m2 := copyFile(t, reallayman.Sample("small.tif"), filepath.Join(dir, "mosaic_b.tif"))
		r := h.Run("layers", "publish", m1, m2, "--workspace", "alice", "--name", "mosaic_"+suffix, "--wait", "--timeout", "3m")
		if has24 {
			want("a mosaic", r, r.Code == 0)
			var l client.Layer
			if g := h.Run("layers", "get", "alice:mosaic_"+suffix, "-o", "json"); json.Unmarshal([]byte(g.Stdout), &l) != nil || !l.ImageMosaic {
				t.Errorf("the layer is no image mosaic:\n%s", g)
			}
		} else {
			want("a mosaic", r, r.Code == 2 && strings.Contains(r.Stderr, "needs Layman 2.4"))
		}

		// file_path is relative to GeoServer's data directory.
		copyFile(t, reallayman.Sample("small.tif"), filepath.Join(s.Work, "data", "geoserver_data", "i9_"+suffix, "ortho.tif"))
		r = h.Run("layers", "publish", "--file-path", "i9_"+suffix+"/ortho.tif", "--workspace", "alice", "--name", "fp_"+suffix, "--wait", "--timeout", "3m")
		if has24 {
			want("--file-path", r, r.Code == 0)
		} else {
			want("--file-path", r, r.Code == 2 && strings.Contains(r.Stderr, "--file-path needs Layman 2.4"))
		}

		first := copyFile(t, reallayman.Sample("small.tif"), filepath.Join(dir, "ts_20240101.tif"))
		second := copyFile(t, reallayman.Sample("small.tif"), filepath.Join(dir, "ts_20240201.tif"))
		r = h.Run("layers", "publish", first, "--workspace", "alice", "--name", "ts_"+suffix, "--time-regex", "[0-9]{8}", "--time-regex-format", "yyyyMMdd", "--wait", "--timeout", "3m")
		want("a time series", r, r.Code == 0)
		h.Server.ResetRequests()
		r = h.Run("layers", "update", "alice:ts_"+suffix, second, "--append", "--wait", "--timeout", "3m")
		if has24 {
			// reallayman's GeoServer stub serves no WMS time dimension, so
			// Layman cannot read the layer's own time_regex: its refusal
			// comes from validate_and_prepare_append_mode (layer/util.py),
			// reached only with append=true. With a real GeoServer it appends.
			ok := r.Code == 0 || r.Code == 1 && strings.Contains(r.Stderr, "Cannot find existing time_regex for timeseries layer")
			want("--append", r, ok)
		} else {
			want("--append", r, r.Code == 2 && strings.Contains(r.Stderr, "--append needs Layman 2.4"))
		}
	})
}
