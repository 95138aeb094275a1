package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/laymanctl/laymanctl/client/atomicfile"
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
	// A downloaded file is ordinary data, readable as any other. The
	// content's own error is reported as it is.
	var writeErr error
	err = atomicfile.Write(d.Path, 0o644, func(w io.Writer) error {
		writeErr = write(w)
		return writeErr
	})
	if writeErr != nil {
		return writeErr
	}
	if err != nil {
		return fmt.Errorf("saving %s: %w", d.Path, err)
	}
	return nil
}
