package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// Download says where a downloaded file goes.
type Download struct {
	// Path is -O FILE; "" or "-" means stdout.
	Path string
	// Binary content is refused on a terminal: it would garble the screen.
	Binary bool
}

// CheckTarget refuses, before anything is requested, binary output to a
// terminal and an -O FILE that cannot be written: its directory missing, or
// FILE a directory.
func (d Download) CheckTarget(io *IOStreams) error {
	if d.toStdout() {
		if d.Binary && io.OutTTY {
			return &ExitError{Code: ExitUsage, Err: errors.New("refusing to write binary data to the terminal"),
				Hint: "Save it with -O FILE, or redirect stdout to a file or a pipe."}
		}
		return nil
	}
	if fi, err := os.Stat(filepath.Dir(d.Path)); err != nil || !fi.IsDir() {
		return Usagef("-O %s: the directory %s does not exist", d.Path, filepath.Dir(d.Path))
	}
	if fi, err := os.Stat(d.Path); err == nil && fi.IsDir() {
		return Usagef("-O %s is a directory; name the file to write", d.Path)
	}
	return nil
}

func (d Download) toStdout() bool { return d.Path == "" || d.Path == "-" }

// Write copies r to stdout, or to the file through a temporary file in the
// same directory renamed into place: a failed download leaves no partial
// file and never clobbers an existing one.
func (d Download) Write(ios *IOStreams, r io.Reader) error {
	return d.WriteFunc(ios, func(w io.Writer) error {
		_, err := io.Copy(w, r)
		return err
	})
}

// WriteFunc is Write for content that write produces.
func (d Download) WriteFunc(ios *IOStreams, write func(io.Writer) error) (err error) {
	if err := d.CheckTarget(ios); err != nil {
		return err
	}
	if d.toStdout() {
		bw := bufio.NewWriterSize(ios.Out, 64<<10)
		if err := write(bw); err != nil {
			_ = bw.Flush()
			return err
		}
		return bw.Flush()
	}
	tmp, err := createPart(d.Path)
	if err != nil {
		return fmt.Errorf("saving %s: %w", d.Path, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 64<<10)
	if err = write(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return fmt.Errorf("saving %s: %w", d.Path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("saving %s: %w", d.Path, err)
	}
	if err = os.Rename(tmp.Name(), d.Path); err != nil {
		return fmt.Errorf("saving %s: %w", d.Path, err)
	}
	return nil
}

// createPart creates a new temporary file next to path with mode 0666 less
// the user's umask, as any file the user creates: a downloaded file is
// ordinary data, as private as the user's other files.
func createPart(path string) (*os.File, error) {
	for {
		name := filepath.Join(filepath.Dir(path), fmt.Sprintf(".%s.%d.part", filepath.Base(path), rand.Uint32()))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
}
