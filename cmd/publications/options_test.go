package publications

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/cmd/cli"
)

// parse runs cmd with args and reports whether runF was reached.
func parse(t *testing.T, c *cobra.Command, args ...string) (called bool, err error) {
	t.Helper()
	c.SetArgs(args)
	c.SetOut(&discard{})
	c.SetErr(&discard{})
	c.SilenceUsage, c.SilenceErrors = true, true
	err = c.ExecuteContext(context.Background())
	return err == nil, err
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func testFactory() *cli.Factory {
	ios, _, _, _ := cli.Test()
	return cli.NewFactory(ios, cli.BuildInfo{})
}

func TestListOptionsParsed(t *testing.T) {
	var got *ListOptions
	c := NewCmdList(testFactory(), Layers, func(_ context.Context, _ *cli.Factory, o *ListOptions) error { got = o; return nil })
	if _, err := parse(t, c, "--workspace", "alice", "--search", "river", "--bbox", "12,48,19,51", "--bbox-crs", "EPSG:4326",
		"--order-by", "full_text", "--limit", "20", "--offset", "40", "--all"); err != nil {
		t.Fatal(err)
	}
	want := &ListOptions{Kind: Layers, Workspace: "alice", Search: "river", Bbox: "12,48,19,51", BboxCRS: "EPSG:4326",
		OrderBy: "full_text", Limit: 20, Offset: 40, All: true}
	if got.Kind.Plural != "layers" {
		t.Errorf("kind %q", got.Kind.Plural)
	}
	got.Kind, want.Kind = Kind{}, Kind{}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("options\n got %+v\nwant %+v", got, want)
	}
	co := (&ListOptions{Workspace: "alice", Search: "river", Bbox: "1,2,3,4", BboxCRS: "EPSG:4326", OrderBy: "bbox", Limit: 5, Offset: 10}).clientOptions()
	wantCO := &client.ListOptions{Workspace: "alice", FullTextFilter: "river", BboxFilter: "1,2,3,4", BboxFilterCRS: "EPSG:4326", OrderBy: "bbox", Limit: 5, Offset: 10}
	if !reflect.DeepEqual(co, wantCO) {
		t.Errorf("client options\n got %+v\nwant %+v", co, wantCO)
	}
}

func TestListRejectsBadInputBeforeRunning(t *testing.T) {
	cases := map[string][]string{
		"bbox not four numbers":  {"--bbox", "1,2,3"},
		"bbox min over max":      {"--bbox", "5,2,3,4"},
		"bbox text":              {"--bbox", "a,b,c,d"},
		"bbox crs malformed":     {"--bbox", "1,2,3,4", "--bbox-crs", "4326"},
		"bbox crs without bbox":  {"--bbox-crs", "EPSG:4326"},
		"order by unknown":       {"--order-by", "name"},
		"full_text needs search": {"--order-by", "full_text"},
		"bbox order needs bbox":  {"--order-by", "bbox"},
		"negative limit":         {"--limit", "-1"},
		"negative offset":        {"--offset", "-3"},
		"bad workspace":          {"--workspace", "Bad-Name"},
		"positional argument":    {"extra"},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			c := NewCmdList(testFactory(), Layers, func(context.Context, *cli.Factory, *ListOptions) error {
				t.Fatal("run function reached")
				return nil
			})
			_, err := parse(t, c, args...)
			var ue *cli.UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("error %v (%T), want a usage error", err, err)
			}
		})
	}
}

func TestPublicationsListHasNoWorkspaceFlag(t *testing.T) {
	c := NewCmdList(testFactory(), Publications, func(context.Context, *cli.Factory, *ListOptions) error { return nil })
	if c.Flags().Lookup("workspace") != nil {
		t.Error("publications list offers --workspace, which Layman cannot filter by")
	}
}

func TestGetParsesRef(t *testing.T) {
	for arg, want := range map[string]client.Ref{
		"alice:rivers":                         {Workspace: "alice", Name: "rivers"},
		"3FA85F64-5717-4562-B3FC-2C963F66AFA6": {UUID: "3fa85f64-5717-4562-b3fc-2c963f66afa6"},
	} {
		var got *GetOptions
		c := NewCmdGet(testFactory(), Maps, func(_ context.Context, _ *cli.Factory, o *GetOptions) error { got = o; return nil })
		if _, err := parse(t, c, arg); err != nil {
			t.Fatal(err)
		}
		if got.Ref != want || got.Kind.Plural != "maps" {
			t.Errorf("%s: got %+v", arg, got)
		}
	}
	c := NewCmdGet(testFactory(), Maps, func(context.Context, *cli.Factory, *GetOptions) error {
		t.Fatal("run function reached")
		return nil
	})
	var ue *cli.UsageError
	if _, err := parse(t, c, "rivers"); !errors.As(err, &ue) {
		t.Errorf("malformed REF: %v", err)
	}
}

func TestDeleteOptions(t *testing.T) {
	var got *DeleteOptions
	run := func(_ context.Context, _ *cli.Factory, o *DeleteOptions) error { got = o; return nil }
	if _, err := parse(t, NewCmdDelete(testFactory(), Layers, run), "alice:a", "alice:b", "--yes"); err != nil {
		t.Fatal(err)
	}
	if !got.Yes || got.All || !reflect.DeepEqual(got.Refs, []client.Ref{{Workspace: "alice", Name: "a"}, {Workspace: "alice", Name: "b"}}) {
		t.Errorf("refs: %+v", got)
	}
	got = nil
	if _, err := parse(t, NewCmdDelete(testFactory(), Layers, run), "--workspace", "alice", "--all"); err != nil {
		t.Fatal(err)
	}
	if !got.All || got.Workspace != "alice" || got.Yes || len(got.Refs) != 0 {
		t.Errorf("all: %+v", got)
	}
	for name, args := range map[string][]string{
		"nothing":             {},
		"all without ws":      {"--all"},
		"ws without all":      {"--workspace", "alice"},
		"refs and all":        {"alice:a", "--workspace", "alice", "--all"},
		"bad workspace":       {"--workspace", "Bad", "--all"},
		"malformed reference": {"rivers"},
	} {
		reached := false
		_, err := parse(t, NewCmdDelete(testFactory(), Layers, func(context.Context, *cli.Factory, *DeleteOptions) error { reached = true; return nil }), args...)
		var ue *cli.UsageError
		if reached || !errors.As(err, &ue) {
			t.Errorf("%s: reached=%v err=%v", name, reached, err)
		}
	}
}

func TestWaitOptions(t *testing.T) {
	var got *WaitOptions
	c := NewCmdWait(testFactory(), Layers, func(_ context.Context, _ *cli.Factory, o *WaitOptions) error { got = o; return nil })
	if _, err := parse(t, c, "alice:rivers", "--timeout", "90s"); err != nil {
		t.Fatal(err)
	}
	if got.Timeout != 90*time.Second || got.Ref != (client.Ref{Workspace: "alice", Name: "rivers"}) {
		t.Errorf("got %+v", got)
	}
}

func TestDownloadOptions(t *testing.T) {
	var got *DownloadOptions
	f := testFactory()
	c := NewCmdDownload(f, Layers, Thumbnail(Layers), func(_ context.Context, _ *cli.Factory, o *DownloadOptions) error { got = o; return nil })
	if _, err := parse(t, c, "alice:rivers", "-O", "out.png"); err != nil {
		t.Fatal(err)
	}
	if got.Output != (cli.Download{Path: "out.png", Binary: true}) || got.Asset.Name != "thumbnail" {
		t.Errorf("got %+v", got)
	}
	// A binary download to a terminal is refused before the run function.
	f.IO.OutTTY = true
	c = NewCmdDownload(f, Layers, Thumbnail(Layers), func(context.Context, *cli.Factory, *DownloadOptions) error {
		t.Fatal("run function reached")
		return nil
	})
	var ee *cli.ExitError
	if _, err := parse(t, c, "alice:rivers"); !errors.As(err, &ee) || ee.Code != cli.ExitUsage || ee.Hint == "" {
		t.Errorf("binary to terminal: %v", err)
	}
}
