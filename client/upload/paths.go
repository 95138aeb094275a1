package upload

import (
	"fmt"
	"net/url"

	"github.com/laymanctl/laymanctl/client"
)

// Kinds of publication, as in Layman's URLs.
const (
	KindLayer = "layer"
	KindMap   = "map"
)

func kindPlural(kind string) string { return kind + "s" }

// collectionPath is where a new publication is posted: 3.x takes layers at
// /rest/layers (workspace in the body) but maps still per workspace.
func collectionPath(gen client.Generation, kind, workspace string) string {
	if gen == client.Gen3 && kind == KindLayer {
		return "rest/layers"
	}
	return fmt.Sprintf("rest/workspaces/%s/%s", url.PathEscape(workspace), kindPlural(kind))
}

// publicationPath addresses one publication: by UUID on 3.x, by workspace
// and name on 2.x. ref must carry what gen needs (see resolveRef).
func publicationPath(gen client.Generation, kind string, ref client.Ref) string {
	if gen == client.Gen3 {
		return fmt.Sprintf("rest/%s/%s", kindPlural(kind), url.PathEscape(ref.UUID))
	}
	return fmt.Sprintf("rest/workspaces/%s/%s/%s", url.PathEscape(ref.Workspace), kindPlural(kind), url.PathEscape(ref.Name))
}

func chunkPath(gen client.Generation, ref client.Ref) string {
	return publicationPath(gen, KindLayer, ref) + "/chunk"
}
