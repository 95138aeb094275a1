package upload

import (
	"archive/zip"
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/laymanctl/laymanctl/client"
)

// LayerParams are the inputs of POST Layers / PATCH Layer.
type LayerParams struct {
	Workspace, Name, Title, Description, CRS, StylePath string
	Read, Write                                         []string
	TimeRegex, TimeRegexFormat, OverviewResampling      string
	ExternalTableURI                                    string
	Files                                               []string
	// FilePath publishes a raster already in GeoServer's data directory,
	// relative to it (Layman 2.4 file_path).
	FilePath string
	// Append adds Files to a time series instead of replacing its data
	// (update only, Layman 2.4 append=true).
	Append bool
	// UUID is the new layer's UUID chosen by the client (publish only,
	// Layman 2.0 and later); empty lets Layman choose.
	UUID string
}

// Plan is validated input, ready to send.
type Plan struct {
	Params LayerParams
	Files  []File
	// Type is Vector or Raster (the main file's, or the first main file
	// inside the ZIP); empty without files.
	Type    string
	Archive bool
	Style   string // StyleSLD, StyleQML or empty
	Total   int64  // bytes of all data files
	// Needs24 names what only Layman 2.4 accepts (--file-path, --append,
	// an image mosaic without --time-regex); empty when any server does.
	Needs24 []string
}

// File is one data file to send: Name is what Layman sees (the base name).
type File struct {
	Path string
	Name string
	Size int64
}

// OverviewResampling is Layman's OVERVIEW_RESAMPLING_METHOD_LIST, the values of
// --overview-resampling.
var OverviewResampling = []string{"nearest", "average", "rms", "bilinear", "gauss", "cubic", "cubicspline", "lanczos", "average_magphase", "mode"}

var crsPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^EPSG:[0-9]+$`) })

// ValidateLayer checks everything that can be checked locally, in the order
// Layman checks it, so that bad input never reaches the server. patch
// relaxes what PATCH Layer does not require.
func ValidateLayer(p LayerParams, patch bool) (*Plan, error) {
	if !patch {
		if p.Workspace == "" {
			return nil, invalid("workspace", "required")
		}
		if err := client.ValidateWorkspace(p.Workspace); err != nil {
			return nil, &ValidationError{Field: "workspace", Message: err.Error()}
		}
	}
	if p.Name != "" {
		if err := client.ValidateName(p.Name); err != nil {
			return nil, &ValidationError{Field: "name", Message: err.Error()}
		}
	}
	if err := checkTimeFormat(p.TimeRegexFormat); err != nil {
		return nil, err
	}
	if err := checkUUID(p.UUID, patch); err != nil {
		return nil, err
	}
	hasFiles := len(p.Files) > 0
	switch {
	case hasFiles && p.ExternalTableURI != "":
		return nil, invalid("external-table", "cannot be combined with data files")
	case p.FilePath != "" && (hasFiles || p.ExternalTableURI != ""):
		return nil, invalid("file-path", "cannot be combined with data files or --external-table")
	case p.FilePath != "" && patch:
		return nil, invalid("file-path", "only when publishing a layer")
	case p.FilePath != "" && filepath.IsAbs(p.FilePath):
		return nil, invalid("file-path", "%q must be relative to GeoServer's data directory", p.FilePath)
	case !hasFiles && p.ExternalTableURI == "" && p.FilePath == "" && !patch:
		return nil, invalid("file", "give data files, an external table URI or --file-path")
	case p.Append && !patch:
		return nil, invalid("append", "only when updating a time series")
	case p.Append && !hasFiles:
		return nil, invalid("append", "needs the data files to add")
	case p.Append && (p.TimeRegex != "" || p.TimeRegexFormat != ""):
		// layer/util.py validate_and_prepare_append_mode: the layer's own are used.
		return nil, invalid("append", "takes the layer's own --time-regex and --time-regex-format; give neither")
	}
	plan := &Plan{Params: p}
	if p.FilePath != "" {
		plan.Needs24 = append(plan.Needs24, "--file-path")
	}
	if p.Append {
		plan.Needs24 = append(plan.Needs24, "--append")
	}
	if hasFiles {
		if err := plan.checkFiles(); err != nil {
			return nil, err
		}
	}
	if p.ExternalTableURI != "" {
		if err := checkExternalTable(p.ExternalTableURI); err != nil {
			return nil, err
		}
	}
	if err := plan.checkOptions(hasFiles); err != nil {
		return nil, err
	}
	if err := checkAccessList("read", p.Read); err != nil {
		return nil, err
	}
	if err := checkAccessList("write", p.Write); err != nil {
		return nil, err
	}
	return plan, nil
}

func (pl *Plan) checkFiles() error {
	seen := map[string]string{}
	var mains, archives, sides []string
	for _, path := range pl.Params.Files {
		fi, err := regularFile("file", path)
		if err != nil {
			return err
		}
		name := filepath.Base(path)
		if other, dup := seen[name]; dup {
			return invalid("file", "%s and %s have the same name; Layman identifies files by name", other, path)
		}
		seen[name] = path
		pl.Files = append(pl.Files, File{Path: path, Name: name, Size: fi.Size()})
		pl.Total += fi.Size()
		switch {
		case isMain(name):
			mains = append(mains, name)
		case isArchive(name):
			archives = append(archives, name)
		default:
			sides = append(sides, name)
		}
	}
	slices.Sort(mains)
	switch {
	case len(archives) > 1:
		return invalid("file", "at most one ZIP file, got %s", strings.Join(archives, ", "))
	case len(archives) == 1 && len(mains) > 0:
		return invalid("file", "one ZIP file or uncompressed files, not both (%s and %s)", archives[0], strings.Join(mains, ", "))
	case len(archives) == 1:
		pl.Archive = true
		if len(sides) > 0 {
			return invalid("file", "%s is not inside the ZIP; Layman would ignore it", sides[0])
		}
		return pl.checkArchive(seen[archives[0]])
	case len(mains) == 0:
		return invalid("file", "no data file among %s; expected %s", strings.Join(names(pl.Files), ", "), extensionList())
	}
	for _, s := range sides {
		if !slices.ContainsFunc(mains, func(m string) bool { return sideOf(s, m) }) {
			return invalid("file", "%s is not named after the main file %s; Layman would ignore it", s, mains[0])
		}
	}
	return pl.checkMains(mains, names(pl.Files))
}

// checkMains applies Layman's rules on the main files and their parts.
func (pl *Plan) checkMains(mains, all []string) error {
	p := pl.Params
	pl.Type = mainExtensions[ext(mains[0])]
	if len(mains) > 1 {
		switch {
		case p.TimeRegex == "" && !p.Append && !slices.ContainsFunc(mains, func(m string) bool { return mainExtensions[ext(m)] != Raster }):
			// Layman 2.4 makes an image mosaic of several rasters
			// (layer/util.py is_multi_raster_input_files); others need a time series.
			pl.Needs24 = append(pl.Needs24, "several raster files without --time-regex (an image mosaic)")
		case p.TimeRegex == "" && !p.Append:
			return invalid("file", "several main data files (%s) need --time-regex for a time series", strings.Join(mains, ", "))
		}
		for _, m := range mains[1:] {
			if ext(m) != ext(mains[0]) {
				return invalid("file", "time series files must share one extension: %s and %s", mains[0], m)
			}
		}
	}
	if pl.Type == Vector && p.TimeRegex != "" {
		return invalid("time-regex", "vector layers cannot be time series")
	}
	if pl.Type == Vector && p.OverviewResampling != "" {
		return invalid("overview-resampling", "vector layers do not support overview resampling")
	}
	if ext(mains[0]) == ".shp" {
		if missing := missingShapefileParts(mains[0], all, p.CRS == ""); len(missing) > 0 {
			msg := fmt.Sprintf("%s needs %s next to it", mains[0], strings.Join(missing, ", "))
			if slices.Contains(missing, ".prj") {
				msg += " (a missing .prj can be replaced by --crs)"
			}
			return invalid("file", "%s", msg)
		}
	}
	if p.TimeRegex != "" {
		return checkTimeSeriesNames(p.TimeRegex, mains)
	}
	return nil
}

// checkArchive looks at the ZIP's directory (not its data): Layman needs a
// data file inside, and the same rules as for loose files.
func (pl *Plan) checkArchive(path string) error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return invalid("file", "%s is not a readable ZIP file: %v", path, err)
	}
	defer zr.Close()
	var mains, all []string
	for _, f := range zr.File {
		all = append(all, f.Name)
		if isMain(f.Name) {
			mains = append(mains, f.Name)
		}
	}
	if len(mains) == 0 {
		return invalid("file", "%s holds no data file; expected %s", filepath.Base(path), extensionList())
	}
	slices.Sort(mains)
	return pl.checkMains(mains, all)
}

// timeSeriesUnsafe finds ASCII characters Layman refuses in time-series
// file names (letters with diacritics are left to the server).
var timeSeriesUnsafe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[\x00-\x1f!-,/:-@\[-^` + "`" + `{-\x7f]`) })

func checkTimeSeriesNames(timeRegex string, mains []string) error {
	if err := checkTimeRegex(timeRegex); err != nil {
		return err
	}
	re, reErr := regexp.Compile(timeRegex)
	for _, m := range mains {
		base := filepath.Base(m)
		if strings.HasPrefix(base, ".") || timeSeriesUnsafe().MatchString(base) {
			return invalid("file", "time series file name %q may hold only letters, digits, '_', '-', '.', and spaces, and not start with '.'", base)
		}
		if len(strings.TrimSuffix(base, filepath.Ext(base))) > 210 {
			return invalid("file", "time series file name %q is longer than 210 characters", base)
		}
		// Layman uses Python regular expressions; only check what Go parses alike.
		if reErr == nil && !re.MatchString(base) {
			return invalid("time-regex", "%q does not match %s", base, timeRegex)
		}
	}
	return nil
}

func (pl *Plan) checkOptions(hasFiles bool) error {
	p := pl.Params
	if p.CRS != "" {
		if !crsPattern().MatchString(p.CRS) {
			return invalid("crs", "%q is not like EPSG:4326", p.CRS)
		}
		if !hasFiles && p.FilePath == "" {
			return invalid("crs", "needs data files")
		}
	}
	if p.TimeRegex != "" && !hasFiles && p.FilePath == "" {
		return invalid("time-regex", "needs data files")
	}
	if p.TimeRegexFormat != "" && p.TimeRegex == "" {
		return invalid("time-regex-format", "needs --time-regex")
	}
	if p.OverviewResampling != "" {
		if !slices.Contains(OverviewResampling, p.OverviewResampling) {
			return invalid("overview-resampling", "%q is not one of %s", p.OverviewResampling, strings.Join(OverviewResampling, ", "))
		}
		if !hasFiles {
			return invalid("overview-resampling", "needs data files")
		}
	}
	if p.StylePath != "" {
		if _, err := regularFile("style", p.StylePath); err != nil {
			return err
		}
		style, err := DetectStyle(p.StylePath)
		if err != nil {
			return invalid("style", "%s: %v", p.StylePath, err)
		}
		pl.Style = style
		if pl.Style == StyleQML && pl.Type == Raster {
			return invalid("style", "raster layers cannot have a QML style")
		}
	}
	return nil
}

// checkTimeFormat refuses a strptime format: Layman writes time_regex_format
// into GeoServer's timeregex.properties (layer/geoserver/tasks.py), which
// reads a Java SimpleDateFormat pattern.
func checkTimeFormat(format string) error {
	if !strings.Contains(format, "%") {
		return nil
	}
	msg := fmt.Sprintf("%q looks like a strptime format, but Layman hands it to GeoServer, which takes a Java SimpleDateFormat pattern", format)
	if java, ok := javaDateFormat(format); ok {
		msg += ": use " + java
	} else {
		msg += ", e.g. yyyyMMdd"
	}
	return invalid("time-regex-format", "%s", msg)
}

// strptimeToJava maps strptime directives to Java SimpleDateFormat letters.
var strptimeToJava = map[byte]string{
	'Y': "yyyy", 'y': "yy", 'm': "MM", 'd': "dd", 'j': "DDD", 'H': "HH", 'I': "hh", 'M': "mm", 'S': "ss",
	'f': "SSS", 'p': "a", 'b': "MMM", 'B': "MMMM", 'a': "EEE", 'A': "EEEE", 'z': "Z", 'Z': "z",
	'F': "yyyy-MM-dd", 'T': "HH:mm:ss",
}

// javaDateFormat translates a strptime format, e.g. %Y%m%d → yyyyMMdd,
// quoting literal letters as SimpleDateFormat requires. ok is false when a
// directive has no equivalent.
func javaDateFormat(strptime string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(strptime); i++ {
		c := strptime[i]
		switch {
		case c == '%' && i+1 < len(strptime) && strptime[i+1] == '%':
			b.WriteByte('%')
			i++
		case c == '%' && i+1 < len(strptime):
			java, ok := strptimeToJava[strptime[i+1]]
			if !ok {
				return "", false
			}
			b.WriteString(java)
			i++
		case c == '%':
			return "", false
		case c == '\'':
			b.WriteString("''")
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			b.WriteString("'" + string(c) + "'")
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

// checkExternalTable applies Layman's rules on external_table_uri.
func checkExternalTable(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return invalid("external-table", "not a valid URI")
	}
	if u.Scheme != "postgresql" && u.Scheme != "postgres" { // both, as layer/util.py parses it
		return invalid("external-table", "scheme must be postgresql, like postgresql://user:password@host:5432/db?schema=s&table=t")
	}
	if u.Hostname() == "" {
		return invalid("external-table", "host is required")
	}
	q := u.Query()
	for _, k := range []string{"schema", "table"} {
		if q.Get(k) == "" {
			return invalid("external-table", "query parameter %q is required", k)
		}
	}
	return nil
}

func names(files []File) []string {
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = f.Name
	}
	return out
}

// checkUUID checks a client-chosen UUID: Layman reads any form Python's
// UUID() takes (uuid.py check_input_uuid) and stores it as given, so only
// the canonical form it gives its own UUIDs is accepted.
func checkUUID(id string, patch bool) error {
	switch {
	case id == "":
		return nil
	case patch:
		return invalid("uuid", "only when publishing: a publication keeps its UUID")
	case !client.IsUUID(id):
		return invalid("uuid", "%q is not a UUID like 0b7c6a4e-1234-4abc-8def-5a6b7c8d9e0f", id)
	}
	return nil
}
