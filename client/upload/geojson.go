package upload

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
)

// geoJSONTypes are the values of a GeoJSON document's top-level "type"
// (RFC 7946, section 1.4).
var geoJSONTypes = []string{"FeatureCollection", "Feature", "Point", "MultiPoint", "LineString",
	"MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection"}

func isGeoJSON(name string) bool { return ext(name) == ".geojson" }

// checkGeoJSONFile reads the whole file; for files sent in one request.
func checkGeoJSONFile(f File) error {
	fh, err := os.Open(f.Path)
	if err != nil {
		return err
	}
	defer fh.Close()
	return geoJSONError(f.Path, checkGeoJSON(fh))
}

// checkGeoJSON checks that r holds one JSON object with a GeoJSON "type".
// The members of "features" are decoded one at a time, so memory stays at
// the size of one feature whatever the file's.
func checkGeoJSON(r io.Reader) error {
	dec := json.NewDecoder(r)
	tok, err := dec.Token()
	if errors.Is(err, io.EOF) {
		return errors.New("it is empty")
	}
	if err != nil {
		return err
	}
	if tok != json.Delim('{') {
		return errors.New("it is not a JSON object")
	}
	var typ string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case "type":
			if err := dec.Decode(&typ); err != nil {
				return fmt.Errorf("its \"type\" is not a string: %w", err)
			}
		case "features":
			if tok, err := dec.Token(); err != nil {
				return err
			} else if tok != json.Delim('[') {
				return errors.New("its \"features\" is not an array")
			}
			for dec.More() {
				var feature json.RawMessage
				if err := dec.Decode(&feature); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return err
			}
		default:
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				return err
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("more data follows the JSON object")
	}
	if !slices.Contains(geoJSONTypes, typ) {
		if typ == "" {
			return errors.New("it has no \"type\"")
		}
		return fmt.Errorf("its \"type\" %q is not a GeoJSON type", typ)
	}
	return nil
}

// geoJSONError words a failed check as bad input.
func geoJSONError(path string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, io.ErrUnexpectedEOF):
		return invalid("file", "%s is not valid GeoJSON: it is truncated (the JSON ends early)", path)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return invalid("file", "%s is not valid JSON: %v (at byte %d)", path, se, se.Offset)
	}
	return invalid("file", "%s is not valid GeoJSON: %v", path, err)
}

// jsonStream checks a GeoJSON file sent in chunks, fed with each chunk's
// bytes in order as the workers read them, so the file is read once. The
// last chunk is sent only when the whole file passed.
type jsonStream struct {
	path string
	pw   *io.PipeWriter
	// verdict receives checkGeoJSON's result once.
	verdict chan error

	mu      sync.Mutex
	next    int           // the chunk number to feed next
	changed chan struct{} // closed when next moves
}

func newJSONStream(path string) *jsonStream {
	pr, pw := io.Pipe()
	s := &jsonStream{path: path, pw: pw, verdict: make(chan error, 1), next: 1, changed: make(chan struct{})}
	go func() {
		// checkGeoJSON reads to the end: the writer's Close after the last
		// chunk.
		err := checkGeoJSON(pr)
		pr.CloseWithError(errCheckEnded)
		s.verdict <- geoJSONError(path, err)
	}()
	return s
}

var errCheckEnded = errors.New("the GeoJSON check has ended")

// feed passes chunk number's bytes to the check once every earlier chunk
// has been fed. For the last chunk it waits for the verdict. A non-nil
// error means the file failed the check (or ctx ended).
func (s *jsonStream) feed(ctx context.Context, number int, data []byte, last bool) error {
	for {
		s.mu.Lock()
		next, changed := s.next, s.changed
		s.mu.Unlock()
		if next == number {
			break
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	_, err := s.pw.Write(data)
	s.mu.Lock()
	s.next++
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
	if err != nil || last {
		s.pw.Close()
		select {
		case v := <-s.verdict:
			s.verdict <- v // for the other workers that ask
			return v
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	return nil
}

// stop ends the check of an upload that stopped.
func (s *jsonStream) stop() { s.pw.CloseWithError(errCheckEnded) }
