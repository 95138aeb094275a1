package upload

import (
	"context"
	"fmt"
	"net/url"

	"github.com/laymanctl/laymanctl/client"
)

// resolveRef completes ref with what gen addresses a publication by: the
// UUID on 3.x, workspace and name on 2.x. It asks the server only when the
// part needed is missing.
func resolveRef(ctx context.Context, c *client.Client, gen client.Generation, kind string, ref client.Ref) (client.Ref, error) {
	if gen == client.Gen3 && ref.UUID != "" || gen != client.Gen3 && ref.Workspace != "" && ref.Name != "" {
		return ref, nil
	}
	path := "rest/" + kindPlural(kind)
	if ref.Workspace != "" {
		path += "?workspace=" + url.QueryEscape(ref.Workspace)
	}
	req, err := c.NewRequest(ctx, "GET", path, nil)
	if err != nil {
		return ref, err
	}
	req.Header.Set("Accept", "application/json")
	var list []client.Publication
	if _, err := c.Do(req, &list); err != nil {
		return ref, fmt.Errorf("looking up %s %s: %w", kind, ref, err)
	}
	for _, p := range list {
		if ref.UUID != "" && p.UUID == ref.UUID || ref.UUID == "" && p.Workspace == ref.Workspace && p.Name == ref.Name {
			return client.Ref{UUID: p.UUID, Workspace: p.Workspace, Name: p.Name}, nil
		}
	}
	return ref, fmt.Errorf("%s %s was not found", kind, ref)
}
