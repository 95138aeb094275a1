package upload

import (
	"context"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/laymanctl/laymanctl/client"
)

// Preview is what a publish or update would send: the --dry-run plan.
type Preview struct {
	Generation string        `json:"generation"`
	Method     string        `json:"method"`
	Path       string        `json:"path"`
	Fields     []string      `json:"fields"` // form fields other than data files
	Files      []PreviewFile `json:"files,omitempty"`
	// Chunks is how many chunk requests follow the first one; 0 means the
	// data travel inside it.
	Chunks int `json:"chunks"`
}

// PreviewFile is a data file of a Preview.
type PreviewFile struct {
	Name string `json:"name"`
	Size int64  `json:"size"`
}

// PreviewLayer validates p and tells what Publish (ref nil) or Update
// would send, reading only the generation and, for an update, the layer.
func (u *Uploader) PreviewLayer(ctx context.Context, ref *client.Ref, p LayerParams) (*Preview, *client.Ref, error) {
	plan, err := ValidateLayer(p, ref != nil)
	if err != nil {
		return nil, nil, err
	}
	gen, err := u.Client.Generation(ctx)
	if err != nil {
		return nil, nil, err
	}
	pv := &Preview{Generation: gen.String(), Method: http.MethodPost}
	for _, f := range plan.Files {
		pv.Files = append(pv.Files, PreviewFile{Name: f.Name, Size: f.Size})
	}
	chunked := len(plan.Files) > 0 && plan.Total >= u.threshold()
	// The request is only described: fn records where it would go.
	bodyWorkspace := ""
	if ref == nil {
		err = u.Client.Layers.Create(ctx, p.Workspace, func(path string, workspaceInForm bool) error {
			pv.Path = path
			if workspaceInForm {
				bodyWorkspace = p.Workspace
			}
			return nil
		})
	} else {
		pv.Method = http.MethodPatch
		err = u.Client.Layers.Do(ctx, *ref, "", func(path string, full client.Ref) error {
			pv.Path, ref = path, &full
			return nil
		})
	}
	if err != nil {
		return nil, nil, err
	}
	f, err := layerForm(plan, bodyWorkspace, chunked)
	if err != nil {
		return nil, nil, err
	}
	for _, part := range f.parts {
		if part.source == nil && part.field != "file" {
			pv.Fields = append(pv.Fields, part.field)
		} else if part.field == "style" {
			pv.Fields = append(pv.Fields, "style")
		}
	}
	if chunked {
		for _, c := range cut(plan.Files, u.ChunkSize) {
			pv.Chunks += c.total
		}
	}
	return pv, ref, nil
}

var (
	slugDrop = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^\w\s\-.]`) })
	slugRuns = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[\s\-._]+`) })
)

// DerivedName is the name Layman gives a layer published without one: the
// first main file's (or the ZIP's) base name made safe, as in Layman's
// input_file.get_unsafe_layername and util.to_safe_name. It returns ""
// when it cannot tell locally: non-ASCII names (Layman transliterates them)
// and external tables.
func DerivedName(plan *Plan) string {
	var unsafe string
	for _, f := range plan.Files {
		if mainExtensions[ext(f.Name)] != "" || plan.Archive && isArchive(f.Name) {
			unsafe = strings.TrimSuffix(f.Name, filepath.Ext(f.Name))
			break
		}
	}
	if unsafe == "" || strings.ContainsFunc(unsafe, func(r rune) bool { return r > 127 }) {
		return ""
	}
	v := slugDrop().ReplaceAllString(strings.ToLower(unsafe), "")
	v = strings.Trim(slugRuns().ReplaceAllString(v, "_"), "_")
	if v == "" {
		return KindLayer
	}
	return v
}
