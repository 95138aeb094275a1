package client

import (
	"encoding/json"
	"fmt"
)

// Layer is the answer of GET Layer. Raw holds the server's exact JSON and is
// what marshalling a Layer gives back.
type Layer struct {
	Name               string         `json:"name"`
	UUID               string         `json:"uuid"`
	URL                string         `json:"url"`
	Title              string         `json:"title"`
	Description        string         `json:"description"`
	UpdatedAt          Timestamp      `json:"updated_at"`
	LaymanMetadata     LaymanMetadata `json:"layman_metadata"`
	WMS                *WMSSource     `json:"wms,omitempty"`
	WFS                *WFSSource     `json:"wfs,omitempty"`
	Thumbnail          *FileSource    `json:"thumbnail,omitempty"`
	File               *LayerFile     `json:"file,omitempty"`
	DB                 *DBSource      `json:"db,omitempty"`
	Style              *StyleSource   `json:"style,omitempty"`
	Metadata           *MetadataInfo  `json:"metadata,omitempty"`
	OriginalDataSource string         `json:"original_data_source,omitempty"`
	FilePath           string         `json:"file_path,omitempty"` // 2.x rasters published from GeoServer's data directory
	AccessRights       AccessRights   `json:"access_rights"`
	BoundingBox        BoundingBox    `json:"bounding_box,omitempty"`
	NativeCRS          string         `json:"native_crs,omitempty"`
	NativeBoundingBox  BoundingBox    `json:"native_bounding_box,omitempty"`
	ImageMosaic        bool           `json:"image_mosaic,omitempty"`
	GeodataType        string         `json:"geodata_type,omitempty"`
	UsedInMaps         []MapRef       `json:"used_in_maps,omitempty"`

	Raw json.RawMessage `json:"-"`
}

// Map is the answer of GET Map, with Raw like Layer.
type Map struct {
	Name              string         `json:"name"`
	UUID              string         `json:"uuid"`
	URL               string         `json:"url"`
	Title             string         `json:"title"`
	Description       string         `json:"description"`
	UpdatedAt         Timestamp      `json:"updated_at"`
	LaymanMetadata    LaymanMetadata `json:"layman_metadata"`
	File              *FileSource    `json:"file,omitempty"`
	Thumbnail         *FileSource    `json:"thumbnail,omitempty"`
	Metadata          *MetadataInfo  `json:"metadata,omitempty"`
	AccessRights      AccessRights   `json:"access_rights"`
	BoundingBox       BoundingBox    `json:"bounding_box,omitempty"`
	NativeCRS         string         `json:"native_crs,omitempty"`
	NativeBoundingBox BoundingBox    `json:"native_bounding_box,omitempty"`

	Raw json.RawMessage `json:"-"`
}

// LaymanMetadata carries the overall processing state.
type LaymanMetadata struct {
	PublicationStatus string `json:"publication_status"`
}

// Values of LaymanMetadata.PublicationStatus.
const (
	StatusUpdating   = "UPDATING"
	StatusComplete   = "COMPLETE"
	StatusIncomplete = "INCOMPLETE"
)

// SourceState is what every source of a publication may carry while it is
// processed or after it failed. No status means the source is available.
type SourceState struct {
	Status string       `json:"status,omitempty"`
	Error  *SourceError `json:"error,omitempty"`
}

// SourceError is the Layman error that made a source fail.
type SourceError struct {
	Code    int             `json:"code"`
	SubCode int             `json:"sub_code,omitempty"`
	Message string          `json:"message"`
	Detail  json.RawMessage `json:"detail,omitempty"`
}

func (e *SourceError) Error() string {
	if e.Code == 0 {
		return e.Message // a plain string, e.g. db.error "Cannot connect to DB." (layer/db/table.py)
	}
	return fmt.Sprintf("Layman error %d: %s", e.Code, withDetail(e.Message, e.Detail))
}

// UnmarshalJSON also accepts a plain string, kept as the message.
func (e *SourceError) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*e = SourceError{Message: s}
		return nil
	}
	type plain SourceError
	return json.Unmarshal(b, (*plain)(e))
}

// WMSSource is a layer's WMS endpoint.
type WMSSource struct {
	Name string   `json:"name,omitempty"`
	URL  string   `json:"url,omitempty"`
	Time *WMSTime `json:"time,omitempty"`
	SourceState
}

// WMSTime describes the time dimension of a time-series layer.
type WMSTime struct {
	Units       string   `json:"units"`
	Values      []string `json:"values"`
	Default     string   `json:"default"`
	Regex       string   `json:"regex"`
	RegexFormat string   `json:"regex_format,omitempty"`
}

// WFSSource is a vector layer's WFS endpoint.
type WFSSource struct {
	Name string `json:"name,omitempty"`
	URL  string `json:"url,omitempty"`
	SourceState
}

// FileSource is a thumbnail, or a map's composition file.
type FileSource struct {
	URL  string `json:"url,omitempty"`
	Path string `json:"path,omitempty"`
	SourceState
}

// LayerFile lists a layer's main data files.
type LayerFile struct {
	Paths []string `json:"paths,omitempty"`
	SourceState
}

// DBSource is a vector layer's table.
type DBSource struct {
	Schema      string `json:"schema,omitempty"`
	Table       string `json:"table,omitempty"`
	GeoColumn   string `json:"geo_column,omitempty"`
	ExternalURI string `json:"external_uri,omitempty"`
	SourceState
}

// StyleSource is a layer's default style.
type StyleSource struct {
	URL  string `json:"url,omitempty"`
	Type string `json:"type,omitempty"`
	SourceState
}

// MetadataInfo is the publication's metadata record in the catalogue.
type MetadataInfo struct {
	Identifier    string `json:"identifier,omitempty"`
	RecordURL     string `json:"record_url,omitempty"`
	CSWURL        string `json:"csw_url,omitempty"`
	ComparisonURL string `json:"comparison_url,omitempty"`
	SourceState
}

// Status is a publication's processing state: the overall status and every
// source that reports a status of its own.
type Status struct {
	Publication string
	Sources     []SourceStatus
}

// SourceStatus is the state of one source, named as in the server's JSON.
type SourceStatus struct {
	Source string
	Status string
	Error  *SourceError
}

// Done reports whether processing has finished, successfully or not.
func (s Status) Done() bool {
	return s.Publication == StatusComplete || s.Publication == StatusIncomplete
}

// Status gives the layer's processing state.
func (l *Layer) Status() Status {
	s := Status{Publication: l.LaymanMetadata.PublicationStatus}
	if l.File != nil {
		s.add("file", l.File.SourceState)
	}
	if l.DB != nil {
		s.add("db", l.DB.SourceState)
	}
	if l.WMS != nil {
		s.add("wms", l.WMS.SourceState)
	}
	if l.WFS != nil {
		s.add("wfs", l.WFS.SourceState)
	}
	if l.Style != nil {
		s.add("style", l.Style.SourceState)
	}
	if l.Thumbnail != nil {
		s.add("thumbnail", l.Thumbnail.SourceState)
	}
	if l.Metadata != nil {
		s.add("metadata", l.Metadata.SourceState)
	}
	return s
}

// Status gives the map's processing state.
func (m *Map) Status() Status {
	s := Status{Publication: m.LaymanMetadata.PublicationStatus}
	if m.File != nil {
		s.add("file", m.File.SourceState)
	}
	if m.Thumbnail != nil {
		s.add("thumbnail", m.Thumbnail.SourceState)
	}
	if m.Metadata != nil {
		s.add("metadata", m.Metadata.SourceState)
	}
	return s
}

func (s *Status) add(source string, st SourceState) {
	if st.Status != "" || st.Error != nil {
		s.Sources = append(s.Sources, SourceStatus{Source: source, Status: st.Status, Error: st.Error})
	}
}

func (l *Layer) UnmarshalJSON(b []byte) error {
	type plain Layer
	if err := json.Unmarshal(b, (*plain)(l)); err != nil {
		return err
	}
	l.Raw = append(json.RawMessage(nil), b...)
	return nil
}

func (l Layer) MarshalJSON() ([]byte, error) {
	if l.Raw != nil {
		return l.Raw, nil
	}
	type plain Layer
	return json.Marshal(plain(l))
}

func (m *Map) UnmarshalJSON(b []byte) error {
	type plain Map
	if err := json.Unmarshal(b, (*plain)(m)); err != nil {
		return err
	}
	m.Raw = append(json.RawMessage(nil), b...)
	return nil
}

func (m Map) MarshalJSON() ([]byte, error) {
	if m.Raw != nil {
		return m.Raw, nil
	}
	type plain Map
	return json.Marshal(plain(m))
}
