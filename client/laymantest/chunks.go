package laymantest

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
)

type chunkState uint8

const (
	chunkActive   chunkState = iota
	chunkDone                // every file assembled; the endpoint is closed
	chunkTimedOut            // UPLOAD_MAX_INACTIVITY_TIME reached
)

// chunkSession is the resumable upload a POST/PATCH with file names opens
// (layer.filesystem.input_chunk).
type chunkSession struct {
	state   chunkState
	dir     string // chunk files
	files   map[string]*chunkFile
	lastNew int64 // when the last new chunk arrived, Unix ns by the server clock
	pending int   // files not assembled yet
}

type chunkFile struct {
	name       string
	total      int
	have       map[int]bool
	assembling bool
	assembled  bool
	// resent are chunks posted again after the file was assembled.
	resent map[int]bool
}

func (s *Server) newChunkSession(p *publication, names []string) *chunkSession {
	cs := &chunkSession{
		dir:     filepath.Join(s.dataDir, "layers", p.uuid, "input_chunk", "chunks"),
		files:   map[string]*chunkFile{},
		lastNew: s.now().UnixNano(),
		pending: len(names),
	}
	for _, n := range names {
		cs.files[n] = &chunkFile{name: n, have: map[int]bool{}, resent: map[int]bool{}}
	}
	return cs
}

// expireChunkSession fails an upload that got no new chunk for
// InactivityTimeout, like refresh_input_chunk in
// src/layman/layer/filesystem/tasks.py. Callers hold s.mu.
func (s *Server) expireChunkSession(p *publication) {
	cs := p.chunk
	if cs == nil || cs.state != chunkActive {
		return
	}
	if s.now().UnixNano()-cs.lastNew <= int64(s.opts.InactivityTimeout) {
		return
	}
	for _, f := range cs.files {
		if f.assembling {
			return // the last chunk arrived; assembly is not inactivity
		}
	}
	// The task deletes only input_file/ and raises 22; input_chunk/ with
	// info.json and the chunks stays (layer/filesystem/tasks.py).
	cs.state = chunkTimedOut
	p.staleChunks = true
	p.failure = &sourceFailure{source: "file", error: []byte(ErrorJSON(22, nil))}
	p.pollsLeft = 0
	for _, f := range cs.files {
		if f.assembled {
			f.assembled, f.have = false, map[int]bool{}
		}
	}
}

// chunkFields are the Resumable.js parameters of a chunk request.
type chunkFields struct {
	number   int
	total    string
	filename string
	param    string
}

func chunkFieldsOf(get func(string) string) chunkFields {
	f := chunkFields{number: 1, filename: "error", param: "error", total: get("resumableTotalChunks")}
	if n, err := strconv.Atoi(get("resumableChunkNumber")); err == nil {
		f.number = n
	}
	if v := get("resumableFilename"); v != "" {
		f.filename = v
	}
	if v := get("layman_original_parameter"); v != "" {
		f.param = v
	}
	return f
}

// sessionFile finds the upload's file like input_chunk.save_layer_file_chunk:
// no session (never opened, or every file assembled) is error 20, an
// unknown file 21. An expired session still answers: its info.json stays
// (src/layman/layer/filesystem/input_chunk.py).
func (s *Server) sessionFile(p *publication, f chunkFields) (*chunkSession, *chunkFile, *laymanError) {
	s.expireChunkSession(p)
	cs := p.chunk
	if cs == nil || cs.state == chunkDone {
		return nil, nil, newError(20, nil)
	}
	cf := cs.files[f.filename]
	if cf == nil || f.param != "file" {
		return nil, nil, newError(21, map[string]any{"file": f.filename, "layman_original_parameter": f.param})
	}
	return cs, cf, nil
}

// getChunk is GET Layer Chunk (src/layman/layer/rest_layer_chunk.py).
func (s *Server) getChunk(w http.ResponseWriter, r *http.Request, _ *actor, p *publication) *laymanError {
	f := chunkFieldsOf(r.URL.Query().Get)
	s.mu.Lock()
	cs, cf, lerr := s.sessionFile(p, f)
	// A chunk exists as a chunk file or, in a live session, as part of the
	// assembled target (input_chunk.layer_file_chunk_exists).
	exists := lerr == nil && (cf.have[f.number] || cf.resent[f.number] || cs.state == chunkActive && (cf.assembling || cf.assembled))
	s.mu.Unlock()
	switch {
	case lerr != nil:
		return lerr
	case exists:
		writeJSON(w, http.StatusOK, map[string]string{"message": "Chunk exists."})
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Chunk not found."})
	}
	return nil
}

// postChunk is POST Layer Chunk (src/layman/layer/rest_layer_chunk.py).
func (s *Server) postChunk(w http.ResponseWriter, r *http.Request, _ *actor, p *publication) *laymanError {
	s.mu.Lock()
	p.chunkPosts++
	s.mu.Unlock()
	fields, tmp, err := s.readChunkRequest(r)
	if tmp != "" {
		defer os.Remove(tmp) // a no-op once renamed into place
	}
	if err != nil {
		return newError(2, map[string]any{"parameter": "file", "message": err.Error()})
	}
	total, convErr := strconv.Atoi(fields.total)
	if convErr != nil || total > s.opts.MaxChunks {
		return newError(2, map[string]any{
			"parameter":      "resumableTotalChunks",
			"expected value": fmt.Sprintf("number from 0 to %d", s.opts.MaxChunks),
		})
	}
	if tmp == "" {
		return newError(1, map[string]any{"parameter": "file"})
	}
	s.mu.Lock()
	cs, cf, lerr := s.sessionFile(p, fields)
	if lerr != nil {
		s.mu.Unlock()
		return lerr
	}
	// Layman saves every chunk it is sent, with no check of its number
	// (input_chunk.save_layer_file_chunk).
	if cf.assembling {
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]string{"message": "Chunk saved."})
		return nil
	}
	err = os.MkdirAll(cs.dir, 0o755)
	if err == nil {
		err = os.Rename(tmp, chunkPath(cs, cf, fields.number))
	}
	if err != nil {
		s.mu.Unlock()
		return newError(2, map[string]any{"parameter": "file", "message": "chunk not saved"})
	}
	cf.total = total
	switch {
	case cs.state != chunkActive:
		// Saved after the timeout: nothing assembles it any more.
		cf.have[fields.number] = true
	case cf.assembled:
		s.resend(p, cs, cf, fields.number)
	default:
		if !cf.have[fields.number] {
			cf.have[fields.number] = true
			cs.lastNew = s.now().UnixNano()
		}
		if len(cf.have) >= cf.total && allChunks(cf) {
			cf.assembling = true
			s.assembling.Add(1)
			go s.assemble(p, cs, cf)
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"message": "Chunk saved."})
	return nil
}

// resend handles a chunk of a file already assembled while the upload
// still waits for other files: once all of the file's chunks are there
// again, Layman's task concatenates them onto the target once more, in
// append mode on master ("ab") and overwriting on 2.4 ("wb")
// (src/layman/layer/filesystem/input_chunk.py layer_file_chunk_info). Callers hold s.mu.
func (s *Server) resend(p *publication, cs *chunkSession, cf *chunkFile, n int) {
	cf.resent[n] = true
	cs.lastNew = s.now().UnixNano()
	for i := 1; i <= cf.total; i++ {
		if !cf.resent[i] {
			return
		}
	}
	mode := os.O_WRONLY | os.O_APPEND
	if s.opts.Generation == 2 {
		mode = os.O_WRONLY | os.O_TRUNC
	}
	target := filepath.Join(s.inputFileDir(p.uuid), safeBase(cf.name))
	if out, err := os.OpenFile(target, mode, 0o644); err == nil {
		for i := 1; i <= cf.total && err == nil; i++ {
			err = appendChunk(out, chunkPath(cs, cf, i))
		}
		_ = out.Close()
	}
	cf.resent = map[int]bool{}
}

func allChunks(cf *chunkFile) bool {
	for i := 1; i <= cf.total; i++ {
		if !cf.have[i] {
			return false
		}
	}
	return true
}

func chunkPath(cs *chunkSession, cf *chunkFile, n int) string {
	return filepath.Join(cs.dir, fmt.Sprintf("%s_part_%03d", safeBase(cf.name), n))
}

// readChunkRequest streams a chunk POST: the file part goes to a temporary
// file, so chunk size costs no memory.
func (s *Server) readChunkRequest(r *http.Request) (chunkFields, string, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		return chunkFields{}, "", errors.New("chunk must be multipart/form-data")
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return chunkFields{}, "", fmt.Errorf("multipart: %w", err)
	}
	values := map[string]string{}
	tmp := ""
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return chunkFields{}, tmp, fmt.Errorf("multipart: %w", err)
		}
		if part.FormName() == "file" && tmp == "" {
			out, err := os.CreateTemp(s.tmpDir(), "chunk-")
			if err != nil {
				return chunkFields{}, "", fmt.Errorf("chunk file: %w", err)
			}
			tmp = out.Name()
			_, err = io.Copy(out, part)
			if cerr := out.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return chunkFields{}, tmp, fmt.Errorf("chunk body: %w", err)
			}
			continue
		}
		b, err := io.ReadAll(io.LimitReader(part, maxFieldBytes))
		if err != nil {
			return chunkFields{}, tmp, fmt.Errorf("field: %w", err)
		}
		values[part.FormName()] = string(b)
	}
	return chunkFieldsOf(func(k string) string { return values[k] }), tmp, nil
}

// assemble concatenates a file's chunks in order into the layer's input
// directory, then closes the session when every file is there.
func (s *Server) assemble(p *publication, cs *chunkSession, cf *chunkFile) {
	defer s.assembling.Done()
	dir := s.inputFileDir(p.uuid)
	target := filepath.Join(dir, safeBase(cf.name))
	err := os.MkdirAll(dir, 0o755)
	if err == nil {
		err = concatChunks(target, cs, cf)
	}
	var size int64
	if st, serr := os.Stat(target); serr == nil {
		size = st.Size()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cf.assembling = false
	if p.chunk != cs || cs.state != chunkActive {
		return // deleted, re-patched or expired meanwhile
	}
	if err != nil {
		cs.state = chunkTimedOut
		p.failure = &sourceFailure{source: "file", error: []byte(fmt.Sprintf(`{"code":-1,"message":%q}`, err.Error()))}
		return
	}
	cf.assembled = true
	p.files = append(p.files, storedFile{name: cf.name, path: target, size: size})
	cs.pending--
	if cs.pending == 0 {
		cs.state = chunkDone
		p.geodataType = geodataTypeOf(p.files)
		p.pollsLeft = s.opts.ProcessingPolls
		_ = os.RemoveAll(filepath.Dir(cs.dir))
	}
}

func concatChunks(target string, cs *chunkSession, cf *chunkFile) error {
	out, err := os.Create(target)
	if err != nil {
		return fmt.Errorf("assemble: %w", err)
	}
	for i := 1; i <= cf.total && err == nil; i++ {
		err = appendChunk(out, chunkPath(cs, cf, i))
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

func appendChunk(out *os.File, path string) error {
	in, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("chunk: %w", err)
	}
	defer in.Close()
	if _, err := io.Copy(out, in); err != nil {
		return fmt.Errorf("append chunk: %w", err)
	}
	_ = os.Remove(path)
	return nil
}
