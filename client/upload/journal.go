package upload

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/laymanctl/laymanctl/client/atomicfile"
	"github.com/laymanctl/laymanctl/keyring/privatedir"
)

// Journal remembers chunked uploads in progress. Layman cannot tell how an
// upload cut its files (its chunk endpoint only answers whether one chunk
// number is there), so a resume that guessed a different chunk size would
// make the server assemble wrong bytes.
type Journal interface {
	Save(key string, r UploadRecord) error
	// Load reports false when nothing is stored under key.
	Load(key string) (UploadRecord, bool, error)
	// Delete succeeds when nothing is stored under key.
	Delete(key string) error
}

// UploadRecord is one chunked upload as it started sending chunks.
type UploadRecord struct {
	UUID      string `json:"uuid,omitempty"`
	Workspace string `json:"workspace,omitempty"`
	Name      string `json:"name,omitempty"`
	// ChunkSize is the chunk size asked for (--chunk-size); each file's own
	// may be larger (ChunkSizeFor).
	ChunkSize int64        `json:"chunk_size"`
	Files     []FileRecord `json:"files"`
}

// FileRecord is how one file was cut, and what it looked like then.
type FileRecord struct {
	Name        string    `json:"name"`
	Path        string    `json:"path"` // absolute
	Size        int64     `json:"size"`
	ModTime     time.Time `json:"mod_time"`
	ChunkSize   int64     `json:"chunk_size"`
	TotalChunks int       `json:"total_chunks"`
}

// FileJournal keeps one JSON file per key in a private directory.
type FileJournal struct {
	dir string
}

// NewFileJournal stores records in dir, created (0700) on the first Save.
func NewFileJournal(dir string) *FileJournal { return &FileJournal{dir: dir} }

// path names a key's file: keys hold server URLs and publication names,
// so they are hashed into a safe, bounded file name.
func (j *FileJournal) path(key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(j.dir, hex.EncodeToString(sum[:16])+".json")
}

// Save replaces the record atomically (temporary file, then rename), so
// that an interrupted save never leaves half a record.
func (j *FileJournal) Save(key string, r UploadRecord) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := privatedir.Ensure(j.dir); err != nil {
		return fmt.Errorf("upload journal: %w", err)
	}
	if err := atomicfile.WriteFile(j.path(key), data, 0o600); err != nil {
		return fmt.Errorf("upload journal: %w", err)
	}
	return nil
}

// Load reads the record stored under key.
func (j *FileJournal) Load(key string) (UploadRecord, bool, error) {
	p := j.path(key)
	if err := privatedir.Check(j.dir); errors.Is(err, fs.ErrNotExist) {
		return UploadRecord{}, false, nil
	} else if err != nil {
		return UploadRecord{}, false, fmt.Errorf("upload journal: %w", err)
	}
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return UploadRecord{}, false, nil
	}
	if err != nil {
		return UploadRecord{}, false, fmt.Errorf("upload journal: %w", err)
	}
	var r UploadRecord
	if err := json.Unmarshal(data, &r); err != nil {
		return UploadRecord{}, false, fmt.Errorf("upload journal %s (delete it to resume without it): %w", p, err)
	}
	return r, true, nil
}

// Delete removes the record stored under key.
func (j *FileJournal) Delete(key string) error {
	if err := os.Remove(j.path(key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("upload journal: %w", err)
	}
	return nil
}
