package laymantest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	maxFieldBytes = 1 << 20  // a plain form field
	maxSmallFile  = 16 << 20 // a style or map-composition file
)

// uploadForm is a POST/PATCH body. Data files are streamed to a staging
// directory, never held in memory, so large direct uploads stay cheap.
type uploadForm struct {
	values    url.Values
	dataFiles []storedFile // `file` parts with a file name (direct upload)
	fileNames []string     // `file` fields without a file name (chunked upload)
	small     map[string]smallFile
	staging   string
}

type smallFile struct {
	name    string
	content []byte
}

// readUploadForm reads a multipart or urlencoded body. With dataToDisk the
// `file` parts go to disk (layers); otherwise they are kept as small files
// (map compositions).
func (s *Server) readUploadForm(r *http.Request, dataToDisk bool) (*uploadForm, error) {
	f := &uploadForm{values: url.Values{}, small: map[string]smallFile{}}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		if err := r.ParseForm(); err != nil {
			return nil, fmt.Errorf("form: %w", err)
		}
		f.values = r.PostForm
		f.fileNames = nonEmpty(f.values["file"])
		return f, nil
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, fmt.Errorf("multipart: %w", err)
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			f.discard()
			return nil, fmt.Errorf("multipart: %w", err)
		}
		if err := f.readPart(s, part.FormName(), part.FileName(), part, dataToDisk); err != nil {
			f.discard()
			return nil, err
		}
	}
	if len(f.dataFiles) == 0 {
		f.fileNames = nonEmpty(f.values["file"])
	}
	return f, nil
}

func (f *uploadForm) readPart(s *Server, field, filename string, body io.Reader, dataToDisk bool) error {
	switch {
	case filename == "":
		b, err := io.ReadAll(io.LimitReader(body, maxFieldBytes))
		if err != nil {
			return fmt.Errorf("field %s: %w", field, err)
		}
		f.values.Add(field, string(b))
	case field == "file" && dataToDisk:
		if f.staging == "" {
			dir, err := os.MkdirTemp(s.tmpDir(), "staging-")
			if err != nil {
				return fmt.Errorf("staging: %w", err)
			}
			f.staging = dir
		}
		p := filepath.Join(f.staging, fmt.Sprintf("%03d", len(f.dataFiles)))
		size, err := writeFile(p, body)
		if err != nil {
			return err
		}
		f.dataFiles = append(f.dataFiles, storedFile{name: filename, path: p, size: size})
	default:
		b, err := io.ReadAll(io.LimitReader(body, maxSmallFile))
		if err != nil {
			return fmt.Errorf("file %s: %w", field, err)
		}
		f.small[field] = smallFile{name: filename, content: b}
	}
	return nil
}

func nonEmpty(v []string) []string {
	var out []string
	for _, s := range v {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// discard removes staged data files of a rejected request.
func (f *uploadForm) discard() {
	if f.staging != "" {
		_ = os.RemoveAll(f.staging)
	}
}

// names lists the data file names of the request, streamed or announced.
func (f *uploadForm) names() []string {
	if len(f.dataFiles) > 0 {
		out := make([]string, len(f.dataFiles))
		for i, d := range f.dataFiles {
			out[i] = d.name
		}
		return out
	}
	return f.fileNames
}

func (s *Server) tmpDir() string {
	dir := filepath.Join(s.dataDir, "tmp")
	_ = os.MkdirAll(dir, 0o755)
	return dir
}

func writeFile(path string, body io.Reader) (int64, error) {
	out, err := os.Create(path)
	if err != nil {
		return 0, fmt.Errorf("create %s: %w", filepath.Base(path), err)
	}
	n, err := io.Copy(out, body)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	return n, nil
}

// SHA256File is the hex SHA-256 of the file at path, for tests that check
// an upload arrived byte for byte.
func SHA256File(t testing.TB, path string) string {
	t.Helper()
	sum, err := hashFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("open: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// inputFileDir is where a layer's data files live.
func (s *Server) inputFileDir(uuid string) string {
	return filepath.Join(s.dataDir, "layers", uuid, "input_file")
}

// keepFiles moves the accepted staged files into the layer's directory and
// drops the rest, as Layman ignores side files not named after a main file
// (src/layman/layer/filesystem/input_file.py).
func (s *Server) keepFiles(uuid string, staged []storedFile, accepted []string) ([]storedFile, error) {
	dir := s.inputFileDir(uuid)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("input dir: %w", err)
	}
	keep := map[string]bool{}
	for _, a := range accepted {
		keep[a] = true
	}
	var out []storedFile
	for _, f := range staged {
		if !keep[f.name] {
			continue
		}
		dst := filepath.Join(dir, safeBase(f.name))
		if err := os.Rename(f.path, dst); err != nil {
			return nil, fmt.Errorf("store %s: %w", f.name, err)
		}
		f.path = dst
		out = append(out, f)
	}
	return out, nil
}

// safeBase keeps a client file name from escaping the data directory.
func safeBase(name string) string {
	b := filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	if b == "." || b == ".." || b == "/" {
		return "file"
	}
	return b
}

// FileSHA256 is the hex SHA-256 of a layer data file as stored (assembled
// from chunks or uploaded directly); filename is the client's file name.
// The hash is computed on first request, so uploads stay cheap.
func (s *Server) FileSHA256(ref, filename string) (string, bool) {
	s.mu.Lock()
	p := s.store.lookup(ref)
	idx := -1
	if p != nil {
		for i, f := range p.files {
			if f.name == filename {
				idx = i
			}
		}
	}
	if idx < 0 {
		s.mu.Unlock()
		return "", false
	}
	f := p.files[idx]
	s.mu.Unlock()
	if f.sha256 != "" {
		return f.sha256, true
	}
	sum, err := hashFile(f.path)
	if err != nil {
		return "", false
	}
	s.mu.Lock()
	if idx < len(p.files) && p.files[idx].path == f.path {
		p.files[idx].sha256 = sum
	}
	s.mu.Unlock()
	return sum, true
}
