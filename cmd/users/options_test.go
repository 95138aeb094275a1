package users

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/laymanctl/laymanctl/cmd/cli"
)

func TestDeleteOptions(t *testing.T) {
	ios, _, _, _ := cli.Test()
	f := cli.NewFactory(ios, cli.BuildInfo{})
	var got *DeleteOptions
	run := func(_ context.Context, _ *cli.Factory, o *DeleteOptions) error { got = o; return nil }
	for args, want := range map[[2]string]DeleteOptions{
		{"bob", "--yes"}: {Username: "bob", Yes: true},
		{"bob", "-y"}:    {Username: "bob", Yes: true},
	} {
		c := NewCmdDelete(f, run)
		c.SetArgs(args[:])
		c.SetOut(io.Discard)
		c.SetErr(io.Discard)
		if err := c.Execute(); err != nil || *got != want {
			t.Errorf("%v: %v %+v", args, err, got)
		}
	}
	c := NewCmdDelete(f, func(context.Context, *cli.Factory, *DeleteOptions) error {
		t.Fatal("run function reached")
		return nil
	})
	c.SetArgs([]string{"Bob_"})
	c.SetOut(io.Discard)
	c.SetErr(io.Discard)
	var ue *cli.UsageError
	if err := c.Execute(); !errors.As(err, &ue) {
		t.Errorf("invalid username: %v", err)
	}
}
