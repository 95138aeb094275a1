package upload

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"mime/multipart"
	"os"
)

// form is a multipart/form-data body described up front and streamed from
// disk on demand. The framing comes from mime/multipart with a boundary
// fixed per form, so every Open yields the same bytes: the body can be
// replayed (token refresh, retries) and its exact length is known, which
// lets it go with Content-Length rather than chunked encoding that some
// WSGI servers do not read.
type form struct {
	boundary string
	parts    []formPart
}

type formPart struct {
	field    string
	value    string // a text field when source is nil
	filename string // a file part otherwise
	size     int64  // bytes source yields
	source   func() (io.Reader, io.Closer, error)
}

func newForm() *form {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return &form{boundary: "laymanctl-" + hex.EncodeToString(b[:])}
}

func (f *form) field(name, value string) {
	f.parts = append(f.parts, formPart{field: name, value: value})
}

// fieldIf adds a field only when it has a value: Layman treats an empty
// field like a missing one, but not always (e.g. PATCH title).
func (f *form) fieldIf(name, value string) {
	if value != "" {
		f.field(name, value)
	}
}

// file adds a part read from path when the body is opened.
func (f *form) file(field, filename, path string, size int64) {
	f.parts = append(f.parts, formPart{field: field, filename: filename, size: size,
		source: func() (io.Reader, io.Closer, error) {
			fh, err := os.Open(path)
			if err != nil {
				return nil, nil, err
			}
			return io.LimitReader(fh, size), fh, nil
		}})
}

// section adds a part holding bytes [off, off+n) of an open file; the file
// stays owned by the caller and is read with ReadAt, so many sections of
// one file can stream at once.
func (f *form) section(field, filename string, file io.ReaderAt, off, n int64) {
	f.parts = append(f.parts, formPart{field: field, filename: filename, size: n,
		source: func() (io.Reader, io.Closer, error) {
			return io.NewSectionReader(file, off, n), nil, nil
		}})
}

func (f *form) contentType() string {
	return "multipart/form-data; boundary=" + f.boundary
}

// frame renders the multipart framing around the parts: segment i is what
// precedes file part i (the last segment closes the body).
func (f *form) frame() ([][]byte, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if err := w.SetBoundary(f.boundary); err != nil {
		return nil, err
	}
	var segs [][]byte
	for _, p := range f.parts {
		if p.source == nil {
			if err := w.WriteField(p.field, p.value); err != nil {
				return nil, err
			}
			continue
		}
		if _, err := w.CreateFormFile(p.field, p.filename); err != nil {
			return nil, err
		}
		segs = append(segs, bytes.Clone(buf.Bytes()))
		buf.Reset()
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return append(segs, buf.Bytes()), nil
}

// contentLength is the exact size of the body.
func (f *form) contentLength() (int64, error) {
	segs, err := f.frame()
	if err != nil {
		return 0, err
	}
	var n int64
	for _, s := range segs {
		n += int64(len(s))
	}
	for _, p := range f.parts {
		n += p.size
	}
	return n, nil
}

// open starts a fresh copy of the body. Files are opened now and closed by
// the returned body's Close.
func (f *form) open() (io.ReadCloser, error) {
	segs, err := f.frame()
	if err != nil {
		return nil, err
	}
	b := &formBody{}
	readers := make([]io.Reader, 0, 2*len(segs))
	i := 0
	for _, p := range f.parts {
		if p.source == nil {
			continue
		}
		r, c, err := p.source()
		if err != nil {
			b.Close()
			return nil, fmt.Errorf("open %s: %w", p.filename, err)
		}
		if c != nil {
			b.closers = append(b.closers, c)
		}
		readers = append(readers, bytes.NewReader(segs[i]), &exactReader{r: r, left: p.size, name: p.filename})
		i++
	}
	b.Reader = io.MultiReader(append(readers, bytes.NewReader(segs[i]))...)
	return b, nil
}

type formBody struct {
	io.Reader
	closers []io.Closer
}

func (b *formBody) Close() error {
	for _, c := range b.closers {
		c.Close()
	}
	b.closers = nil
	return nil
}

// exactReader fails loudly when a file shrank since it was measured, rather
// than sending a body shorter than its Content-Length.
type exactReader struct {
	r    io.Reader
	left int64
	name string
}

func (e *exactReader) Read(p []byte) (int, error) {
	if e.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > e.left {
		p = p[:e.left]
	}
	n, err := e.r.Read(p)
	e.left -= int64(n)
	if err == io.EOF && e.left > 0 {
		return n, fmt.Errorf("%s changed size while being sent: %w", e.name, io.ErrUnexpectedEOF)
	}
	if err == io.EOF {
		err = nil
	}
	return n, err
}
