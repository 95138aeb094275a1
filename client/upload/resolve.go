package upload

import (
	"context"

	"github.com/laymanctl/laymanctl/client"
)

// publications is what layers and maps share for addressing one.
type publications interface {
	Do(ctx context.Context, ref client.Ref, sub string, fn func(path string, ref client.Ref) error) error
}

// service is the client's service for kind.
func service(c *client.Client, kind string) publications {
	if kind == KindMap {
		return c.Maps
	}
	return c.Layers
}
