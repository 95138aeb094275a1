package publish

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/client/upload"
	"github.com/laymanctl/laymanctl/cmd/cli"
	"github.com/laymanctl/laymanctl/cmd/publications"
)

// execute runs one command built around a runF stub; errTTY says whether
// stderr is a terminal.
func execute(t *testing.T, errTTY bool, build func(*cli.Factory) *cobra.Command, args ...string) error {
	t.Helper()
	ios, _, _, _ := cli.Test()
	ios.ErrTTY = errTTY
	c := build(cli.NewFactory(ios, cli.BuildInfo{}))
	c.SetArgs(args)
	c.SetOut(ios.Out)
	c.SetErr(ios.ErrOut)
	c.SilenceUsage, c.SilenceErrors = true, true
	return c.ExecuteContext(context.Background())
}

func touch(t *testing.T, dir string, names ...string) []string {
	t.Helper()
	paths := make([]string, len(names))
	for i, n := range names {
		paths[i] = filepath.Join(dir, n)
		if err := os.WriteFile(paths[i], []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return paths
}

func TestLayersPublishOptions(t *testing.T) {
	dir := t.TempDir()
	files := touch(t, dir, "roads.shp", "roads.shx", "roads.dbf")
	style := filepath.Join(dir, "roads.sld")
	if err := os.WriteFile(style, []byte(`<?xml version="1.0"?><StyledLayerDescriptor version="1.0.0"/>`), 0o600); err != nil {
		t.Fatal(err)
	}
	var got *LayersPublishOptions
	build := func(f *cli.Factory) *cobra.Command {
		return NewLayersPublishCmd(f, func(_ context.Context, _ *cli.Factory, o *LayersPublishOptions) error { got = o; return nil })
	}
	args := append([]string{"--workspace", "alice", "--name", "roads", "--title", "Roads", "--description", "All roads",
		"--crs", "EPSG:5514", "--style", style, "--read", "EVERYONE", "--write", "alice,EDITORS",
		"--chunk-size", "256KiB", "--parallel", "8", "--timeout", "90s", "--wait"}, files...)
	if err := execute(t, false, build, args...); err != nil {
		t.Fatal(err)
	}
	want := LayersPublishOptions{
		Params: upload.LayerParams{Workspace: "alice", Name: "roads", Title: "Roads", Description: "All roads", CRS: "EPSG:5514",
			StylePath: style, Read: []string{"EVERYONE"}, Write: []string{"alice", "EDITORS"}, Files: files},
		Transfer: Transfer{ChunkSize: 256 * upload.KiB, Parallel: 8},
		Wait:     WaitPolicy{Wait: true, Timeout: 90 * time.Second},
		IfExists: IfExistsFail,
	}
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("got  %+v\nwant %+v", *got, want)
	}
}

func TestWaitDefaultsToTerminal(t *testing.T) {
	files := touch(t, t.TempDir(), "rivers.geojson")
	for _, c := range []struct {
		tty  bool
		flag string
		wait bool
	}{
		{false, "", false}, {true, "", true}, {true, "--no-wait", false}, {false, "--wait", true},
	} {
		var got *LayersPublishOptions
		build := func(f *cli.Factory) *cobra.Command {
			return NewLayersPublishCmd(f, func(_ context.Context, _ *cli.Factory, o *LayersPublishOptions) error { got = o; return nil })
		}
		args := []string{"-w", "alice", files[0]}
		if c.flag != "" {
			args = append(args, c.flag)
		}
		if err := execute(t, c.tty, build, args...); err != nil {
			t.Fatal(err)
		}
		if got.Wait.Wait != c.wait {
			t.Errorf("tty %v %s: wait %v, want %v", c.tty, c.flag, got.Wait.Wait, c.wait)
		}
		if got.Transfer != (Transfer{ChunkSize: upload.DefaultChunkSize, Parallel: upload.DefaultParallel}) {
			t.Errorf("default transfer: %+v", got.Transfer)
		}
	}
}

// Bad options are usage errors and never reach runF.
func TestBadOptionsNeverRun(t *testing.T) {
	files := touch(t, t.TempDir(), "rivers.geojson")
	cases := map[string][]string{
		"parallel 0":        {"--parallel", "0"},
		"parallel 33":       {"--parallel", "33"},
		"chunk size":        {"--chunk-size", "lots"},
		"zero chunk size":   {"--chunk-size", "0"},
		"wait and no-wait":  {"--wait", "--no-wait"},
		"negative timeout":  {"--timeout", "-1s"},
		"bad crs":           {"--crs", "WGS84"},
		"unknown resampler": {"--overview-resampling", "fancy"},
		"if-exists":         {"--if-exists", "replace"},
	}
	for name, extra := range cases {
		called := false
		build := func(f *cli.Factory) *cobra.Command {
			return NewLayersPublishCmd(f, func(context.Context, *cli.Factory, *LayersPublishOptions) error { called = true; return nil })
		}
		err := execute(t, false, build, append([]string{"-w", "alice", files[0]}, extra...)...)
		var ue *cli.UsageError
		var ve *upload.ValidationError
		if !errors.As(err, &ue) && !errors.As(err, &ve) {
			t.Errorf("%s: got %v, want a usage or validation error", name, err)
		}
		if called {
			t.Errorf("%s: runF was called", name)
		}
	}
}

func TestLayersUpdateOptions(t *testing.T) {
	files := touch(t, t.TempDir(), "rivers.shp", "rivers.shx", "rivers.dbf", "rivers.prj")
	var got *LayersUpdateOptions
	build := func(f *cli.Factory) *cobra.Command {
		return NewLayersUpdateCmd(f, func(_ context.Context, _ *cli.Factory, o *LayersUpdateOptions) error { got = o; return nil })
	}
	if err := execute(t, false, build, "alice:rivers", files[0], files[1], "--file", files[2], "--file", files[3], "--title", "Rivers"); err != nil {
		t.Fatal(err)
	}
	if got.Ref != (client.Ref{Workspace: "alice", Name: "rivers"}) || !reflect.DeepEqual(got.Params.Files, files) || got.Params.Title != "Rivers" || got.Params.Workspace != "" {
		t.Errorf("got %+v", got)
	}
	if err := execute(t, false, build, "alice:rivers", "--title", "Only metadata"); err != nil || len(got.Params.Files) != 0 {
		t.Errorf("metadata-only update: %v, files %v", err, got.Params.Files)
	}
	var ue *cli.UsageError
	if err := execute(t, false, build, "rivers"); !errors.As(err, &ue) {
		t.Errorf("malformed REF: %v", err)
	}
	if err := execute(t, false, build, "alice:rivers", "--add-read", "bob", "--dry-run"); err != nil || !reflect.DeepEqual(got.Rights.addRead, []string{"bob"}) || !got.DryRun {
		t.Errorf("rights edit: %v, %+v", err, got)
	}
	if err := execute(t, false, build, "alice:rivers", "--add-read", "bob", "--read", "EVERYONE"); !errors.As(err, &ue) {
		t.Errorf("--add-read with --read: %v", err)
	}
}

// A wait nobody watches is bounded: 30 minutes, or LAYMAN_WAIT_TIMEOUT;
// a terminal and an explicit --timeout (even 0) are taken as they are.
func TestWaitTimeoutDefaults(t *testing.T) {
	files := touch(t, t.TempDir(), "rivers.geojson")
	cases := []struct {
		tty  bool
		env  string
		args []string
		want time.Duration
	}{
		{false, "", nil, 30 * time.Minute},
		{true, "", nil, 0},
		{false, "5m", nil, 5 * time.Minute},
		{false, "5m", []string{"--timeout", "0"}, 0},
		{false, "", []string{"--timeout", "2h"}, 2 * time.Hour},
	}
	for _, c := range cases {
		t.Setenv("LAYMAN_WAIT_TIMEOUT", c.env)
		var got *LayersPublishOptions
		build := func(f *cli.Factory) *cobra.Command {
			return NewLayersPublishCmd(f, func(_ context.Context, _ *cli.Factory, o *LayersPublishOptions) error { got = o; return nil })
		}
		if err := execute(t, c.tty, build, append([]string{"-w", "alice", "--wait", files[0]}, c.args...)...); err != nil {
			t.Fatal(err)
		}
		if got.Wait.Timeout != c.want {
			t.Errorf("tty %v env %q %v: timeout %v, want %v", c.tty, c.env, c.args, got.Wait.Timeout, c.want)
		}
	}
	t.Setenv("LAYMAN_WAIT_TIMEOUT", "soon")
	build := func(f *cli.Factory) *cobra.Command { return NewLayersPublishCmd(f, nil) }
	var ue *cli.UsageError
	if err := execute(t, false, build, "-w", "alice", "--wait", files[0]); !errors.As(err, &ue) {
		t.Errorf("bad LAYMAN_WAIT_TIMEOUT: %v", err)
	}
}

func TestLayersResumeOptions(t *testing.T) {
	dir := t.TempDir()
	files := touch(t, dir, "dem.tif", "dem.tfw")
	var got *LayersResumeOptions
	build := func(f *cli.Factory) *cobra.Command {
		return NewLayersResumeCmd(f, func(_ context.Context, _ *cli.Factory, o *LayersResumeOptions) error { got = o; return nil })
	}
	uuid := "3fa85f64-5717-4562-b3fc-2c963f66afa6"
	if err := execute(t, false, build, uuid, "--chunk-size", "64KiB", files[0], files[1]); err != nil {
		t.Fatal(err)
	}
	if got.Ref.UUID != uuid || !reflect.DeepEqual(got.Files, files) || got.Transfer.ChunkSize != 64*upload.KiB {
		t.Errorf("got %+v", got)
	}
	got = nil
	var ve *upload.ValidationError
	if err := execute(t, false, build, uuid, dir); !errors.As(err, &ve) || got != nil {
		t.Errorf("directory as file: %v", err)
	}
	var ue *cli.UsageError
	if err := execute(t, false, build, uuid); !errors.As(err, &ue) {
		t.Errorf("no files: %v", err)
	}
}

const composition = `{"describedBy":"https://raw.githubusercontent.com/hslayers/map-compositions/3.0.0/schema.json","name":"city","title":"City","layers":[]}`

func TestMapsOptions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "city.json")
	if err := os.WriteFile(path, []byte(composition), 0o600); err != nil {
		t.Fatal(err)
	}
	var pub *MapsPublishOptions
	buildPub := func(f *cli.Factory) *cobra.Command {
		return NewMapsPublishCmd(f, func(_ context.Context, _ *cli.Factory, o *MapsPublishOptions) error { pub = o; return nil })
	}
	if err := execute(t, false, buildPub, path, "-w", "alice", "--name", "city", "--read", "EVERYONE", "--no-wait"); err != nil {
		t.Fatal(err)
	}
	want := MapsPublishOptions{Workspace: "alice", File: path, Params: upload.MapParams{Name: "city", Read: []string{"EVERYONE"}},
		Wait: WaitPolicy{Timeout: publications.DefaultLogTimeout}}
	if !reflect.DeepEqual(*pub, want) {
		t.Errorf("publish: got %+v want %+v", *pub, want)
	}
	var upd *MapsUpdateOptions
	buildUpd := func(f *cli.Factory) *cobra.Command {
		return NewMapsUpdateCmd(f, func(_ context.Context, _ *cli.Factory, o *MapsUpdateOptions) error { upd = o; return nil })
	}
	if err := execute(t, true, buildUpd, "alice:city", "--title", "Town"); err != nil {
		t.Fatal(err)
	}
	if upd.File != "" || upd.Params.Title != "Town" || !upd.Wait.Wait || upd.Ref.Name != "city" {
		t.Errorf("update: %+v", upd)
	}
	if err := execute(t, false, buildUpd, "alice:city", path); err != nil || upd.File != path {
		t.Errorf("update with file: %v %+v", err, upd)
	}
	var ve *upload.ValidationError
	if err := execute(t, false, buildPub, path, "-w", "alice", "--write", "not a user"); !errors.As(err, &ve) {
		t.Errorf("bad --write: %v", err)
	}
}
