package upload

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/laymanctl/laymanctl/client"
)

// chunkUpload sends the chunks of some files to one layer's chunk endpoint.
type chunkUpload struct {
	u    *Uploader
	ref  client.Ref
	path string // the chunk endpoint, found by locate
	// first is the chunk locate asked about and located its answer,
	// which missing reuses.
	first   chunk
	located error
	// saved is when the server last saved a chunk for us (Unix ns by
	// Uploader.now), to tell when it may have dropped the upload.
	saved atomic.Int64
	// finished: the server had the whole upload already (a resume found
	// the layer past UPDATING).
	finished bool
	files    []*chunkedFile
	// requested is the chunk size asked for, which the resume command
	// must repeat.
	requested int64

	sent, present atomic.Int64
}

// chunkedFile is a file cut in chunks, open for ReadAt by every worker at
// once while the upload runs.
type chunkedFile struct {
	File
	chunkSize int64
	total     int
	f         *os.File
	// check, for a GeoJSON file sent whole, sees every chunk in order.
	check *jsonStream
}

// cut splits files with the requested chunk size, raised per file where
// ChunkSizeFor must.
func cut(files []File, requested int64) []*chunkedFile {
	out := make([]*chunkedFile, len(files))
	for i, f := range files {
		size := ChunkSizeFor(requested, f.Size)
		out[i] = &chunkedFile{File: f, chunkSize: size, total: chunkCount(f.Size, size)}
	}
	return out
}

type chunk struct {
	file   *chunkedFile
	number int // 1-based, as Layman counts
}

func (c chunk) bounds() (off, n int64) {
	off = int64(c.number-1) * c.file.chunkSize
	return off, min(c.file.chunkSize, c.file.Size-off)
}

// run sends every chunk, or with probe only those the server lacks.
// A failure the upload can recover from becomes an *InterruptedError.
func (up *chunkUpload) run(ctx context.Context, probe bool) error {
	err := up.runChunks(ctx, probe)
	if err == nil {
		return nil
	}
	var dropped *DroppedError
	if errors.As(err, &dropped) {
		return dropped
	}
	var le *client.LaymanError
	var bad *ValidationError
	var tooLarge *BodyTooLargeError
	paths := make([]string, len(up.files))
	for i, f := range up.files {
		paths[i] = f.Path
	}
	gen, _ := up.u.Client.Generation(ctx) // known by now: no request
	switch {
	case errors.As(err, &bad):
		return err
	case errors.As(err, &tooLarge):
		tooLarge.Ref, tooLarge.Files, tooLarge.gen = up.named(ctx), paths, gen
		tooLarge.Smaller = smallerChunk(tooLarge.ChunkSize, up.files)
		tooLarge.NextSteps = tooLarge.againSteps()
		return tooLarge
	}
	if errors.As(err, &le) && le.Code == client.CodeChunkUploadInactive {
		words := []string{"laymanctl", "layers", "update", refArg(up.ref, gen)}
		for _, p := range paths {
			words = append(words, shellQuote(p))
		}
		return fmt.Errorf("layer %s accepts no more chunks: its upload finished, or stopped after Layman's inactivity timeout (send the data again with `%s`): %w",
			up.ref, strings.Join(words, " "), err)
	}
	if !resumable(err) {
		return fmt.Errorf("uploading chunks to layer %s: %w", up.ref, err)
	}
	ie := &InterruptedError{Ref: up.ref, Files: paths, Cause: err, gen: gen}
	if cs := up.requested; cs > 0 && cs != DefaultChunkSize {
		ie.ChunkSize = cs
	}
	return ie
}

func (up *chunkUpload) runChunks(ctx context.Context, probe bool) error {
	up.progressed()
	if probe {
		// A resume asks first: a dropped upload still answers on its chunk
		// endpoint, and chunks sent there are never used.
		if err := up.checkAlive(ctx, true); err != nil || up.finished {
			return err
		}
	}
	var all []chunk
	for _, cf := range up.files {
		fh, err := os.Open(cf.Path)
		if err != nil {
			return err
		}
		defer fh.Close()
		cf.f = fh
		if !probe && isGeoJSON(cf.Name) {
			cf.check = newJSONStream(cf.Path)
			defer cf.check.stop()
		}
		for n := 1; n <= cf.total; n++ {
			all = append(all, chunk{file: cf, number: n})
		}
	}
	if p := up.u.Progress; p != nil {
		for _, f := range up.files {
			p.Start(f.Name, f.Size)
		}
		defer p.Done()
	}
	if len(all) > 0 {
		if err := up.locate(ctx, all[0]); err != nil {
			return err
		}
	}
	todo := all
	if probe {
		var err error
		if todo, err = up.missing(ctx, all); err != nil {
			return err
		}
	}
	return forEach(ctx, up.parallel(), todo, up.send)
}

func (up *chunkUpload) parallel() int {
	if up.u.Parallel > 0 {
		return up.u.Parallel
	}
	return DefaultParallel
}

// missing asks the server about every chunk (GET on the chunk endpoint:
// 200 present, 404 missing) and keeps those it lacks, in order.
func (up *chunkUpload) missing(ctx context.Context, all []chunk) ([]chunk, error) {
	var mu sync.Mutex
	var lacking []chunk
	unexpected := map[*chunkedFile]bool{}
	err := forEach(ctx, up.parallel(), all, func(ctx context.Context, c chunk) error {
		err := up.located
		if c != up.first {
			err = up.get(ctx, up.path, c)
		}
		var he *client.HTTPError
		var le *client.LaymanError
		switch {
		case err == nil, isClosed(err):
			// 20: every file was assembled meanwhile, this chunk with it.
			up.present.Add(1)
			up.report(c)
			return nil
		case errors.As(err, &he) && he.StatusCode == http.StatusNotFound:
			mu.Lock()
			lacking = append(lacking, c)
			mu.Unlock()
			return nil
		case errors.As(err, &le) && le.Code == 21:
			// Layman does not expect this file (not named after the main file).
			mu.Lock()
			unexpected[c.file] = true
			mu.Unlock()
			return nil
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	lacking = slices.DeleteFunc(lacking, func(c chunk) bool { return unexpected[c.file] })
	slices.SortFunc(lacking, func(a, b chunk) int {
		if a.file != b.file {
			return slices.Index(up.files, a.file) - slices.Index(up.files, b.file)
		}
		return a.number - b.number
	})
	return lacking, nil
}

// locate finds the layer's chunk endpoint by asking it about chunk c: the
// form by UUID or by name, whichever the server has.
func (up *chunkUpload) locate(ctx context.Context, c chunk) error {
	return up.u.Client.Layers.Do(ctx, up.ref, "chunk", func(path string, _ client.Ref) error {
		err := up.get(ctx, path, c)
		if client.IsMissingRoute(err) {
			return err
		}
		up.path, up.first, up.located = path, c, err
		return nil
	})
}

// get asks the chunk endpoint at path whether it has chunk c.
func (up *chunkUpload) get(ctx context.Context, path string, c chunk) error {
	req, err := up.u.Client.NewRequest(ctx, http.MethodGet, path+"?"+up.fields(c).Encode(), nil)
	if err != nil {
		return err
	}
	_, err = up.u.Client.Do(req, nil)
	return err
}

// fields are the Resumable.js parameters Layman reads.
func (up *chunkUpload) fields(c chunk) url.Values {
	return url.Values{
		"resumableChunkNumber":      {strconv.Itoa(c.number)},
		"resumableTotalChunks":      {strconv.Itoa(c.file.total)},
		"resumableFilename":         {c.file.Name},
		"layman_original_parameter": {"file"},
	}
}

// send posts one chunk, retrying transient failures with backoff. It is
// the only retry loop for chunks: the client retries no POST, so attempts
// do not multiply.
func (up *chunkUpload) send(ctx context.Context, c chunk) error {
	policy := up.u.Retry
	if policy.MaxAttempts == 0 {
		policy = DefaultChunkRetry
	}
	f := newForm()
	q := up.fields(c)
	for _, k := range []string{"resumableChunkNumber", "resumableTotalChunks", "resumableFilename", "layman_original_parameter"} {
		f.field(k, q.Get(k))
	}
	off, n := c.bounds()
	var data io.ReaderAt = c.file.f
	if s := c.file.check; s != nil {
		// Read once, for the check and for every attempt.
		buf := make([]byte, n)
		if m, err := c.file.f.ReadAt(buf, off); int64(m) != n {
			return fmt.Errorf("reading %s: %w", c.file.Path, err)
		}
		if err := s.feed(ctx, c.number, buf, c.number == c.file.total); err != nil {
			return err
		}
		data, off = bytes.NewReader(buf), 0
	}
	f.section("file", c.file.Name, data, off, n)
	for attempt := 1; ; attempt++ {
		if up.stale() {
			if err := up.checkAlive(ctx, false); err != nil {
				return err
			}
		}
		if attempt > 1 {
			// The lost answer may hide a saved chunk: sending it again
			// could append it to an assembled file twice (master's
			// input_chunk.py opens the target with "ab").
			if err := up.get(ctx, up.path, c); err == nil || isClosed(err) {
				up.delivered(c)
				return nil
			}
		}
		err := sendForm(ctx, up.u.Client, http.MethodPost, up.path, f, nil)
		if err == nil {
			up.delivered(c)
			return nil
		}
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		if isClosed(err) {
			// Closed because every file was assembled (a lost answer to
			// the last chunk), or dropped: the publication tells.
			if aerr := up.checkAlive(ctx, false); aerr != nil {
				return aerr
			}
			up.delivered(c)
			return nil
		}
		if code, _ := statusOf(err); code == http.StatusRequestEntityTooLarge {
			return &BodyTooLargeError{ChunkSize: c.file.chunkSize, Cause: fmt.Errorf("chunk %d/%d of %s: %w", c.number, c.file.total, c.file.Name, err)}
		}
		if !transient(err) || attempt >= policy.MaxAttempts {
			return fmt.Errorf("chunk %d/%d of %s: %w", c.number, c.file.total, c.file.Name, err)
		}
		if err := pause(ctx, backoff(policy, attempt, err)); err != nil {
			return err
		}
	}
}

func (up *chunkUpload) delivered(c chunk) {
	up.sent.Add(1)
	up.progressed()
	up.report(c)
}

// suspectAfter is how long without a saved chunk before an upload may have
// been dropped: Layman's UPLOAD_MAX_INACTIVITY_TIME of 300 s counts from
// when its task sees the last new chunk (layer/filesystem/tasks.py), which
// is after the server saved it, so a shorter pause on our clock is safe.
const suspectAfter = 4 * time.Minute

func (up *chunkUpload) progressed() { up.saved.Store(up.u.clock().UnixNano()) }

func (up *chunkUpload) stale() bool {
	return up.u.clock().UnixNano()-up.saved.Load() >= int64(suspectAfter)
}

// isClosed is Layman's code 20: the layer has no chunk upload open.
func isClosed(err error) bool {
	var le *client.LaymanError
	return errors.As(err, &le) && le.Code == client.CodeChunkUploadInactive
}

// checkAlive asks for the publication and returns a *DroppedError when
// Layman dropped the upload. With resuming, a layer no longer UPDATING
// means there is nothing to resume: COMPLETE sets finished, INCOMPLETE for
// another reason is an error.
func (up *chunkUpload) checkAlive(ctx context.Context, resuming bool) error {
	var st *Status
	err := up.u.Client.Layers.Do(ctx, up.ref, "", func(path string, _ client.Ref) error {
		var err error
		st, err = fetchStatus(ctx, up.u.Client, path)
		return err
	})
	switch {
	case err != nil:
		return fmt.Errorf("asking about layer %s: %w", up.ref, err)
	case st.dropped():
		return up.dropped(ctx)
	case !resuming || st.Publication == client.StatusUpdating:
		return nil
	case st.Publication == client.StatusComplete:
		up.finished = true
		return nil
	}
	return fmt.Errorf("layer %s has no upload to resume: %w", up.ref, &IncompleteError{Ref: up.ref, Kind: KindLayer, Failed: st.failed()})
}

func (up *chunkUpload) dropped(ctx context.Context) error {
	gen, _ := up.u.Client.Generation(ctx) // known by now: no request
	paths := make([]string, len(up.files))
	for i, f := range up.files {
		paths[i] = f.Path
	}
	return &DroppedError{Ref: up.named(ctx), Files: paths, gen: gen}
}

// named is the upload's layer with its workspace and name, which the
// advice to publish it again needs (a resume by UUID without a journal
// record knows only the UUID); a failed lookup keeps the UUID.
func (up *chunkUpload) named(ctx context.Context) client.Ref {
	ref := up.ref
	if ref.Workspace == "" || ref.Name == "" {
		if named, err := up.u.Client.Layers.Named(ctx, ref); err == nil {
			ref = named
		}
	}
	return ref
}

func (up *chunkUpload) report(c chunk) {
	if up.u.Progress != nil {
		_, n := c.bounds()
		up.u.Progress.Add(c.file.Name, n)
	}
}

// forEach runs fn over items with n workers and stops at the first error.
func forEach[T any](ctx context.Context, n int, items []T, fn func(context.Context, T) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	work := make(chan T)
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for range min(n, len(items)) {
		wg.Go(func() {
			for it := range work {
				if err := fn(ctx, it); err != nil {
					once.Do(func() { first = err; cancel(err) })
				}
			}
		})
	}
feed:
	for _, it := range items {
		select {
		case work <- it:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if first != nil {
		return first
	}
	return context.Cause(ctx)
}

// transient reports failures another attempt may cure: lost connections,
// 5xx and 429 answers.
func transient(err error) bool {
	if code, ok := statusOf(err); ok {
		return code >= 500 || code == http.StatusTooManyRequests
	}
	return client.IsNetworkError(err)
}

// resumable reports whether an upload stopped by err can be finished later:
// it was cancelled, ran out of retries, lost its authentication (log in
// again, then resume) or Layman could not verify tokens for a while. A
// refusal by Layman cannot.
func resumable(err error) bool {
	if client.IsAuthFailure(err) || client.IsAuthUnverifiable(err) {
		return true
	}
	code, ok := statusOf(err)
	return !ok || code >= 500 || code == http.StatusTooManyRequests
}

func statusOf(err error) (int, bool) {
	var le *client.LaymanError
	var he *client.HTTPError
	switch {
	case errors.As(err, &le):
		return le.StatusCode, true
	case errors.As(err, &he):
		return he.StatusCode, true
	}
	return 0, false
}

// backoff is the policy's full-jitter wait, or the server's Retry-After,
// never above maxPause.
func backoff(p client.RetryPolicy, attempt int, err error) time.Duration {
	p.MaxDelay = min(p.MaxDelay, maxPause)
	var le *client.LaymanError
	var he *client.HTTPError
	var resp *http.Response
	switch {
	case errors.As(err, &le):
		resp = le.Response
	case errors.As(err, &he):
		resp = he.Response
	}
	if resp != nil {
		if d, ok := client.RetryAfter(resp); ok {
			return min(d, p.MaxDelay)
		}
	}
	return p.Backoff(attempt)
}

func pause(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}
