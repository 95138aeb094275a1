package publications

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/laymanctl/laymanctl/cmd/cli"
)

// NewCmdMetadataComparison builds `<kind> metadata-comparison REF`.
func NewCmdMetadataComparison(f *cli.Factory, kind Kind) *cobra.Command {
	return &cobra.Command{
		Use:   "metadata-comparison REF",
		Short: fmt.Sprintf("Compare a %s's metadata in Layman and its catalogue", kind.Singular),
		Long: fmt.Sprintf(`Show each metadata property of the %[1]s as every source has it (Layman's
own record, the metadata catalogue's record, ...) and whether they agree:
Layman's metadata comparison. REF is the %[1]s's UUID or workspace:name.
-o json prints Layman's answer (metadata_sources, metadata_properties).`, kind.Singular),
		Example: fmt.Sprintf(`  laymanctl %[1]s metadata-comparison %[2]s
  laymanctl %[1]s metadata-comparison %[2]s \
    --jq '.metadata_properties | map_values(.equal)'`, kind.Plural, kind.example),
		Args: cli.ExactArgs(1, "REF"),
		RunE: func(c *cobra.Command, args []string) error {
			refs, err := cli.ParseRefs(args)
			if err != nil {
				return err
			}
			p, err := f.Printer()
			if err != nil {
				return err
			}
			cl, err := f.Client(c.Context())
			if err != nil {
				return err
			}
			raw, err := kind.service(cl).MetadataComparison(c.Context(), refs[0])
			if err != nil {
				return err
			}
			return p.Print(raw, func() cli.Table { return comparisonTable(raw) })
		},
	}
}

// comparisonTable is one row per property: whether the sources agree, then
// each source's value (s1, s2, ... as metadata_sources numbers them).
func comparisonTable(raw json.RawMessage) cli.Table {
	var doc struct {
		Sources    map[string]struct{ URL string } `json:"metadata_sources"`
		Properties map[string]struct {
			Values map[string]json.RawMessage `json:"values"`
			Equal  bool                       `json:"equal"`
		} `json:"metadata_properties"`
	}
	t := cli.Table{Header: []string{"PROPERTY", "EQUAL", "VALUES"}}
	if json.Unmarshal(raw, &doc) != nil {
		return t
	}
	for _, id := range slices.Sorted(maps.Keys(doc.Sources)) {
		t.Rows = append(t.Rows, []string{"source " + id, "", doc.Sources[id].URL})
	}
	for _, name := range slices.Sorted(maps.Keys(doc.Properties)) {
		prop := doc.Properties[name]
		var values []string
		for _, id := range slices.Sorted(maps.Keys(prop.Values)) {
			values = append(values, id+": "+oneLine(string(prop.Values[id])))
		}
		equal := "no"
		if prop.Equal {
			equal = "yes"
		}
		t.Rows = append(t.Rows, []string{name, equal, strings.Join(values, "; ")})
	}
	return t
}
