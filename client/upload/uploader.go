// Package upload publishes layers and maps on Layman: local validation,
// streamed multipart requests for small inputs, Layman's chunked upload
// (parallel, retried, resumable) for large ones, and waiting for the
// asynchronous processing to finish.
package upload

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/laymanctl/laymanctl/client"
)

// Progress receives upload progress; the command line draws bars with it.
// Calls may come from several goroutines.
type Progress interface {
	Start(file string, size int64)
	Add(file string, n int64)
	Done()
}

// DefaultParallel is how many chunks are in flight at once.
const DefaultParallel = 4

// DefaultChunkRetry is how a failed chunk is retried: the client's policy
// for every idempotent request. Pauses stay far below Layman's 300 s
// inactivity limit (see maxPause).
var DefaultChunkRetry = client.DefaultRetryPolicy

// maxPause bounds any single wait between chunk attempts, Retry-After
// included: a stalled upload would otherwise run into the server's
// UPLOAD_MAX_INACTIVITY_TIME and fail for good.
const maxPause = 60 * time.Second

// Uploader publishes and updates layers and maps. The zero values of its
// settings mean the defaults.
type Uploader struct {
	Client    *client.Client
	Parallel  int   // chunks in flight; default DefaultParallel
	ChunkSize int64 // requested chunk size; default DefaultChunkSize
	Threshold int64 // total size from which uploads are chunked; default DefaultThreshold
	Progress  Progress
	Retry     client.RetryPolicy // chunk retries; default DefaultChunkRetry
	// Journal remembers how chunked uploads cut their files, for Resume;
	// nil keeps no record.
	Journal Journal
	// BusyTimeout bounds how long Update and UpdateMap wait out Layman's
	// error 49 (the publication is still being processed); 0 means no limit.
	BusyTimeout time.Duration
	// OnBusy, if not nil, hears that such a wait starts.
	OnBusy func(kind string, ref client.Ref)
	// now is the clock that tells a stalled upload; nil means time.Now.
	now func() time.Time
	// Notify, if set, hears what the uploader decides on its own, such as
	// publishing again in smaller chunks.
	Notify func(msg string)
}

func (u *Uploader) clock() time.Time {
	if u.now != nil {
		return u.now()
	}
	return time.Now()
}

// Result is the outcome of a publish, update or resume.
type Result struct {
	Ref client.Ref
	// Publication is the server's answer to the POST or PATCH (nil after a
	// resume).
	Publication *client.Publication
	Chunked     bool
	// ChunksSent counts chunks sent; ChunksPresent those a resume found on
	// the server already.
	ChunksSent, ChunksPresent int
	// Warnings are things the server may refuse or treat unexpectedly.
	Warnings []string
}

func (u *Uploader) threshold() int64 {
	if u.Threshold > 0 {
		return u.Threshold
	}
	return DefaultThreshold
}

// Publish validates p, then creates the layer (POST Layers).
//
// When the server or a proxy refuses chunks as too large (HTTP 413), the
// layer this call just created is deleted and published again in smaller
// chunks; Notify hears of it. When a GeoJSON file checked while its chunks
// go out is not valid, the layer is deleted before its last chunk.
func (u *Uploader) Publish(ctx context.Context, p LayerParams) (*Result, error) {
	plan, err := ValidateLayer(p, false)
	if err != nil {
		return nil, err
	}
	if err := u.require24(ctx, plan); err != nil {
		return nil, err
	}
	if p.UUID != "" {
		if err := u.requireVersion(ctx, 2, 0, "--uuid"); err != nil {
			return nil, err
		}
	}
	chunked := plan.Total >= u.threshold()
	if !chunked {
		if err := checkGeoJSONFiles(plan.Files); err != nil {
			return nil, err
		}
	}
	chunkSize := u.ChunkSize
	for {
		res, err := u.publishOnce(ctx, plan, chunked, chunkSize)
		var tooLarge *BodyTooLargeError
		var bad *ValidationError
		switch {
		case errors.As(err, &tooLarge) && tooLarge.Smaller > 0:
			if derr := u.deleteCreated(ctx, res.Ref); derr != nil {
				return res, fmt.Errorf("%w; deleting the layer to publish it again in smaller chunks failed: %w", err, derr)
			}
			u.notify(fmt.Sprintf("%v; deleted layer %s, which this command had created, and publishing it again in %s chunks",
				err, res.Ref, FormatSize(tooLarge.Smaller)))
			chunkSize = tooLarge.Smaller
			continue
		case errors.As(err, &tooLarge):
			tooLarge.NextSteps = tooLarge.tooBigForAnyChunk() + "\n" + u.deletedFor(ctx, res.Ref)
		case errors.As(err, &bad) && res != nil:
			// The data file failed its check while the chunks went out.
			bad.Message += "; " + u.deletedFor(ctx, res.Ref)
		}
		return res, err
	}
}

func (u *Uploader) publishOnce(ctx context.Context, plan *Plan, chunked bool, chunkSize int64) (*Result, error) {
	p := plan.Params
	var answer []client.Publication
	err := u.Client.Layers.Create(ctx, p.Workspace, func(path string, workspaceInForm bool) error {
		bodyWorkspace := ""
		if workspaceInForm {
			bodyWorkspace = p.Workspace
		}
		f, err := layerForm(plan, bodyWorkspace, chunked)
		if err != nil {
			return err
		}
		answer = nil
		return sendForm(ctx, u.Client, http.MethodPost, path, f, &answer)
	})
	if err != nil {
		return nil, fmt.Errorf("publishing layer in %s: %w", p.Workspace, err)
	}
	if len(answer) != 1 {
		return nil, fmt.Errorf("publishing layer in %s: the server answered %d layers instead of one", p.Workspace, len(answer))
	}
	pub := &answer[0]
	ref := client.Ref{UUID: pub.UUID, Workspace: p.Workspace, Name: pub.Name}
	return u.afterSend(ctx, ref, plan, pub, chunked, chunkSize)
}

// deleteCreated deletes a layer this Uploader created and could not fill,
// and its journal record: there is nothing left to resume.
func (u *Uploader) deleteCreated(ctx context.Context, ref client.Ref) error {
	if _, err := u.Client.Layers.Delete(ctx, ref); err != nil {
		return err
	}
	u.Deleted(ref)
	return nil
}

// Deleted drops the journal records of uploads to the layer ref, which
// was deleted: there is nothing left to resume. A record found under one
// form of ref (UUID, workspace:name) names the other it is kept under.
// Removing them is best effort: a record that stays only names a dead
// upload, which a resume reports as not found.
func (u *Uploader) Deleted(ref client.Ref) {
	if rec, ok, err := u.recall(ref); ok && err == nil {
		ref = rec.ref(ref)
	}
	_ = u.forget(ref)
}

// deletedFor deletes the layer created for a failed publish and says so,
// or says how to delete it.
func (u *Uploader) deletedFor(ctx context.Context, ref client.Ref) string {
	if err := u.deleteCreated(ctx, ref); err != nil {
		return fmt.Sprintf("deleting layer %s, created for this upload, failed (%v): delete it with `laymanctl layers delete %s --yes`", ref, err, shellQuote(refArg(ref, client.Gen3)))
	}
	return fmt.Sprintf("layer %s, created for this upload, was deleted", ref)
}

func (u *Uploader) notify(msg string) {
	if u.Notify != nil {
		u.Notify(msg)
	}
}

// checkGeoJSONFiles checks the GeoJSON files of a single-request upload.
func checkGeoJSONFiles(files []File) error {
	for _, f := range files {
		if isGeoJSON(f.Name) {
			if err := checkGeoJSONFile(f); err != nil {
				return err
			}
		}
	}
	return nil
}

// Update validates p, then changes the layer (PATCH Layer). Empty fields
// are left as they are on the server.
func (u *Uploader) Update(ctx context.Context, ref client.Ref, p LayerParams) (*Result, error) {
	plan, err := ValidateLayer(p, true)
	if err != nil {
		return nil, err
	}
	if err := u.require24(ctx, plan); err != nil {
		return nil, err
	}
	// PATCH never reads name: Layman renames nothing (layer/rest_layer.py).
	plan.Params.Name = ""
	chunked := len(plan.Files) > 0 && plan.Total >= u.threshold()
	if !chunked {
		if err := checkGeoJSONFiles(plan.Files); err != nil {
			return nil, err
		}
	}
	var pub client.Publication
	patch := func(chunked bool) error {
		f, err := layerForm(plan, "", chunked)
		if err != nil {
			return err
		}
		return u.patchWhenFree(ctx, KindLayer, &ref, func() error {
			return u.Client.Layers.Do(ctx, ref, "", func(path string, full client.Ref) error {
				ref = full
				return sendForm(ctx, u.Client, http.MethodPatch, path, f, &pub)
			})
		})
	}
	err = patch(chunked)
	var warning string
	var he *client.HTTPError
	if chunked && errors.As(err, &he) && he.StatusCode == http.StatusInternalServerError {
		// After a dropped chunked upload Layman keeps its input_chunk
		// directory, and opening another chunked upload fails with HTTP
		// 500 (layer/filesystem/input_chunk.py os.mkdir); one request works.
		chunked = false
		warning = "Layman could not open a chunked upload for this layer (HTTP 500: it keeps the directory of an earlier dropped upload), so the files went in one request"
		err = patch(false)
	}
	if err != nil {
		return nil, fmt.Errorf("updating layer %s: %w", ref, err)
	}
	ref.UUID = firstNonEmpty(pub.UUID, ref.UUID)
	ref.Name = firstNonEmpty(pub.Name, ref.Name)
	res, err := u.afterSend(ctx, ref, plan, &pub, chunked, u.ChunkSize)
	if warning != "" && res != nil {
		res.Warnings = append(res.Warnings, warning)
	}
	return res, err
}

// afterSend uploads the chunks the server asked for, if any.
func (u *Uploader) afterSend(ctx context.Context, ref client.Ref, plan *Plan, pub *client.Publication, chunked bool, chunkSize int64) (*Result, error) {
	res := &Result{Ref: ref, Publication: pub, Chunked: chunked}
	if !chunked {
		u.reportWhole(plan.Files)
		return res, nil
	}
	var files []File
	for _, want := range pub.FilesToUpload {
		for _, f := range plan.Files {
			if f.Name == want.File {
				files = append(files, f)
			}
		}
	}
	cf := cut(files, chunkSize)
	rec, err := newRecord(ref, chunkSize, cf)
	if err != nil {
		return res, err
	}
	return res, u.sendChunks(ctx, ref, cf, rec, false, res)
}

// Resume finishes an interrupted chunked upload of files to the layer ref:
// it asks the server which chunks it has and sends only the others.
//
// The files are cut as the Journal recorded, refusing files changed since
// and a ChunkSize that differs from the recorded one; ChunkSize 0 takes the
// recorded size. Without a record (say, on another machine) ChunkSize (or
// the default) is used and the Result warns that it must be the original.
func (u *Uploader) Resume(ctx context.Context, ref client.Ref, paths []string) (*Result, error) {
	if len(paths) == 0 {
		return nil, invalid("file", "name the files of the interrupted upload")
	}
	files := make([]File, 0, len(paths))
	modTimes := make([]time.Time, 0, len(paths))
	for _, p := range paths {
		fi, err := regularFile("file", p)
		if err != nil {
			return nil, err
		}
		files = append(files, File{Path: p, Name: fi.Name(), Size: fi.Size()})
		modTimes = append(modTimes, fi.ModTime())
	}
	var rec UploadRecord
	var cf []*chunkedFile
	// lookup finds the record by ref; a refused record stops the resume
	// before any chunk is sent.
	lookup := func(ref client.Ref) (bool, error) {
		var found bool
		var err error
		if rec, found, err = u.recall(ref); !found || err != nil {
			return false, err
		}
		cf, err = rec.cut(files, modTimes, u.ChunkSize)
		return true, err
	}
	found, err := lookup(ref)
	if err != nil {
		return nil, err
	}
	if ref, err = u.Client.Layers.Resolve(ctx, ref); err != nil {
		return nil, err
	}
	if !found {
		if found, err = lookup(ref); err != nil {
			return nil, err
		}
	}
	res := &Result{Ref: ref, Chunked: true}
	if found {
		res.Ref = rec.ref(ref)
	} else {
		cf = cut(files, u.ChunkSize)
		if rec, err = newRecord(ref, u.ChunkSize, cf); err != nil {
			return nil, err
		}
		res.Warnings = append(res.Warnings, fmt.Sprintf("this machine has no record of the interrupted upload, so its chunk size cannot be checked: "+
			"the files are cut in %s chunks, which must be what the interrupted upload used (the --chunk-size of its resume command), or the layer gets wrong data",
			FormatSize(rec.ChunkSize)))
	}
	return res, u.sendChunks(ctx, res.Ref, cf, rec, true, res)
}

// require24 refuses, before anything is sent, what only Layman 2.4 takes
// (v2.4.0 layer/rest_workspace_layers.py file_path and mosaics,
// rest_workspace_layer.py append) on any other server: 2.0-2.3 and master
// lack them.
func (u *Uploader) require24(ctx context.Context, plan *Plan) error {
	if len(plan.Needs24) == 0 {
		return nil
	}
	v, err := u.laymanVersion(ctx)
	if err != nil {
		return err
	}
	if v.major == 2 && v.minor >= 4 {
		return nil
	}
	what, field := plan.Needs24[0], "file"
	if strings.HasPrefix(what, "--") {
		field = strings.TrimPrefix(what, "--")
	}
	return &ValidationError{Field: field, Message: fmt.Sprintf("%s needs Layman 2.4; this server runs Layman %s", what, v.text)}
}

// requireVersion refuses, before anything is sent, what (a flag) on a
// server older than Layman major.minor. POST reads uuid since v2.0.0
// (layer/rest_workspace_layers.py, map/rest_workspace_maps.py,
// uuid.py check_input_uuid); older ones ignore it and choose their own.
func (u *Uploader) requireVersion(ctx context.Context, major, minor int, what string) error {
	v, err := u.laymanVersion(ctx)
	if err != nil {
		return err
	}
	if v.major > major || v.major == major && v.minor >= minor {
		return nil
	}
	return &ValidationError{Field: strings.TrimPrefix(what, "--"), Message: fmt.Sprintf("%s needs Layman %d.%d or later; this server runs Layman %s", what, major, minor, v.text)}
}

type serverVersion struct {
	major, minor int
	text         string
}

// laymanVersion asks the server which Layman runs (/rest/about/version).
func (u *Uploader) laymanVersion(ctx context.Context) (serverVersion, error) {
	v, err := u.Client.About.Version(ctx)
	if err != nil {
		return serverVersion{}, fmt.Errorf("asking which Layman version runs: %w", err)
	}
	major, rest, _ := strings.Cut(strings.TrimPrefix(v.Layman(), "v"), ".")
	minor, _, _ := strings.Cut(rest, ".")
	lv := serverVersion{text: v.Layman()}
	lv.major, _ = strconv.Atoi(major)
	lv.minor, _ = strconv.Atoi(minor)
	return lv, nil
}

// reportWhole tells Progress about files sent in one request.
func (u *Uploader) reportWhole(files []File) {
	if u.Progress == nil || len(files) == 0 {
		return
	}
	// Every file first: a total that reached its sum before the last file
	// was announced would end early.
	for _, f := range files {
		u.Progress.Start(f.Name, f.Size)
	}
	for _, f := range files {
		u.Progress.Add(f.Name, f.Size)
	}
	u.Progress.Done()
}

// layerForm renders the parameters of POST Layers / PATCH Layer with
// Layman's field names. In chunked mode `file` carries only file names, as
// plain form fields: that is what makes Layman open the chunk endpoint
// (a `file` part with a filename is taken as data).
func layerForm(plan *Plan, workspace string, chunked bool) (*form, error) {
	p := plan.Params
	f := newForm()
	f.fieldIf("workspace", workspace)
	f.fieldIf("name", p.Name)
	f.fieldIf("uuid", p.UUID)
	f.fieldIf("title", p.Title)
	f.fieldIf("description", p.Description)
	f.fieldIf("crs", p.CRS)
	if len(p.Read) > 0 {
		f.field("access_rights.read", accessValue(p.Read))
	}
	if len(p.Write) > 0 {
		f.field("access_rights.write", accessValue(p.Write))
	}
	f.fieldIf("time_regex", p.TimeRegex)
	f.fieldIf("time_regex_format", p.TimeRegexFormat)
	f.fieldIf("overview_resampling", p.OverviewResampling)
	f.fieldIf("external_table_uri", p.ExternalTableURI)
	f.fieldIf("file_path", p.FilePath)
	if p.Append {
		f.field("append", "true")
	}
	for _, file := range plan.Files {
		if chunked {
			f.field("file", file.Name)
		} else {
			f.file("file", file.Name, file.Path, file.Size)
		}
	}
	if p.StylePath != "" {
		fi, err := os.Stat(p.StylePath)
		if err != nil {
			return nil, err
		}
		f.file("style", fi.Name(), p.StylePath, fi.Size())
	}
	return f, nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
