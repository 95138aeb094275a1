package publications

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/cmd/cli"
)

// GetOptions are the parsed arguments of `<kind> get`.
type GetOptions struct {
	Kind Kind
	Ref  client.Ref
}

// NewCmdGet builds `<kind> get REF`.
func NewCmdGet(f *cli.Factory, kind Kind, runF func(context.Context, *cli.Factory, *GetOptions) error) *cobra.Command {
	if runF == nil {
		runF = RunGet
	}
	opts := &GetOptions{Kind: kind}
	return &cobra.Command{
		Use:   "get REF",
		Short: fmt.Sprintf("Show a %s's details and processing state", kind.Singular),
		Long:  fmt.Sprintf("REF is the %s's UUID or workspace:name.", kind.Singular),
		Example: fmt.Sprintf(`  laymanctl %[1]s get %[2]s
  laymanctl %[1]s get 3fa85f64-5717-4562-b3fc-2c963f66afa6 -o json`, kind.Plural, kind.example),
		Args: cli.ExactArgs(1, "REF"),
		RunE: func(c *cobra.Command, args []string) error {
			refs, err := cli.ParseRefs(args)
			if err != nil {
				return err
			}
			opts.Ref = refs[0]
			return runF(c.Context(), f, opts)
		},
	}
}

// RunGet prints the server's JSON, or a field table for people.
func RunGet(ctx context.Context, f *cli.Factory, opts *GetOptions) error {
	p, err := f.Printer()
	if err != nil {
		return err
	}
	c, err := f.Client(ctx)
	if err != nil {
		return err
	}
	raw, table, err := opts.Kind.get(ctx, c, opts.Ref)
	if err != nil {
		return err
	}
	return p.Print(raw, func() cli.Table { return table })
}

type fields struct{ t cli.Table }

func newFields() *fields { return &fields{t: cli.Table{Header: []string{"FIELD", "VALUE"}}} }

// add skips empty values: a table for people shows what is there.
func (f *fields) add(name, value string) {
	if value != "" {
		f.t.Rows = append(f.t.Rows, []string{name, oneLine(value)})
	}
}

func (f *fields) common(name, uuid, title, description string, updated client.Timestamp, st client.Status, rights client.AccessRights, bbox client.BoundingBox, crs string) {
	f.add("name", name)
	f.add("uuid", uuid)
	f.add("title", title)
	f.add("description", description)
	f.add("status", st.Publication)
	for _, s := range st.Sources {
		v := s.Status
		if s.Error != nil {
			v = strings.TrimSpace(v + " " + s.Error.Error())
		}
		f.add("  "+s.Source, v)
	}
	f.add("updated", formatTime(updated.Time))
	f.add("read", strings.Join(rights.Read, ","))
	f.add("write", strings.Join(rights.Write, ","))
	if len(bbox) == 4 {
		coords := make([]string, len(bbox))
		for i, v := range bbox {
			coords[i] = strconv.FormatFloat(v, 'f', -1, 64)
		}
		f.add("bounding box", strings.Join(coords, ","))
	}
	f.add("native crs", crs)
}

func layerTable(l *client.Layer) cli.Table {
	f := newFields()
	f.common(l.Name, l.UUID, l.Title, l.Description, l.UpdatedAt, l.Status(), l.AccessRights, l.BoundingBox, l.NativeCRS)
	f.add("geodata type", l.GeodataType)
	f.services(l)
	if l.Style != nil {
		f.add("style", strings.TrimSpace(l.Style.Type+" "+l.Style.URL))
	}
	if l.Thumbnail != nil {
		f.add("thumbnail", l.Thumbnail.URL)
	}
	if l.Metadata != nil {
		f.add("metadata record", l.Metadata.RecordURL)
	}
	f.add("url", l.URL)
	return f.t
}

func mapTable(m *client.Map) cli.Table {
	f := newFields()
	f.common(m.Name, m.UUID, m.Title, m.Description, m.UpdatedAt, m.Status(), m.AccessRights, m.BoundingBox, m.NativeCRS)
	if m.File != nil {
		f.add("file", m.File.URL)
	}
	if m.Thumbnail != nil {
		f.add("thumbnail", m.Thumbnail.URL)
	}
	if m.Metadata != nil {
		f.add("metadata", m.Metadata.RecordURL)
	}
	f.add("url", m.URL)
	return f.t
}

// services lists what QGIS and other OGC clients need: the endpoints, the
// layer's name there and the GetCapabilities URLs.
func (f *fields) services(l *client.Layer) {
	if l.WMS != nil && l.WMS.URL != "" {
		f.add("wms", l.WMS.URL)
		f.add("wms capabilities", capabilitiesURL(l.WMS.URL, "WMS", "1.3.0"))
	}
	if l.WFS != nil && l.WFS.URL != "" {
		f.add("wfs", l.WFS.URL)
		f.add("wfs capabilities", capabilitiesURL(l.WFS.URL, "WFS", "2.0.0"))
	}
	switch {
	case l.WMS != nil && l.WMS.Name != "":
		f.add("ogc layer name", l.WMS.Name)
	case l.WFS != nil && l.WFS.Name != "":
		f.add("ogc layer name", l.WFS.Name)
	}
}

func capabilitiesURL(endpoint, service, version string) string {
	sep := "?"
	if strings.Contains(endpoint, "?") {
		sep = "&"
	}
	return endpoint + sep + "service=" + service + "&version=" + version + "&request=GetCapabilities"
}
