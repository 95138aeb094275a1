package publications

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/cmd/cli"
)

// ListOptions are the parsed flags of `<kind> list`.
type ListOptions struct {
	Kind      Kind
	Workspace string
	Search    string
	Bbox      string
	BboxCRS   string
	OrderBy   string
	Limit     int
	Offset    int
	All       bool
}

var orderByValues = []string{client.OrderByTitle, client.OrderByLastChange, client.OrderByFullText, client.OrderByBbox}

// crsPattern is Layman's AUTHORITY:CODE.
var crsPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\w+:\d+$`) })

// NewCmdList builds `<kind> list`; runF replaces the run function in tests.
func NewCmdList(f *cli.Factory, kind Kind, runF func(context.Context, *cli.Factory, *ListOptions) error) *cobra.Command {
	if runF == nil {
		runF = RunList
	}
	opts := &ListOptions{Kind: kind}
	example := fmt.Sprintf(`  laymanctl %[1]s list
  laymanctl %[1]s list --search rivers --order-by full_text
  laymanctl %[1]s list --bbox 12,48,19,51 --bbox-crs EPSG:4326 -o json
  laymanctl %[1]s list --all --jq '.[].uuid'`, kind.Plural)
	if kind.WorkspaceFilter {
		example = fmt.Sprintf("  laymanctl %s list --workspace alice\n", kind.Plural) + example
	}
	c := &cobra.Command{
		Use:   "list",
		Short: fmt.Sprintf("List %s, filtered, ordered and paged", kind.Plural),
		Long: fmt.Sprintf(`List the %s the caller may read. Without --all one page is shown (the
server's default size, or --limit). With --all every page is fetched and
streamed; --limit then sets the page size.`, kind.Plural),
		Example: example,
		Args:    cli.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := opts.Validate(); err != nil {
				return err
			}
			return runF(c.Context(), f, opts)
		},
	}
	fl := c.Flags()
	if kind.WorkspaceFilter {
		fl.StringVarP(&opts.Workspace, "workspace", "w", "", "only this workspace's "+kind.Plural)
	}
	fl.StringVar(&opts.Search, "search", "", "full-text filter on the title")
	fl.StringVar(&opts.Bbox, "bbox", "", "only those intersecting minx,miny,maxx,maxy")
	fl.StringVar(&opts.BboxCRS, "bbox-crs", "", "CRS of --bbox, e.g. EPSG:4326 (server default EPSG:3857)")
	fl.StringVar(&opts.OrderBy, "order-by", "", "order: "+strings.Join(orderByValues, ", "))
	fl.IntVar(&opts.Limit, "limit", 0, "at most N items (the page size with --all)")
	fl.IntVar(&opts.Offset, "offset", 0, "skip the first N items")
	fl.BoolVar(&opts.All, "all", false, "fetch every page")
	return c
}

// Validate checks the options the way Layman would, so that bad input
// costs no request.
func (o *ListOptions) Validate() error {
	if o.Workspace != "" {
		if err := client.ValidateWorkspace(o.Workspace); err != nil {
			return cli.Usagef("--workspace: %v", err)
		}
	}
	if o.Bbox != "" {
		if _, err := client.ParseBbox(o.Bbox); err != nil {
			return cli.Usagef("--bbox: %v", err)
		}
	}
	if o.BboxCRS != "" {
		if !crsPattern().MatchString(o.BboxCRS) {
			return cli.Usagef("--bbox-crs %q: want AUTHORITY:CODE, e.g. EPSG:4326", o.BboxCRS)
		}
		if o.Bbox == "" {
			return cli.Usagef("--bbox-crs needs --bbox")
		}
	}
	if o.OrderBy != "" && !slices.Contains(orderByValues, o.OrderBy) {
		return cli.Usagef("--order-by %q: want one of %s", o.OrderBy, strings.Join(orderByValues, ", "))
	}
	if o.OrderBy == client.OrderByFullText && o.Search == "" {
		return cli.Usagef("--order-by full_text needs --search")
	}
	if o.OrderBy == client.OrderByBbox && o.Bbox == "" {
		return cli.Usagef("--order-by bbox needs --bbox")
	}
	if o.Limit < 0 {
		return cli.Usagef("--limit must not be negative")
	}
	if o.Offset < 0 {
		return cli.Usagef("--offset must not be negative")
	}
	return nil
}

func (o *ListOptions) clientOptions() *client.ListOptions {
	return &client.ListOptions{
		Workspace:      o.Workspace,
		FullTextFilter: o.Search,
		BboxFilter:     o.Bbox,
		BboxFilterCRS:  o.BboxCRS,
		OrderBy:        o.OrderBy,
		Limit:          o.Limit,
		Offset:         o.Offset,
	}
}

// RunList prints one page, or every page with --all, as the items arrive.
func RunList(ctx context.Context, f *cli.Factory, opts *ListOptions) error {
	p, err := f.Printer()
	if err != nil {
		return err
	}
	c, err := f.Client(ctx)
	if err != nil {
		return err
	}
	if opts.All && p.HoldsList() && !f.Flags.Quiet {
		fmt.Fprintf(f.IO.ErrOut, "Note: this --jq expression needs the whole list, so every %s is held in memory; one starting with '.[]' runs item by item.\n", opts.Kind.Singular)
	}
	st := opts.Kind.lister(c).Stream(ctx, opts.clientOptions(), opts.All)
	shown := 0
	items := func(yield func(client.ListItem, error) bool) {
		for it, err := range st.Items {
			if err == nil {
				shown++
			}
			if !yield(it, err) {
				return
			}
		}
	}
	err = cli.PrintList(p, items, func(it client.ListItem) json.RawMessage { return it.Raw },
		opts.Kind.listHeader(), func(it client.ListItem) ([]string, error) {
			pub, err := it.Publication()
			return opts.Kind.listRow(&pub), err
		})
	if err != nil {
		return err
	}
	if shown += opts.Offset; !opts.All && f.IO.ErrTTY && !f.Flags.Quiet && st.Total > shown {
		fmt.Fprintf(f.IO.ErrOut, "Showing %d-%d of %d %s; use --all or --offset %d for more.\n",
			opts.Offset+1, shown, st.Total, opts.Kind.Plural, shown)
	}
	return nil
}

func (k Kind) listHeader() []string {
	switch k.Plural {
	case Layers.Plural:
		return []string{"WORKSPACE", "NAME", "TITLE", "TYPE", "STATUS", "UPDATED", "UUID"}
	case Maps.Plural:
		return []string{"WORKSPACE", "NAME", "TITLE", "UPDATED", "UUID"}
	}
	return []string{"TYPE", "WORKSPACE", "NAME", "TITLE", "UPDATED", "UUID"}
}

func (k Kind) listRow(p *client.Publication) []string {
	updated := formatTime(p.UpdatedAt.Time)
	switch k.Plural {
	case Layers.Plural:
		return []string{p.Workspace, p.Name, oneLine(p.Title), p.GeodataType, p.WFSWMSStatus, updated, p.UUID}
	case Maps.Plural:
		return []string{p.Workspace, p.Name, oneLine(p.Title), updated, p.UUID}
	}
	return []string{p.Type, p.Workspace, p.Name, oneLine(p.Title), updated, p.UUID}
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// oneLine keeps a table cell on one line and its columns aligned.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
