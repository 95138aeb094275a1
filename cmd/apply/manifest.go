// Package apply implements `laymanctl apply` and `laymanctl diff`: a YAML
// manifest of layers and maps is compared with the server and a state file,
// and only what differs is sent.
package apply

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/client/upload"
	"github.com/laymanctl/laymanctl/cmd/cli"
)

// namePattern is Layman's PUBLICATION_NAME_PATTERN, starting with a letter.
var namePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$`) })

// Manifest is one YAML file: the layers and maps it declares.
type Manifest struct {
	Layers []LayerSpec `yaml:"layers"`
	Maps   []MapSpec   `yaml:"maps"`
}

// LayerSpec declares a layer. Files, Style are relative to the manifest.
type LayerSpec struct {
	Workspace   string   `yaml:"workspace"`
	Name        string   `yaml:"name"`
	Files       []string `yaml:"files"`
	Title       string   `yaml:"title"`
	Description string   `yaml:"description"`
	Style       string   `yaml:"style"`
	CRS         string   `yaml:"crs"`
	Read        []string `yaml:"read"`
	Write       []string `yaml:"write"`
}

// MapSpec declares a map: a composition file, or layers to compose as
// `maps create` does.
type MapSpec struct {
	Workspace   string   `yaml:"workspace"`
	Name        string   `yaml:"name"`
	File        string   `yaml:"file"`
	Layers      []string `yaml:"layers"` // REFs, instead of File`
	Title       string   `yaml:"title"`
	Description string   `yaml:"description"`
	Read        []string `yaml:"read"`
	Write       []string `yaml:"write"`

	refs []client.Ref // Layers, parsed
}

// Entry is one declared publication with where it was declared.
type Entry struct {
	Kind      string // upload.KindLayer or upload.KindMap
	Workspace string
	Name      string
	Layer     *LayerSpec
	Map       *MapSpec
	Where     string // file:line:column of the entry
}

// Key identifies a publication on one server.
func (e *Entry) Key() string { return e.Kind + ":" + e.Workspace + ":" + e.Name }

// Files are the files whose content the state file tracks: data files,
// then the style, or the map's composition.
func (e *Entry) Files() []string {
	if e.Map != nil {
		if e.Map.File == "" {
			return nil
		}
		return []string{e.Map.File}
	}
	files := slices.Clone(e.Layer.Files)
	if e.Layer.Style != "" {
		files = append(files, e.Layer.Style)
	}
	return files
}

// ManifestError is a mistake in a manifest, located; nothing was sent.
type ManifestError struct {
	Where, Message string
}

func (e *ManifestError) Error() string { return e.Where + ": " + e.Message }

// Load reads a manifest file, or every *.yaml and *.yml file of a
// directory, and checks every entry locally, its files included.
func Load(path string) ([]*Entry, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, &cli.UsageError{Err: err}
	}
	files := []string{path}
	if fi.IsDir() {
		files = nil
		for _, pattern := range []string{"*.yaml", "*.yml"} {
			m, _ := filepath.Glob(filepath.Join(path, pattern))
			files = append(files, m...)
		}
		slices.Sort(files)
		if len(files) == 0 {
			return nil, cli.Usagef("%s holds no *.yaml manifest", path)
		}
	}
	var all []*Entry
	var errs []error
	seen := map[string]string{}
	for _, f := range files {
		entries, err := loadFile(f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, e := range entries {
			if first, dup := seen[e.Key()]; dup {
				errs = append(errs, &ManifestError{e.Where, fmt.Sprintf("%s %s:%s is declared twice (first at %s)", e.Kind, e.Workspace, e.Name, first)})
				continue
			}
			seen[e.Key()] = e.Where
			all = append(all, e)
		}
	}
	if len(errs) > 0 {
		return nil, &cli.UsageError{Err: errors.Join(errs...)}
	}
	return all, nil
}

func loadFile(path string) ([]*Entry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := yaml.UnmarshalWithOptions(data, &m, yaml.DisallowUnknownField()); err != nil {
		var ye yaml.Error
		if errors.As(err, &ye) && ye.GetToken() != nil {
			p := ye.GetToken().Position
			return nil, &ManifestError{fmt.Sprintf("%s:%d:%d", path, p.Line, p.Column), ye.GetMessage()}
		}
		return nil, &ManifestError{path, err.Error()}
	}
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, &ManifestError{path, err.Error()}
	}
	dir := filepath.Dir(path)
	where := func(p string) string { return fmt.Sprintf("%s:%s", path, position(file, p)) }
	var out []*Entry
	var errs []error
	for i := range m.Layers {
		l := &m.Layers[i]
		at := fmt.Sprintf("$.layers[%d]", i)
		for j := range l.Files {
			l.Files[j] = rel(dir, l.Files[j])
		}
		l.Style = rel(dir, l.Style)
		e := &Entry{Kind: upload.KindLayer, Workspace: l.Workspace, Name: l.Name, Layer: l, Where: where(at)}
		if err := checkLayer(l); err != nil {
			errs = append(errs, located(err, where, at))
			continue
		}
		out = append(out, e)
	}
	for i := range m.Maps {
		mp := &m.Maps[i]
		at := fmt.Sprintf("$.maps[%d]", i)
		mp.File = rel(dir, mp.File)
		e := &Entry{Kind: upload.KindMap, Workspace: mp.Workspace, Name: mp.Name, Map: mp, Where: where(at)}
		if err := checkMap(mp); err != nil {
			errs = append(errs, located(err, where, at))
			continue
		}
		out = append(out, e)
	}
	return out, errors.Join(errs...)
}

// rel makes a manifest path relative to the manifest's directory.
func rel(dir, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

// position is line:column of the node at a YAML path, or of its parent
// when the key is absent.
func position(f *ast.File, path string) string {
	for p := path; p != "$"; {
		yp, err := yaml.PathString(p)
		if err == nil {
			if n, err := yp.FilterFile(f); err == nil && n != nil {
				if m, ok := n.(*ast.MappingNode); ok && len(m.Values) > 0 && !m.IsFlowStyle {
					n = m.Values[0].Key // a block entry starts at its first key
				}
				if tk := n.GetToken(); tk != nil {
					return fmt.Sprintf("%d:%d", tk.Position.Line, tk.Position.Column)
				}
			}
		}
		i := strings.LastIndexAny(p, ".[")
		if i <= 0 {
			break
		}
		p = p[:i]
	}
	return "1:1"
}

// located places a check's error at the key it is about.
func located(err error, where func(string) string, at string) error {
	field := ""
	var fe fieldError
	var ve *upload.ValidationError
	switch {
	case errors.As(err, &fe):
		field = fe.field
	case errors.As(err, &ve):
		field = ve.Field
	}
	if field == "file" && strings.HasPrefix(at, "$.layers") {
		field = "files"
	}
	if field != "" {
		at += "." + field
	}
	return &ManifestError{where(at), err.Error()}
}

// fieldError is a manifest check's error about one key.
type fieldError struct{ field, msg string }

func (e fieldError) Error() string { return e.field + ": " + e.msg }

func checkName(workspace, name string) error {
	if workspace == "" {
		return fieldError{"workspace", "required"}
	}
	if err := client.ValidateWorkspace(workspace); err != nil {
		return fieldError{"workspace", err.Error()}
	}
	if name == "" {
		return fieldError{"name", "required (apply does not guess names)"}
	}
	if !namePattern().MatchString(name) {
		// Layman would publish another name (made safe) than the one
		// apply then looks for.
		return fieldError{"name", fmt.Sprintf("%q is not a name Layman keeps as is: lower-case letters, digits and single underscores", name)}
	}
	return nil
}

func checkLayer(l *LayerSpec) error {
	if err := checkName(l.Workspace, l.Name); err != nil {
		return err
	}
	if len(l.Files) == 0 {
		return fieldError{"files", "required: apply publishes files (external tables are not supported)"}
	}
	_, err := upload.ValidateLayer(l.params(), false)
	return err
}

func checkMap(m *MapSpec) error {
	if err := checkName(m.Workspace, m.Name); err != nil {
		return err
	}
	if err := upload.ValidateMapParams(m.params()); err != nil {
		return err
	}
	switch {
	case m.File != "" && len(m.Layers) > 0:
		return fieldError{"layers", "give a composition file or layers, not both"}
	case len(m.Layers) > 0:
		if m.Title == "" {
			return fieldError{"title", "required with layers: the composition needs a title"}
		}
		refs, err := cli.ParseRefs(m.Layers)
		if err != nil {
			return fieldError{"layers", cli.ErrorText(err)}
		}
		m.refs = refs
		return nil
	case m.File == "":
		return fieldError{"file", "required: the map composition (JSON), or layers to compose"}
	}
	_, err := upload.ValidateMap(m.File)
	return err
}

func (l *LayerSpec) params() upload.LayerParams {
	return upload.LayerParams{Workspace: l.Workspace, Name: l.Name, Files: l.Files, Title: l.Title, Description: l.Description,
		StylePath: l.Style, CRS: l.CRS, Read: l.Read, Write: l.Write}
}

func (m *MapSpec) params() upload.MapParams {
	return upload.MapParams{Name: m.Name, Title: m.Title, Description: m.Description, Read: m.Read, Write: m.Write}
}
