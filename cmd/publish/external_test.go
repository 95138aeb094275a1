package publish_test

import (
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

// A layer from an existing PostGIS table: Layman names it after the table
// and shows the table's URI without the password (the fake checks the URI
// as layer/util.py does, and takes the table as existing).
func TestPublishExternalTable(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		uri := "postgresql://gis:s3cret@db.example:5432/gis?schema=public&table=roads&geo_column=geom"
		if r := h.Run("layers", "publish", "-w", "alice", "--external-table", uri, "--wait"); r.Code != 0 {
			t.Fatalf("publish --external-table:\n%s", r)
		}
		r := h.Run("layers", "get", "alice:roads", "--jq", `.original_data_source + " " + .db.external_uri + " " + .db.table`)
		if want := "database_table postgresql://gis@db.example:5432/gis roads"; r.Code != 0 || strings.TrimSpace(r.Stdout) != want {
			t.Errorf("layer from a table: want %q:\n%s", want, r)
		}
		if strings.Contains(r.Stdout+r.Stderr, "s3cret") {
			t.Error("the table's password was printed")
		}
	})
}
