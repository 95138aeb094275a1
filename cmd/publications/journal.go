package publications

import (
	"path/filepath"

	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/client/upload"
	"github.com/laymanctl/laymanctl/cmd/cli"
)

// UploadJournal keeps chunked uploads in progress in the state directory,
// so that `layers resume` cuts the files as the interrupted upload did.
// Without a state directory uploads go unrecorded, and a resume warns.
func UploadJournal(f *cli.Factory) upload.Journal {
	dir, err := f.StateDir()
	if err != nil {
		return nil
	}
	return upload.NewFileJournal(filepath.Join(dir, "uploads"))
}

// DropUploads returns what forgets, in the upload journal, the interrupted
// uploads to a layer just deleted: there is nothing left to resume.
func DropUploads(f *cli.Factory, c *client.Client) func(layer client.Ref) {
	return (&upload.Uploader{Client: c, Journal: UploadJournal(f)}).Deleted
}
