package upload

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"

	"github.com/laymanctl/laymanctl/client/jsonsplit"
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
// The members of "features" are read and checked one at a time, so memory
// stays at the size of one feature whatever the file's. Features are read
// in runs of up to the reader's buffer, checked by one gjson pass.
func checkGeoJSON(r io.Reader) error {
	g := &geoJSONReader{count: &countingReader{r: r}}
	g.in = bufio.NewReaderSize(g.count, 256<<10)
	c, err := jsonsplit.NonSpace(g.in)
	switch {
	case errors.Is(err, io.EOF):
		return errors.New("it is empty")
	case err != nil:
		return err
	case c != '{' && jsonsplit.StartsValue(c):
		return errors.New("it is not a JSON object")
	case c != '{':
		return g.syntax(string(c))
	}
	var typ string
	for first := true; ; first = false {
		if c, err = g.next(); err != nil {
			return err
		}
		if c == '}' && first {
			break
		}
		if !first {
			if c == '}' {
				break
			}
			if c != ',' {
				return g.syntax(`{"k":0` + string(c))
			}
			if c, err = g.next(); err != nil {
				return err
			}
		}
		if c != '"' {
			return g.syntax("{" + string(c))
		}
		raw, err := g.value(c)
		if err != nil {
			return err
		}
		var key string
		json.Unmarshal(raw, &key) // a valid JSON string
		if c, err = g.next(); err != nil {
			return err
		}
		if c != ':' {
			return g.syntax(`{"k"` + string(c))
		}
		if c, err = g.next(); err != nil {
			return err
		}
		if key == "features" {
			if c != '[' {
				return errors.New("its \"features\" is not an array")
			}
			if err := g.array(); err != nil {
				return err
			}
			continue
		}
		if raw, err = g.value(c); err != nil {
			return err
		}
		if key == "type" {
			if err := json.Unmarshal(raw, &typ); err != nil {
				return fmt.Errorf("its \"type\" is not a string: %w", err)
			}
		}
	}
	if _, err := jsonsplit.NonSpace(g.in); !errors.Is(err, io.EOF) {
		if err != nil {
			return err
		}
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

// geoJSONReader reads a GeoJSON file's top-level object, knowing where it
// is in the file for error messages.
type geoJSONReader struct {
	count *countingReader
	in    *bufio.Reader
	// oneByOne is the offset up to which features are read one at a time:
	// reading a run of them at once failed there.
	oneByOne int64
	scratch  []byte // Members' copy of a run of features
}

// next reads the next byte that is not white space; the file must go on.
func (g *geoJSONReader) next() (byte, error) {
	c, err := jsonsplit.NonSpace(g.in)
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return c, err
}

// value reads and checks the value that starts with c.
func (g *geoJSONReader) value(c byte) ([]byte, error) {
	start := g.pos() - 1
	raw, err := jsonsplit.Value(g.in, c)
	return raw, g.placed(err, start)
}

// check is value for a value not kept: a feature.
func (g *geoJSONReader) check(c byte) error {
	start := g.pos() - 1
	return g.placed(jsonsplit.Check(g.in, c), start)
}

// placed moves a syntax error's offset from its value's start to the file's.
func (g *geoJSONReader) placed(err error, start int64) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		se.Offset += start
	}
	return err
}

// array reads and checks the members of an array whose "[" was read.
func (g *geoJSONReader) array() error {
	for first := true; ; first = false {
		c, err := g.next()
		if err != nil {
			return err
		}
		if c == ']' && first {
			return nil
		}
		if !first {
			switch c {
			case ']':
				return nil
			case ',':
				if c, err = g.next(); err != nil {
					return err
				}
			default:
				return g.syntax("[0" + string(c))
			}
		}
		if c == '{' && g.pos() >= g.oneByOne {
			g.in.UnreadByte()
			run, read := jsonsplit.Members(g.in, &g.scratch)
			if read {
				continue // the comma after the last member read is next
			}
			g.oneByOne = g.pos() + int64(run)
			c, _ = g.in.ReadByte()
		}
		if err := g.check(c); err != nil {
			return err
		}
	}
}

// syntax is encoding/json's error for the JSON that ends as context does,
// placed at the byte just read.
func (g *geoJSONReader) syntax(context string) error {
	err := jsonsplit.SyntaxError([]byte(context))
	var se *json.SyntaxError
	if errors.As(err, &se) {
		se.Offset = g.pos()
	}
	return err
}

func (g *geoJSONReader) pos() int64 { return g.count.n - int64(g.in.Buffered()) }

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
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
