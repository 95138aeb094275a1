package publish

import (
	"fmt"
	"os"

	"github.com/laymanctl/laymanctl/client/upload"
)

// checkRegularFiles refuses missing files and directories before anything
// is sent; resume takes the files as they are, without layer rules.
func checkRegularFiles(paths []string) error {
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return &upload.ValidationError{Field: "file", Message: err.Error()}
		}
		if !fi.Mode().IsRegular() {
			return &upload.ValidationError{Field: "file", Message: fmt.Sprintf("%s is not a regular file", p)}
		}
	}
	return nil
}
