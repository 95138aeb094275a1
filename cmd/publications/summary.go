package publications

import (
	"cmp"
	"context"
	"encoding/json"
	"strings"

	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/cmd/cli"
)

// WithWorkspace completes ref with its workspace for people to read. Layman
// 3.x addresses publications by UUID and leaves the workspace out of a
// publication's JSON, so only the list knows it. The lookup is best effort:
// a failure leaves ref as it was, since it only labels output.
func WithWorkspace(ctx context.Context, c *client.Client, kind string, ref client.Ref) client.Ref {
	if ref.Workspace != "" || ref.UUID == "" {
		return ref
	}
	var list Lister = c.Layers
	if kind == client.TypeMap {
		list = c.Maps
	}
	for p, err := range list.All(ctx, nil) {
		if err != nil {
			return ref
		}
		if strings.EqualFold(p.UUID, ref.UUID) {
			return p.Ref()
		}
	}
	return ref
}

// SummaryTable is the one row that names a publication and its state, as
// publish, update, resume and wait print it. raw (the server's JSON) fills
// what ref lacks.
func SummaryTable(raw json.RawMessage, ref client.Ref, status string) cli.Table {
	var doc struct {
		Workspace string `json:"workspace"`
		Name      string `json:"name"`
		UUID      string `json:"uuid"`
	}
	_ = json.Unmarshal(raw, &doc)
	return cli.Table{
		Header: []string{"WORKSPACE", "NAME", "UUID", "STATUS"},
		Rows: [][]string{{
			cmp.Or(doc.Workspace, ref.Workspace),
			cmp.Or(doc.Name, ref.Name),
			cmp.Or(doc.UUID, ref.UUID),
			status,
		}},
	}
}
