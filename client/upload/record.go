package upload

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/laymanctl/laymanctl/client"
)

// sendChunks uploads files in chunks (with probe only those the server
// lacks), journaled as rec while it runs so that a resume cuts them the
// same way.
func (u *Uploader) sendChunks(ctx context.Context, ref client.Ref, files []*chunkedFile, rec UploadRecord, probe bool, res *Result) error {
	if err := u.remember(ref, rec); err != nil {
		res.Warnings = append(res.Warnings, fmt.Sprintf("a resume of this upload cannot check its chunk size: %v", err))
	}
	up := &chunkUpload{u: u, ref: ref, files: files, requested: rec.ChunkSize}
	err := up.run(ctx, probe)
	res.ChunksSent, res.ChunksPresent = int(up.sent.Load()), int(up.present.Load())
	if err != nil {
		return err
	}
	if up.finished {
		res.Warnings = append(res.Warnings, fmt.Sprintf("layer %s is COMPLETE: its upload had already finished, so nothing was sent", ref))
	}
	if err := u.forget(ref); err != nil {
		res.Warnings = append(res.Warnings, fmt.Sprintf("the upload finished, but its journal record stays: %v", err))
	}
	return nil
}

// journalKeys are the keys an upload to ref is journaled under: one for
// each form of REF a resume may be given, qualified by the server.
func (u *Uploader) journalKeys(ref client.Ref) []string {
	server := u.Client.BaseURL().String()
	var keys []string
	if ref.UUID != "" {
		keys = append(keys, server+" uuid "+strings.ToLower(ref.UUID))
	}
	if ref.Workspace != "" && ref.Name != "" {
		keys = append(keys, server+" name "+ref.Workspace+":"+ref.Name)
	}
	return keys
}

func (u *Uploader) remember(ref client.Ref, rec UploadRecord) error {
	if u.Journal == nil {
		return nil
	}
	for _, k := range u.journalKeys(ref) {
		if err := u.Journal.Save(k, rec); err != nil {
			return err
		}
	}
	return nil
}

func (u *Uploader) recall(ref client.Ref) (UploadRecord, bool, error) {
	if u.Journal == nil {
		return UploadRecord{}, false, nil
	}
	for _, k := range u.journalKeys(ref) {
		if rec, ok, err := u.Journal.Load(k); ok || err != nil {
			return rec, ok, err
		}
	}
	return UploadRecord{}, false, nil
}

func (u *Uploader) forget(ref client.Ref) error {
	if u.Journal == nil {
		return nil
	}
	var errs []error
	for _, k := range u.journalKeys(ref) {
		errs = append(errs, u.Journal.Delete(k))
	}
	return errors.Join(errs...)
}

// newRecord describes files cut with the requested chunk size (0: the
// default) for an upload to ref.
func newRecord(ref client.Ref, requested int64, files []*chunkedFile) (UploadRecord, error) {
	if requested <= 0 {
		requested = DefaultChunkSize
	}
	rec := UploadRecord{UUID: ref.UUID, Workspace: ref.Workspace, Name: ref.Name, ChunkSize: requested}
	for _, f := range files {
		abs, err := filepath.Abs(f.Path)
		if err != nil {
			return UploadRecord{}, err
		}
		fi, err := os.Stat(f.Path)
		if err != nil {
			return UploadRecord{}, err
		}
		rec.Files = append(rec.Files, FileRecord{
			Name: f.Name, Path: abs, Size: f.Size, ModTime: fi.ModTime(),
			ChunkSize: f.chunkSize, TotalChunks: f.total,
		})
	}
	return rec, nil
}

// ref completes ref with what the record knows, so that finishing the
// upload clears every key it was journaled under.
func (r UploadRecord) ref(ref client.Ref) client.Ref {
	return client.Ref{
		UUID:      firstNonEmpty(ref.UUID, r.UUID),
		Workspace: firstNonEmpty(ref.Workspace, r.Workspace),
		Name:      firstNonEmpty(ref.Name, r.Name),
	}
}

// cut splits files as the recorded upload did. It refuses a file the
// upload did not have or that changed since, and an explicitly requested
// chunk size (0: none) that would cut a file differently: the server would
// assemble wrong bytes.
func (r UploadRecord) cut(files []File, modTimes []time.Time, explicit int64) ([]*chunkedFile, error) {
	out := make([]*chunkedFile, 0, len(files))
	for i, f := range files {
		at := slices.IndexFunc(r.Files, func(fr FileRecord) bool { return fr.Name == f.Name })
		if at < 0 {
			names := make([]string, len(r.Files))
			for j, fr := range r.Files {
				names[j] = fr.Name
			}
			return nil, invalid("file", "%s was not part of the interrupted upload (%s)", f.Path, strings.Join(names, ", "))
		}
		fr := r.Files[at]
		if fr.ChunkSize <= 0 || fr.TotalChunks != chunkCount(fr.Size, fr.ChunkSize) {
			return nil, fmt.Errorf("the upload journal's record of %s is damaged", f.Name)
		}
		if f.Size != fr.Size || !modTimes[i].Equal(fr.ModTime) {
			return nil, invalid("file", "%s changed since the interrupted upload started; publish it again", f.Path)
		}
		if explicit > 0 && ChunkSizeFor(explicit, f.Size) != fr.ChunkSize {
			return nil, invalid("chunk-size", "the interrupted upload sent %s in %s chunks, not %s: resume without --chunk-size, or with --chunk-size %s",
				f.Name, FormatSize(fr.ChunkSize), FormatSize(ChunkSizeFor(explicit, f.Size)), FormatSize(r.ChunkSize))
		}
		out = append(out, &chunkedFile{File: f, chunkSize: fr.ChunkSize, total: fr.TotalChunks})
	}
	return out, nil
}
