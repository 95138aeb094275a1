package publications

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/laymanctl/laymanctl/client/upload"
	"github.com/laymanctl/laymanctl/cmd/cli"
)

// Plan is what --dry-run prints for one publication: what would be sent.
type Plan struct {
	Action    string `json:"action"` // create, update, skip, delete
	Kind      string `json:"kind"`
	Workspace string `json:"workspace,omitempty"`
	Name      string `json:"name,omitempty"`
	UUID      string `json:"uuid,omitempty"`
	*upload.Preview
	Read  []string `json:"read,omitempty"`
	Write []string `json:"write,omitempty"`
}

// PrintPlans prints plans as data (an array when list, else the one
// object), or as a table: a plan is the command's result.
func PrintPlans(p *cli.Printer, list bool, plans ...Plan) error {
	raw, err := json.Marshal(plans)
	if err != nil {
		return err
	}
	if !list && len(plans) == 1 {
		if raw, err = json.Marshal(plans[0]); err != nil {
			return err
		}
	}
	return p.Print(raw, func() cli.Table {
		t := cli.Table{Header: []string{"ACTION", "KIND", "WORKSPACE", "NAME", "REQUEST", "DETAIL"}}
		for _, d := range plans {
			t.Rows = append(t.Rows, []string{d.Action, d.Kind, d.Workspace, d.Name, d.request(), d.detail()})
		}
		return t
	})
}

func (d Plan) request() string {
	if d.Preview == nil {
		return "-"
	}
	return d.Method + " " + d.Path + " (" + d.Generation + ")"
}

func (d Plan) detail() string {
	if d.Preview == nil {
		return "-"
	}
	var parts []string
	if len(d.Files) > 0 {
		var size int64
		for _, f := range d.Files {
			size += f.Size
		}
		how := "in the request"
		if d.Chunks > 0 {
			how = fmt.Sprintf("in %d chunks", d.Chunks)
		}
		parts = append(parts, fmt.Sprintf("%d file(s), %s %s", len(d.Files), FormatBytes(size), how))
	}
	if len(d.Fields) > 0 {
		parts = append(parts, "fields: "+strings.Join(d.Fields, ","))
	}
	if d.Read != nil {
		parts = append(parts, "read: "+strings.Join(d.Read, ","), "write: "+strings.Join(d.Write, ","))
	}
	return strings.Join(parts, "; ")
}

// FormatBytes is a size for people: 512 B, 3.2 MiB.
func FormatBytes(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	v, unit := float64(n), "KMGT"
	i := -1
	for v >= 1024 && i < len(unit)-1 {
		v /= 1024
		i++
	}
	return fmt.Sprintf("%.1f %ciB", v, unit[i])
}
