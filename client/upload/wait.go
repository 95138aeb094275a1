package upload

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/laymanctl/laymanctl/client"
)

// Status is the processing state of a publication.
type Status struct {
	// Publication is layman_metadata.publication_status: UPDATING, COMPLETE
	// or INCOMPLETE.
	Publication string
	// Sources are the parts (file, db, wms, wfs, style, thumbnail,
	// metadata, ...) that carry a status or an error, sorted by name.
	Sources []Source
	Raw     json.RawMessage
}

// Source is one part of a publication being processed.
type Source struct {
	Name   string
	Status string          // PENDING, STARTED, SUCCESS, FAILURE, NOT_AVAILABLE
	Error  json.RawMessage // the Layman error of a failed source, if any
}

// ErrorText renders Error on one line.
func (s Source) ErrorText() string {
	if len(s.Error) == 0 || string(s.Error) == "null" {
		return ""
	}
	var se client.SourceError
	if json.Unmarshal(s.Error, &se) == nil && (se.Code != 0 || se.Message != "") {
		return se.Error()
	}
	return string(s.Error)
}

// Final reports whether processing has ended.
func (s *Status) Final() bool {
	return s.Publication == client.StatusComplete || s.Publication == client.StatusIncomplete
}

// Poll delays of Wait: start quick (small layers finish in a second), back
// off to a gentle rate for long ones.
const (
	firstPoll = 250 * time.Millisecond
	maxPoll   = 5 * time.Second
)

// Wait polls the publication until its processing ends, calling onStatus
// (if not nil) whenever the state changes. It returns an *IncompleteError
// when processing finished INCOMPLETE.
func Wait(ctx context.Context, c *client.Client, ref client.Ref, kind string, onStatus func(Status)) (*Status, error) {
	svc := service(c, kind)
	delay := firstPoll
	var last string
	for {
		var st *Status
		err := svc.Do(ctx, ref, "", func(path string, full client.Ref) error {
			ref = full
			var err error
			st, err = fetchStatus(ctx, c, path)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("waiting for %s %s: %w", kind, ref, err)
		}
		if key := st.key(); onStatus != nil && key != last {
			onStatus(*st)
			last = key
		}
		if st.Final() {
			if st.Publication == client.StatusIncomplete {
				return st, &IncompleteError{Ref: ref, Kind: kind, Failed: st.failed()}
			}
			return st, nil
		}
		if err := pause(ctx, delay); err != nil {
			return st, fmt.Errorf("waiting for %s %s: %w", kind, ref, err)
		}
		delay = min(delay*2, maxPoll)
	}
}

func fetchStatus(ctx context.Context, c *client.Client, path string) (*Status, error) {
	var raw json.RawMessage
	if err := c.GetJSON(ctx, path, &raw); err != nil {
		return nil, err
	}
	return parseStatus(raw)
}

// parseStatus reads the publication status and every top-level object that
// has a status or an error: the sources differ between generations and
// publication types, so they are found rather than listed.
func parseStatus(raw json.RawMessage) (*Status, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("decoding the publication: %w", err)
	}
	st := &Status{Raw: raw}
	var meta client.LaymanMetadata
	if m, ok := doc["layman_metadata"]; ok {
		if err := json.Unmarshal(m, &meta); err != nil {
			return nil, fmt.Errorf("decoding layman_metadata: %w", err)
		}
	}
	st.Publication = meta.PublicationStatus
	for name, v := range doc {
		var src struct {
			Status string          `json:"status"`
			Error  json.RawMessage `json:"error"`
		}
		if json.Unmarshal(v, &src) != nil || src.Status == "" && len(src.Error) == 0 {
			continue
		}
		st.Sources = append(st.Sources, Source{Name: name, Status: src.Status, Error: src.Error})
	}
	slices.SortFunc(st.Sources, func(a, b Source) int { return strings.Compare(a.Name, b.Name) })
	return st, nil
}

// dropped reports a chunked upload Layman gave up on: INCOMPLETE with
// file error 22 (layer/filesystem/tasks.py, UPLOAD_MAX_INACTIVITY_TIME).
func (s *Status) dropped() bool {
	if s.Publication != client.StatusIncomplete {
		return false
	}
	for _, src := range s.Sources {
		var se client.SourceError
		if src.Name == "file" && json.Unmarshal(src.Error, &se) == nil && se.Code == client.CodeUploadTimeout {
			return true
		}
	}
	return false
}

// key identifies a state so onStatus hears only changes.
func (s *Status) key() string {
	k := s.Publication
	for _, src := range s.Sources {
		k += "|" + src.Name + "=" + src.Status
	}
	return k
}

// failed lists the sources to blame for INCOMPLETE: those with an error or
// a failure status, or, if none says so, every source not available.
func (s *Status) failed() []Source {
	var out []Source
	for _, src := range s.Sources {
		if len(src.Error) > 0 && string(src.Error) != "null" || src.Status == "FAILURE" {
			out = append(out, src)
		}
	}
	if len(out) == 0 {
		for _, src := range s.Sources {
			if src.Status != "" && src.Status != "SUCCESS" {
				out = append(out, src)
			}
		}
	}
	return out
}
