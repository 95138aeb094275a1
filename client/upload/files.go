package upload

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Geodata types as Layman names them (layman_settings.MAIN_FILE_EXTENSIONS).
const (
	Vector = "vector"
	Raster = "raster"
)

// mainExtensions are the data files Layman publishes; every other file is a
// side file that counts only when named after a main file.
var mainExtensions = map[string]string{
	".geojson": Vector,
	".shp":     Vector,
	".tiff":    Raster,
	".tif":     Raster,
	".jp2":     Raster,
	".png":     Raster,
	".jpg":     Raster,
	".jpeg":    Raster,
}

const archiveExtension = ".zip"

func ext(name string) string { return strings.ToLower(filepath.Ext(name)) }

func isMain(name string) bool { _, ok := mainExtensions[ext(name)]; return ok }

func isArchive(name string) bool { return ext(name) == archiveExtension }

// sideOf reports whether name belongs to the main file: Layman keeps a file
// only when its name starts with the main file's name without extension
// followed by a dot (input_file.get_file_name_mappings), case-sensitively.
func sideOf(name, main string) bool {
	return strings.HasPrefix(name, strings.TrimSuffix(main, filepath.Ext(main))+".")
}

// missingShapefileParts lists the parts Layman requires next to a .shp
// (input_file.check_filenames compares lower-cased names).
func missingShapefileParts(shp string, names []string, withPrj bool) []string {
	base := strings.ToLower(strings.TrimSuffix(shp, filepath.Ext(shp)))
	have := make(map[string]bool, len(names))
	for _, n := range names {
		have[strings.ToLower(n)] = true
	}
	want := []string{".dbf", ".shx"}
	if withPrj {
		want = append(want, ".prj")
	}
	var missing []string
	for _, e := range want {
		if !have[base+e] {
			missing = append(missing, e)
		}
	}
	return missing
}

func extensionList() string {
	return ".geojson, .shp, .tif, .tiff, .jp2, .png, .jpg, .jpeg, or one .zip holding them"
}

// regularFile checks that path names a regular file, with a message that
// says what is wrong in the user's terms.
func regularFile(field, path string) (fs.FileInfo, error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, invalid(field, "%s does not exist", path)
	case errors.Is(err, fs.ErrPermission):
		return nil, invalid(field, "%s cannot be read: permission denied", path)
	case err != nil:
		return nil, invalid(field, "%v", err)
	case fi.IsDir():
		return nil, invalid(field, "%s is a directory, not a file", path)
	case !fi.Mode().IsRegular():
		return nil, invalid(field, "%s is not a regular file", path)
	}
	// Stat needs no read permission: open it, so that a file that cannot
	// be read is bad input refused before anything is sent.
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return nil, invalid(field, "%s cannot be read: permission denied", path)
		}
		return nil, invalid(field, "%v", err)
	}
	f.Close()
	return fi, nil
}

// CheckRegularFiles refuses missing files and directories before anything is
// sent; resume takes its files as they are, without the layer rules.
func CheckRegularFiles(paths []string) error {
	for _, p := range paths {
		if _, err := regularFile("file", p); err != nil {
			return err
		}
	}
	return nil
}
