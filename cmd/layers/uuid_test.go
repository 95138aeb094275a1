package layers_test

import (
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/client/laymantest"
	"github.com/laymanctl/laymanctl/client/laymantest/reallayman"
	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

// Real Layman (master and 2.4) gives a layer published with --uuid that
// UUID, and compares its metadata in Layman and the catalogue
// (metadata-comparison, by workspace and name on both).
func TestUUIDAndMetadataComparisonOnRealLayman(t *testing.T) {
	cmdtest.AsAliceOnRealLayman(t, func(t *testing.T, s *reallayman.Server, h *cmdtest.Harness, suffix string) {
		id := laymantest.NewUUID()
		name := "uuid_" + suffix
		if r := h.Run("layers", "publish", reallayman.Sample("small.geojson"), "-w", "alice", "--name", name, "--uuid", id, "--wait", "--timeout", "3m"); r.Code != 0 {
			t.Fatalf("publish --uuid:\n%s", r)
		}
		if r := h.Run("layers", "get", "alice:"+name, "--jq", ".uuid"); strings.TrimSpace(r.Stdout) != id {
			t.Errorf("uuid of the layer, want %s:\n%s", id, r)
		}
		r := h.Run("layers", "metadata-comparison", id)
		if r.Code != 0 || !strings.Contains(r.Stdout, "title\tyes\t") || !strings.Contains(r.Stdout, "source s1\t") {
			t.Errorf("metadata-comparison:\n%s", r)
		}
	})
}

// Layman's /geoserver proxy takes the login's token for any OGC request
// (GetCapabilities, WFS-T, ...), which `laymanctl api` sends: a private
// layer is in alice's WFS capabilities and not in the anonymous ones.
func TestOGCProxyThroughAPIOnRealLayman(t *testing.T) {
	cmdtest.AsAliceOnRealLayman(t, func(t *testing.T, s *reallayman.Server, h *cmdtest.Harness, suffix string) {
		l := publish(t, h, reallayman.Sample("small.geojson"), "ogc_"+suffix)
		caps := []string{"api", "GET", "geoserver/layman/wfs", "-F", "service=WFS", "-F", "request=GetCapabilities", "-F", "version=2.0.0"}
		if r := h.Run(caps...); r.Code != 0 || !strings.Contains(r.Stdout, "l_"+l.UUID) {
			t.Errorf("alice's capabilities lack her layer l_%s:\n%.2000s", l.UUID, r)
		}
		if r := h.Run(append(caps, "--anonymous")...); r.Code != 0 || strings.Contains(r.Stdout, "l_"+l.UUID) {
			t.Errorf("anonymous capabilities and alice's private layer l_%s:\n%.2000s", l.UUID, r)
		}
	})
}
