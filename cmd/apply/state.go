package apply

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/laymanctl/laymanctl/client/atomicfile"
)

// State is what apply remembers between runs, beside the manifest: Layman
// keeps no digest of a publication's data, so only this file can say that
// the data on the server are those of the files now.
type State struct {
	Version      int       `json:"version"`
	Publications []*Record `json:"publications"`

	path string
	mu   sync.Mutex
}

// Record is one publication apply created or updated.
type Record struct {
	Server    string     `json:"server"`
	Kind      string     `json:"kind"`
	Workspace string     `json:"workspace"`
	Name      string     `json:"name"`
	UUID      string     `json:"uuid"`
	Files     []FileHash `json:"files"`
}

// FileHash is a file's content as last sent.
type FileHash struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

const stateVersion = 1

// StatePath is where the state of a manifest lives: FILE.state.json beside
// a manifest file, .laymanctl-state.json inside a manifest directory.
func StatePath(manifest string) string {
	if fi, err := os.Stat(manifest); err == nil && fi.IsDir() {
		return filepath.Join(manifest, ".laymanctl-state.json")
	}
	return strings.TrimSuffix(manifest, filepath.Ext(manifest)) + ".state.json"
}

// LoadState reads the state file; a missing one is an empty state.
func LoadState(path string) (*State, error) {
	s := &State{Version: stateVersion, path: path}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, s); err != nil {
		return nil, fmt.Errorf("state file %s: %w", path, err)
	}
	if s.Version != stateVersion {
		return nil, fmt.Errorf("state file %s has version %d; this laymanctl reads %d", path, s.Version, stateVersion)
	}
	return s, nil
}

// Find returns the record of a publication on server, or nil.
func (s *State) Find(server, kind, workspace, name string) *Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.index(server, kind, workspace, name)
	if i < 0 {
		return nil
	}
	r := *s.Publications[i]
	return &r
}

func (s *State) index(server, kind, workspace, name string) int {
	return slices.IndexFunc(s.Publications, func(r *Record) bool {
		return r.Server == server && r.Kind == kind && r.Workspace == workspace && r.Name == name
	})
}

// Put records r (replacing its earlier record) and saves the file, so
// that a run that stops half-way keeps what it did.
func (s *State) Put(r *Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := s.index(r.Server, r.Kind, r.Workspace, r.Name); i >= 0 {
		s.Publications[i] = r
	} else {
		s.Publications = append(s.Publications, r)
	}
	return s.save()
}

// Forget drops a deleted publication's record and saves the file.
func (s *State) Forget(server, kind, workspace, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := s.index(server, kind, workspace, name); i >= 0 {
		s.Publications = slices.Delete(s.Publications, i, i+1)
	}
	return s.save()
}

// Recorded lists the records of server, for --prune.
func (s *State) Recorded(server string) []*Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*Record
	for _, r := range s.Publications {
		if r.Server == server {
			out = append(out, r)
		}
	}
	return out
}

// save writes the file atomically: a crash leaves the old or the new one.
func (s *State) save() error {
	slices.SortFunc(s.Publications, func(a, b *Record) int {
		return strings.Compare(a.Server+" "+a.Kind+" "+a.Workspace+" "+a.Name, b.Server+" "+b.Kind+" "+b.Workspace+" "+b.Name)
	})
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(s.path, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("writing the state file: %w", err)
	}
	return nil
}

// hashFiles digests the files as they are now.
func hashFiles(paths []string) ([]FileHash, error) {
	out := make([]FileHash, 0, len(paths))
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		h := sha256.New()
		n, err := io.Copy(h, f)
		f.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, FileHash{Name: filepath.Base(p), SHA256: hex.EncodeToString(h.Sum(nil)), Size: n})
	}
	return out, nil
}
