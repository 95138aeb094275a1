package keyring

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"github.com/laymanctl/laymanctl/client/atomicfile"
	"github.com/laymanctl/laymanctl/keyring/privatedir"
)

// Modes the file store creates and insists on: tokens in these files are not
// encrypted, so only their owner may read them.
const (
	fileDirMode  fs.FileMode = 0o700
	fileItemMode fs.FileMode = 0o600
)

// ErrInsecurePermissions is wrapped when the token directory or a token file
// can be read by others; the file store refuses to use it until fixed.
var ErrInsecurePermissions = errors.New("insecure permissions")

type fileStore struct {
	dir string
}

// NewFile returns the Store that keeps each profile's value in
// dir/<profile>.json, written atomically (temporary file in dir, fsync,
// rename). dir is created with mode 0700 on the first Set. Get and Set refuse
// a directory looser than 0700 or a file looser than 0600 (checked on Unix;
// Windows has no such mode bits).
func NewFile(dir string) (Store, error) {
	if dir == "" {
		return nil, errors.New("file token store: no directory given")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("file token store: %w", err)
	}
	return &fileStore{dir: abs}, nil
}

func (s *fileStore) Name() string { return "file" }

func (s *fileStore) path(key string) string {
	return filepath.Join(s.dir, key+".json")
}

func (s *fileStore) Get(key string) ([]byte, error) {
	if err := ValidateKey(key); err != nil {
		return nil, err
	}
	if err := checkMode(s.dir, true); err != nil {
		return nil, err
	}
	path := s.path(key)
	if err := checkMode(path, false); err != nil {
		return nil, err
	}
	value, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("file token store: %w", err)
	}
	return value, nil
}

func (s *fileStore) Set(key string, value []byte) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	if err := os.MkdirAll(s.dir, fileDirMode); err != nil {
		return fmt.Errorf("file token store: %w", err)
	}
	if err := checkMode(s.dir, true); err != nil {
		return err
	}
	path := s.path(key)
	if err := checkMode(path, false); err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	if err := atomicfile.WriteFile(path, value, fileItemMode); err != nil {
		return fmt.Errorf("file token store: %w", err)
	}
	return nil
}

func (s *fileStore) Delete(key string) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	path := s.path(key)
	err := os.Remove(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w for profile %q in %s", ErrNotFound, key, path)
	}
	if err == nil {
		err = atomicfile.SyncDir(s.dir)
	}
	if err != nil {
		return fmt.Errorf("file token store: %w", err)
	}
	return nil
}

// checkMode refuses a path that is not a directory (wantDir) or a regular
// file, or whose permissions let anyone but the owner in. A missing path is
// ErrNotFound. Symlinks are refused rather than followed.
func checkMode(path string, wantDir bool) error {
	info, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s does not exist", ErrNotFound, path)
	}
	if err != nil {
		return fmt.Errorf("file token store: %w", err)
	}
	want, kind := fileItemMode, "a regular file"
	if wantDir {
		want, kind = fileDirMode, "a directory"
	}
	if info.IsDir() != wantDir || !wantDir && !info.Mode().IsRegular() {
		return fmt.Errorf("file token store: %s is not %s", path, kind)
	}
	if runtime.GOOS == "windows" {
		return nil
	}
	if perm := info.Mode().Perm(); perm&^want != 0 {
		return fmt.Errorf("file token store: %w on %s (%04o, must be %04o or stricter): run chmod %o %s",
			ErrInsecurePermissions, path, perm, want, want, path)
	}
	if wantDir {
		// Mode is fine; the owner must be the user too.
		if err := privatedir.Check(path); err != nil {
			return fmt.Errorf("file token store: %w: %w", ErrInsecurePermissions, err)
		}
	}
	return nil
}
