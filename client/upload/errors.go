package upload

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/laymanctl/laymanctl/client"
)

// ValidationError is bad local input found before any request was sent.
// The command line maps it to exit code 2.
type ValidationError struct {
	Field   string // the parameter at fault: "file", "workspace", "style", ...
	Message string
}

func (e *ValidationError) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

func invalid(field, format string, args ...any) *ValidationError {
	return &ValidationError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// InterruptedError is a chunked upload that stopped before every chunk
// reached the server (cancelled, or retries exhausted). The publication
// exists on the server and waits for the remaining chunks until Layman's
// inactivity timeout.
type InterruptedError struct {
	Ref   client.Ref
	Files []string // local paths of the files the server still expects
	Cause error
	// ChunkSize is the --chunk-size the upload used when it was not the
	// default; resuming must split the files the same way.
	ChunkSize int64
	gen       client.Generation
}

func (e *InterruptedError) Error() string {
	// The resume command is for the caller to present (ResumeCommand), not
	// buried in the message.
	return fmt.Sprintf("upload to layer %s interrupted: %v", e.Ref, e.Cause)
}

func (e *InterruptedError) Unwrap() error { return e.Cause }

// ResumeCommand is the shell line that finishes this upload.
func (e *InterruptedError) ResumeCommand() string {
	words := []string{"laymanctl", "layers", "resume", refArg(e.Ref, e.gen)}
	if e.ChunkSize > 0 && e.ChunkSize != DefaultChunkSize {
		words = append(words, "--chunk-size", FormatSize(e.ChunkSize))
	}
	words = append(words, e.Files...)
	for i, w := range words {
		words[i] = shellQuote(w)
	}
	return strings.Join(words, " ")
}

// refArg is the REF form the server generation addresses directly.
func refArg(r client.Ref, gen client.Generation) string {
	if r.UUID != "" && (gen == client.Gen3 || r.Workspace == "" || r.Name == "") {
		return r.UUID
	}
	return r.Workspace + ":" + r.Name
}

var shellSafe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`) })

func shellQuote(s string) string {
	if shellSafe().MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// DroppedError is a chunked upload Layman gave up on: no new chunk reached
// it for UPLOAD_MAX_INACTIVITY_TIME (5 minutes), so it marked the layer
// INCOMPLETE with file error 22. Its chunk endpoint still answers and
// saves chunks, but nothing assembles them any more: the data must be
// published again.
type DroppedError struct {
	Ref   client.Ref
	Files []string // local paths of the upload's files
	gen   client.Generation
}

func (e *DroppedError) Error() string {
	return fmt.Sprintf("Layman dropped the upload to layer %s: no new chunk reached it for 5 minutes, so the layer is INCOMPLETE "+
		"(file error 22) and chunks sent now would never be used", e.Ref)
}

// AgainCommands are the shell lines that publish the data again: replace
// the layer's data, or delete the layer and publish it anew.
func (e *DroppedError) AgainCommands() []string {
	ref := shellQuote(refArg(e.Ref, e.gen))
	files := make([]string, len(e.Files))
	for i, f := range e.Files {
		files[i] = shellQuote(f)
	}
	update := strings.Join(append([]string{"laymanctl", "layers", "update", ref}, files...), " ")
	publish := strings.Join(append([]string{"laymanctl", "layers", "publish"}, files...), " ") +
		" --workspace " + shellQuote(e.Ref.Workspace) + " --name " + shellQuote(e.Ref.Name)
	return []string{update, "laymanctl layers delete " + ref + " --yes && " + publish}
}

// IncompleteError is a publication whose processing finished INCOMPLETE.
// The command line maps it to exit code 5.
type IncompleteError struct {
	Ref    client.Ref
	Kind   string // "layer" or "map"
	Failed []Source
}

func (e *IncompleteError) Error() string {
	parts := make([]string, 0, len(e.Failed))
	for _, s := range e.Failed {
		p := s.Name + " " + s.Status
		if msg := s.ErrorText(); msg != "" {
			p += ": " + msg
		}
		parts = append(parts, p)
	}
	msg := fmt.Sprintf("%s %s finished INCOMPLETE", e.Kind, e.Ref)
	if len(parts) > 0 {
		msg += " (" + strings.Join(parts, "; ") + ")"
	}
	return msg
}

// BodyTooLargeError is a chunk refused with HTTP 413 by the server or a
// proxy in front of it. Resuming cannot help: the chunks already on the
// server fix the cut of the files, and a chunk of that size is refused.
type BodyTooLargeError struct {
	Ref client.Ref
	// ChunkSize is the size refused; Smaller the one to try next, 0 when
	// Layman's limit of MaxChunks per file allows no smaller one.
	ChunkSize, Smaller int64
	Files              []string
	Cause              error
	// NextSteps are the commands that work now, for the caller to show.
	NextSteps string
	gen       client.Generation
}

func (e *BodyTooLargeError) Error() string {
	return fmt.Sprintf("the server or a proxy in front of it refuses requests of %s chunks (HTTP 413), so the upload to layer %s stopped", FormatSize(e.ChunkSize), e.Ref)
}

func (e *BodyTooLargeError) Unwrap() error { return e.Cause }

// againSteps are the commands that work after chunks were refused: delete
// the layer and publish it again in smaller chunks. A resume keeps the
// refused chunk size, and an update cannot be redone instead: Layman keeps the directory of the refused upload, so the
// next `layers update` goes in one request (layer/filesystem/input_chunk.py
// os.mkdir fails with HTTP 500), which the proxy refuses too. DELETE works
// at once, even while Layman still waits for the chunks (solve_locks in
// src/layman/common/redis.py lets DELETE through a PATCH lock).
func (e *BodyTooLargeError) againSteps() string {
	if e.Smaller == 0 {
		return e.tooBigForAnyChunk()
	}
	ref := shellQuote(refArg(e.Ref, e.gen))
	files := make([]string, len(e.Files))
	for i, f := range e.Files {
		files[i] = shellQuote(f)
	}
	return fmt.Sprintf("Neither a resume nor an update gets these files through this proxy: a resume keeps this upload's chunk size, and Layman keeps its directory, so the next update goes in one request, which the proxy refuses too. "+
		"Delete the layer and publish it again in smaller chunks (repeat its title, access rights and other options):\n"+
		"  laymanctl layers delete %s --yes && laymanctl layers publish %s --workspace %s --name %s --chunk-size %s",
		ref, strings.Join(files, " "), shellQuote(e.Ref.Workspace), shellQuote(e.Ref.Name), FormatSize(e.Smaller))
}

func (e *BodyTooLargeError) tooBigForAnyChunk() string {
	return fmt.Sprintf("Layman takes at most %d chunks per file, so these files cannot be cut in chunks the proxy accepts: raise its request body limit (nginx: client_max_body_size) above %s.", MaxChunks, FormatSize(e.ChunkSize))
}

// smallerChunk is the chunk size to try after refused was refused: a
// quarter, at least chunkAlign, and 0 when some file would need more than
// MaxChunks chunks of it.
func smallerChunk(refused int64, files []*chunkedFile) int64 {
	next := max(refused/4/chunkAlign*chunkAlign, chunkAlign)
	if next >= refused {
		return 0
	}
	for _, f := range files {
		if ChunkSizeFor(next, f.Size) >= refused {
			return 0
		}
	}
	return next
}
