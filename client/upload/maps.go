package upload

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/laymanctl/laymanctl/client"
)

// MapParams are the inputs of POST Workspace Maps / PATCH Map besides the
// composition file.
type MapParams struct {
	Name, Title, Description string
	Read, Write              []string
	// UUID is the new map's UUID chosen by the client (publish only,
	// Layman 2.0 and later); empty lets Layman choose.
	UUID string
}

// MapFile is a validated map composition.
type MapFile struct {
	Path string
	Size int64
	// layers are the composition's layer definitions.
	layers []json.RawMessage
}

// schemaURL is Layman's SCHEMA_URL_PATTERN for describedBy; majors 2 and 3
// are accepted.
var schemaURL = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^https://raw.githubusercontent.com/hslayers/map-compositions/(([0-9]+\.[0-9]+\.[0-9]+)|([a-zA-Z]*?))/schema.json$`)
})

// ValidateMap checks a map composition: JSON with describedBy naming
// Layman's map-composition schema, version 2 or 3.
func ValidateMap(path string) (*MapFile, error) {
	fi, err := regularFile("file", path)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, invalid("file", "%v", err)
	}
	var doc struct {
		DescribedBy *string           `json:"describedBy"`
		Layers      []json.RawMessage `json:"layers"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		var syntax *json.SyntaxError
		if !errors.As(err, &syntax) {
			return nil, invalid("file", "%s is not a JSON map composition: %v", filepath.Base(path), err)
		}
		// Offset counts the bytes read: the offending one included, or all
		// of them when the input ends too early.
		end := syntax.Offset
		if end < int64(len(data)) || !strings.HasPrefix(syntax.Error(), "unexpected end") {
			end = max(end-1, 0)
		}
		before := data[:end]
		line := bytes.Count(before, []byte("\n")) + 1
		column := utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:]) + 1
		return nil, invalid("file", "%s is not valid JSON: %v (line %d, column %d)", filepath.Base(path), syntax, line, column)
	}
	if doc.DescribedBy == nil {
		return nil, invalid("file", "%s has no describedBy key naming the map-composition schema", filepath.Base(path))
	}
	m := schemaURL().FindStringSubmatch(*doc.DescribedBy)
	if m == nil {
		return nil, invalid("file", "describedBy %q is not https://raw.githubusercontent.com/hslayers/map-compositions/<version>/schema.json", *doc.DescribedBy)
	}
	if v := m[2]; v != "" && !strings.HasPrefix(v, "2.") && !strings.HasPrefix(v, "3.") {
		return nil, invalid("file", "map-composition schema %s is not supported; Layman takes versions 2.x.x and 3.x.x", v)
	}
	return &MapFile{Path: path, Size: fi.Size(), layers: doc.Layers}, nil
}

func checkMapParams(p MapParams) error {
	if p.Name != "" {
		if err := client.ValidateName(p.Name); err != nil {
			return &ValidationError{Field: "name", Message: err.Error()}
		}
	}
	if err := checkUUID(p.UUID, false); err != nil {
		return err
	}
	if err := checkAccessList("read", p.Read); err != nil {
		return err
	}
	return checkAccessList("write", p.Write)
}

func mapForm(p MapParams, mf *MapFile) *form {
	f := newForm()
	f.fieldIf("name", p.Name)
	f.fieldIf("uuid", p.UUID)
	f.fieldIf("title", p.Title)
	f.fieldIf("description", p.Description)
	if len(p.Read) > 0 {
		f.field("access_rights.read", accessValue(p.Read))
	}
	if len(p.Write) > 0 {
		f.field("access_rights.write", accessValue(p.Write))
	}
	if mf != nil {
		f.file("file", filepath.Base(mf.Path), mf.Path, mf.Size)
	}
	return f
}

// PublishMap validates the composition at path and publishes it in
// workspace (POST Workspace Maps, the same URL in both generations).
func (u *Uploader) PublishMap(ctx context.Context, workspace, path string, p MapParams) (*Result, error) {
	if err := client.ValidateWorkspace(workspace); err != nil {
		return nil, &ValidationError{Field: "workspace", Message: err.Error()}
	}
	if err := checkMapParams(p); err != nil {
		return nil, err
	}
	mf, err := ValidateMap(path)
	if err != nil {
		return nil, err
	}
	if p.UUID != "" {
		if err := u.requireVersion(ctx, 2, 0, "--uuid"); err != nil {
			return nil, err
		}
	}
	var answer []client.Publication
	err = u.Client.Maps.Create(ctx, workspace, func(path string, workspaceInForm bool) error {
		f := mapForm(p, mf)
		if workspaceInForm {
			f.field("workspace", workspace)
		}
		answer = nil
		return sendForm(ctx, u.Client, http.MethodPost, path, f, &answer)
	})
	if err != nil {
		return nil, fmt.Errorf("publishing map in %s: %w", workspace, err)
	}
	if len(answer) != 1 {
		return nil, fmt.Errorf("publishing map in %s: the server answered %d maps instead of one", workspace, len(answer))
	}
	return &Result{
		Ref:         client.Ref{UUID: answer[0].UUID, Workspace: workspace, Name: answer[0].Name},
		Publication: &answer[0],
		Warnings:    mf.nameRefWarnings(u.Client.BaseURL()),
	}, nil
}

// UpdateMap changes the map ref (PATCH Map); path may be empty to change
// only its metadata.
func (u *Uploader) UpdateMap(ctx context.Context, ref client.Ref, path string, p MapParams) (*Result, error) {
	if err := checkMapParams(p); err != nil {
		return nil, err
	}
	var mf *MapFile
	if path != "" {
		var err error
		if mf, err = ValidateMap(path); err != nil {
			return nil, err
		}
	}
	if p.UUID != "" {
		return nil, invalid("uuid", "only when publishing: a publication keeps its UUID")
	}
	p.Name = "" // PATCH never reads name: Layman renames nothing (map/rest_map.py)
	var pub client.Publication
	err := u.patchWhenFree(ctx, KindMap, &ref, func() error {
		return u.Client.Maps.Do(ctx, ref, "", func(path string, full client.Ref) error {
			ref = full
			return sendForm(ctx, u.Client, http.MethodPatch, path, mapForm(p, mf), &pub)
		})
	})
	if err != nil {
		return nil, fmt.Errorf("updating map %s: %w", ref, err)
	}
	ref.UUID = firstNonEmpty(pub.UUID, ref.UUID)
	ref.Name = firstNonEmpty(pub.Name, ref.Name)
	res := &Result{Ref: ref, Publication: &pub}
	if mf != nil {
		res.Warnings = mf.nameRefWarnings(u.Client.BaseURL())
	}
	return res, nil
}
