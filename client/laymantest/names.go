package laymantest

import (
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

const maxPublicationName = 210

var (
	publicationNamePattern = regexp.MustCompile(`^[a-z0-9]*(?:_[a-z0-9]+)*$`)
	slugDrop               = regexp.MustCompile(`[^\w\s\-.]`)
	slugRuns               = regexp.MustCompile(`[\s\-._]+`)
)

// latinFold strips the diacritics Layman's unidecode step removes for the
// Latin letters users type most (Czech, Slovak, German, Polish, French).
var latinFold = strings.NewReplacer(
	"á", "a", "ä", "a", "à", "a", "â", "a", "ą", "a", "č", "c", "ć", "c", "ç", "c", "ď", "d",
	"é", "e", "ě", "e", "è", "e", "ê", "e", "ë", "e", "ę", "e", "í", "i", "î", "i", "ï", "i",
	"ĺ", "l", "ľ", "l", "ł", "l", "ň", "n", "ń", "n", "ó", "o", "ö", "o", "ô", "o", "ő", "o",
	"ř", "r", "ŕ", "r", "š", "s", "ś", "s", "ß", "ss", "ť", "t", "ú", "u", "ů", "u", "ü", "u",
	"ű", "u", "û", "u", "ý", "y", "ÿ", "y", "ž", "z", "ź", "z", "ż", "z",
)

// slugify is slugify of src/layman/util.py for the characters latinFold knows;
// other non-ASCII characters are dropped.
func slugify(v string) string {
	v = latinFold.Replace(strings.ToLower(v))
	v = strings.Map(func(r rune) rune {
		if r > unicode.MaxASCII {
			return -1
		}
		return r
	}, v)
	v = slugDrop.ReplaceAllString(v, "")
	return strings.Trim(slugRuns.ReplaceAllString(v, "_"), "_")
}

// toSafeName is to_safe_name (src/layman/util.py).
func toSafeName(unsafe, typeName string) string {
	v := slugify(unsafe)
	if v == "" {
		return typeName
	}
	if c := v[0]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z') {
		return typeName + "_" + v
	}
	return v
}

// toSafeNames is to_safe_names (src/layman/util.py): names starting with a letter
// first, the others prefixed with typeName.
func toSafeNames(unsafe []string, typeName string) []string {
	var letter, other []string
	for _, n := range unsafe {
		v := slugify(n)
		switch {
		case v == "":
		case v[0] >= 'a' && v[0] <= 'z':
			letter = append(letter, v)
		default:
			other = append(other, typeName+"_"+v)
		}
	}
	out := append(letter, other...)
	if len(out) == 0 {
		out = []string{typeName}
	}
	return out
}

// checkPublicationName is check_layername / check_mapname: the name
// pattern and length (src/layman/layer/util.py, src/layman/map/util.py).
func checkPublicationName(param, name string) *laymanError {
	if !publicationNamePattern.MatchString(name) {
		return newError(2, map[string]any{"parameter": param, "expected": publicationNamePattern.String()})
	}
	if len(name) > maxPublicationName {
		return newError(2, map[string]any{"parameter": param,
			"detail": "Layer name too long (" + strconv.Itoa(len(name)) + "), maximum allowed length is 210."})
	}
	return nil
}

// Main data file extensions and their geodata type (settings.MAIN_FILE_EXTENSIONS).
var mainExtensions = map[string]string{
	".geojson": "vector", ".shp": "vector",
	".tif": "raster", ".tiff": "raster", ".jp2": "raster", ".png": "raster", ".jpg": "raster", ".jpeg": "raster",
}

const zipExtension = ".zip"

func extOf(name string) string { return strings.ToLower(path.Ext(name)) }

func stem(name string) string { return strings.TrimSuffix(name, path.Ext(name)) }

func sortedMainExtensions() string {
	exts := make([]string, 0, len(mainExtensions))
	for e := range mainExtensions {
		exts = append(exts, e)
	}
	sort.Strings(exts)
	return strings.Join(exts, ", ")
}

// inputFiles classifies the names of the files of a layer request.
type inputFiles struct {
	all   []string
	mains []string
	zips  []string
	// mosaic: several rasters are one image mosaic without time_regex
	// (v2.4.0 only; master and 2.0-2.3 require time_regex).
	mosaic bool
}

func classify(names []string) inputFiles {
	in := inputFiles{all: names}
	for _, n := range names {
		switch e := extOf(n); {
		case mainExtensions[e] != "":
			in.mains = append(in.mains, n)
		case e == zipExtension:
			in.zips = append(in.zips, n)
		}
	}
	return in
}

// multiRaster: several main files, all rasters (layer/util.py
// is_multi_raster_input_files, v2.4.0).
func (in inputFiles) multiRaster() bool {
	if len(in.mains) < 2 {
		return false
	}
	for _, m := range in.mains {
		if mainExtensions[extOf(m)] != "raster" {
			return false
		}
	}
	return true
}

func (in inputFiles) isOneArchive() bool { return len(in.mains) == 0 && len(in.zips) == 1 }

// geodataType is the type of the main file, "unknown" for an archive
// whose content is not known.
func (in inputFiles) geodataType() string {
	if len(in.mains) > 0 {
		return mainExtensions[extOf(in.mains[0])]
	}
	return "unknown"
}

// check is the part of check_filenames (src/layman/layer/filesystem/input_file.py) that
// needs names only: number and kind of main files, archives, and the
// Shapefile side files (error 18).
func (in inputFiles) check(checkCRS bool, timeRegex bool) *laymanError {
	if len(in.mains) > 1 && !timeRegex && !in.mosaic {
		return newError(2, map[string]any{"parameter": "file",
			"expected": "At most one file with any of extensions: " + sortedMainExtensions() + "; or timeseries with time_regex parameter.",
			"files":    in.mains})
	}
	if timeRegex && len(in.mains) > 1 {
		exts := map[string]bool{}
		for _, m := range in.mains {
			exts[extOf(m)] = true
		}
		if len(exts) > 1 {
			return newError(2, map[string]any{"parameter": "file", "expected": "All main files with the same extension.", "files": in.mains})
		}
	}
	if len(in.mains) > 0 && len(in.zips) > 0 {
		return newError(2, map[string]any{"parameter": "file",
			"expected": "One compressed file or one or more uncompressed files.", "files": in.all})
	}
	if len(in.mains) == 0 {
		if len(in.zips) > 1 {
			return newError(2, map[string]any{"parameter": "file", "expected": "At most one file with extensions: .zip", "files": in.zips})
		}
		if len(in.zips) == 0 {
			return newError(2, map[string]any{"parameter": "file", "message": "No data file in input.",
				"expected": "At least one file with any of extensions: " + sortedMainExtensions() + "; or one of them in single .zip file.",
				"files":    in.all})
		}
		return nil
	}
	if timeRegex && in.geodataType() == "vector" {
		return newError(48, "Vector layers are not allowed to be combined with `time_regex` parameter.")
	}
	first := in.mains[0]
	if extOf(first) != ".shp" {
		return nil
	}
	lower := map[string]bool{}
	for _, n := range in.all {
		lower[strings.ToLower(n)] = true
	}
	base := strings.ToLower(stem(first))
	wanted := []string{".dbf", ".shx"}
	if checkCRS {
		wanted = append(wanted, ".prj")
	}
	var missing []string
	for _, e := range wanted {
		if !lower[base+e] {
			missing = append(missing, e)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	detail := map[string]any{"missing_extensions": missing, "path": first}
	if checkCRS {
		for _, m := range missing {
			if m == ".prj" {
				detail["suggestion"] = "Missing .prj file can be fixed also by setting \"crs\" parameter."
			}
		}
	}
	return newError(18, detail)
}

// accepted lists the files Layman keeps (get_file_name_mappings in
// src/layman/layer/filesystem/input_file.py): the main
// files or the archive, and side files named after a main file.
func (in inputFiles) accepted() []string {
	if len(in.mains) == 0 {
		return in.zips
	}
	var out []string
	for _, n := range in.all {
		for _, m := range in.mains {
			if n == m || strings.HasPrefix(n, stem(m)+".") {
				out = append(out, n)
				break
			}
		}
	}
	return out
}
