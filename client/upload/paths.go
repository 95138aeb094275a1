package upload

// Kinds of publication, as in Layman's URLs.
const (
	KindLayer = "layer"
	KindMap   = "map"
)
