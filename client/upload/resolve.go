package upload

import (
	"context"

	"github.com/laymanctl/laymanctl/client"
)

// resolveRef completes ref with what the server's generation addresses a
// publication by: the UUID on 3.x, workspace and name on 2.x.
func resolveRef(ctx context.Context, c *client.Client, kind string, ref client.Ref) (client.Ref, error) {
	if kind == KindMap {
		return c.Maps.Resolve(ctx, ref)
	}
	return c.Layers.Resolve(ctx, ref)
}
