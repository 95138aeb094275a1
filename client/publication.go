package client

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Publication is one item of a publication, layer or map list, or the answer
// to a delete. Raw holds the server's exact JSON; marshalling a Publication
// gives Raw back, so `-o json` shows what the server said.
type Publication struct {
	Workspace         string       `json:"workspace,omitempty"`
	Type              string       `json:"publication_type,omitempty"`
	Name              string       `json:"name"`
	Title             string       `json:"title,omitempty"`
	UUID              string       `json:"uuid"`
	URL               string       `json:"url,omitempty"`
	UpdatedAt         Timestamp    `json:"updated_at"`
	AccessRights      AccessRights `json:"access_rights"`
	BoundingBox       BoundingBox  `json:"bounding_box,omitempty"`
	NativeCRS         string       `json:"native_crs,omitempty"`
	NativeBoundingBox BoundingBox  `json:"native_bounding_box,omitempty"`
	// GeodataType, WFSWMSStatus and UsedInMaps come with layers only.
	GeodataType  string   `json:"geodata_type,omitempty"`
	WFSWMSStatus string   `json:"wfs_wms_status,omitempty"`
	UsedInMaps   []MapRef `json:"used_in_maps,omitempty"`
	// FilesToUpload is set in answers to a POST or PATCH that named files
	// for a chunked upload.
	FilesToUpload []FileToUpload `json:"files_to_upload,omitempty"`

	Raw json.RawMessage `json:"-"`
}

// Values of Publication.Type.
const (
	TypeLayer = "layer"
	TypeMap   = "map"
)

// Ref identifies the publication for further calls.
func (p *Publication) Ref() Ref { return Ref{UUID: p.UUID, Workspace: p.Workspace, Name: p.Name} }

func (p *Publication) UnmarshalJSON(b []byte) error {
	type plain Publication
	if err := json.Unmarshal(b, (*plain)(p)); err != nil {
		return err
	}
	p.Raw = append(json.RawMessage(nil), b...)
	return nil
}

func (p Publication) MarshalJSON() ([]byte, error) {
	if p.Raw != nil {
		return p.Raw, nil
	}
	type plain Publication
	return json.Marshal(plain(p))
}

// AccessRights lists the users and roles allowed to read and write.
type AccessRights struct {
	Read  []string `json:"read"`
	Write []string `json:"write"`
}

// MapRef is a map that uses a layer.
type MapRef struct {
	Name      string `json:"name"`
	Workspace string `json:"workspace"`
}

// FileToUpload is a file the server waits for after a POST or PATCH that
// sent file names only.
type FileToUpload struct {
	File                    string `json:"file"`
	LaymanOriginalParameter string `json:"layman_original_parameter"`
}

// BoundingBox is [minx, miny, maxx, maxy]. It is nil when the server sent
// no usable box (null, nulls inside, or fewer than four numbers).
type BoundingBox []float64

func (b *BoundingBox) UnmarshalJSON(data []byte) error {
	if box, ok := parseNumberArray(data); ok {
		*b = box
		return nil
	}
	var items []any
	if err := json.Unmarshal(data, &items); err != nil {
		return err
	}
	box := make(BoundingBox, 0, 4)
	for _, it := range items {
		if f, ok := it.(float64); ok {
			box = append(box, f)
		} else if it == nil {
			*b = nil
			return nil
		}
	}
	if len(box) < 4 {
		*b = nil
		return nil
	}
	*b = box[:4]
	return nil
}

// parseNumberArray is the fast path for the usual [n,n,n,n]; lists are
// decoded by the thousand.
func parseNumberArray(data []byte) (BoundingBox, bool) {
	s := strings.TrimSpace(string(data))
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return nil, false
	}
	inner := s[1 : len(s)-1]
	fields := strings.Split(inner, ",")
	if len(fields) != 4 {
		return nil, false
	}
	box := make(BoundingBox, 4)
	for i, f := range fields {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil {
			return nil, false
		}
		box[i] = v
	}
	return box, true
}

// Timestamp is Layman's ISO 8601 time; null, "" or an unreadable value
// leave it zero.
type Timestamp struct{ time.Time }

func (t *Timestamp) UnmarshalJSON(data []byte) error {
	s := strings.Trim(string(data), `"`)
	if s == "" || s == "null" {
		t.Time = time.Time{}
		return nil
	}
	// A time the server writes without an offset is UTC; anything else
	// unreadable stays zero rather than failing a whole list (Raw keeps it).
	t.Time = time.Time{}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if parsed, err := time.Parse(layout, s); err == nil {
			t.Time = parsed
			break
		}
	}
	return nil
}

func (t Timestamp) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return t.Time.MarshalJSON()
}
