package publish

import (
	"context"
	"fmt"

	"github.com/laymanctl/laymanctl/client/upload"
	"github.com/laymanctl/laymanctl/cmd/cli"
)

// placeholderWorkspace stands in for a --workspace left out while the
// other input is checked locally, before the user's own is asked for.
const placeholderWorkspace = "w"

// defaultWorkspace is ws, or else the logged-in user's own workspace (their
// Layman username, where Layman always lets them publish), asked from
// /rest/current-user.
func defaultWorkspace(ctx context.Context, f *cli.Factory, ws string) (string, error) {
	if ws != "" {
		return ws, nil
	}
	if f.Anonymous() {
		return "", &upload.ValidationError{Field: "workspace", Message: "required: an anonymous caller has no workspace of its own"}
	}
	c, err := f.Client(ctx)
	if err != nil {
		return "", err
	}
	u, err := c.CurrentUser.Get(ctx)
	if err != nil {
		return "", fmt.Errorf("finding your own workspace (give --workspace to skip this): %w", err)
	}
	if u.Username == "" {
		return "", &upload.ValidationError{Field: "workspace", Message: "required: this login has no Layman username yet, so no workspace of its own; " +
			"reserve one with `laymanctl auth login` or, with CI credentials, `laymanctl api PATCH rest/current-user -F username=NAME`"}
	}
	if f.IO.ErrTTY && !f.Flags.Quiet {
		fmt.Fprintf(f.IO.ErrOut, "Workspace: %s (your own; --workspace chooses another)\n", u.Username)
	}
	return u.Username, nil
}
