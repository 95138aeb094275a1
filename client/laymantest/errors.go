package laymantest

import (
	"encoding/json"
	"net/http"
)

// errorTable is the subset of Layman's src/layman/error_list.py the fake can
// raise: code → HTTP status and message, copied verbatim.
var errorTable = map[int]struct {
	status  int
	message string
}{
	1:  {400, "Missing parameter"},
	2:  {400, "Wrong parameter value"},
	4:  {400, "Unsupported CRS of data file"},
	15: {404, "Layer was not found"},
	16: {404, "Thumbnail was not found"},
	17: {409, "Layer already exists"},
	18: {400, "Missing one or more ShapeFile files."},
	20: {400, "Chunk upload is not active for this layer."},
	21: {400, "Unknown combination of resumableFilename and layman_original_parameter."},
	22: {400, "UPLOAD_MAX_INACTIVITY_TIME during upload reached."},
	24: {409, "Map already exists"},
	26: {404, "Map was not found"},
	27: {404, "File was not found"},
	30: {403, "Unauthorized access"},
	31: {400, "Unexpected HTTP method."},
	32: {403, "Unsuccessful OAuth2 authentication."},
	33: {400, "Authenticated user did not claim any username within Layman yet."},
	34: {400, "User already reserved username."},
	35: {409, "Workspace name already reserved."},
	40: {404, "Workspace does not exist."},
	43: {400, "Wrong access rights."},
	46: {400, "Unknown style file. Can recognize only SLD and QML files."},
	48: {400, "Wrong combination of parameters"},
	49: {400, "Publication is already in process."},
	56: {403, "Username or workspace name is too long. Maximum is 59 characters."},
	57: {404, "User was not found."},
	58: {403, "User cannot be removed."},
	59: {400, "Map referencing internal layer with `workspace` and `layer name`. Layers are stored on GeoServer in `layman` and `layman_wms` workspaces with `l_<UUID>` name."},
}

// laymanError is an error the fake answers with, shaped like Layman's
// LaymanError.to_dict(): detail and sub_code appear only when set.
type laymanError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Detail  any    `json:"detail,omitempty"`
	SubCode int    `json:"sub_code,omitempty"`
}

func (e *laymanError) Error() string { return e.Message }

func newError(code int, detail any) *laymanError {
	return &laymanError{Code: code, Message: errorTable[code].message, Detail: detail}
}

func newSubError(code, subCode int, detail any) *laymanError {
	e := newError(code, detail)
	e.SubCode = subCode
	return e
}

// ErrorJSON renders the body Layman sends for error code with the given
// detail (nil for none), e.g. for SetIncomplete or a Fault body.
func ErrorJSON(code int, detail any) string {
	b, _ := json.Marshal(newError(code, detail))
	return string(b)
}

func writeError(w http.ResponseWriter, e *laymanError) {
	writeJSON(w, errorTable[e.Code].status, e)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// flaskNotFound is the HTML page Flask answers for an unknown URL; clients
// must cope with non-JSON errors, so the fake does not invent a JSON one.
const flaskNotFound = `<!doctype html>
<html lang=en>
<title>404 Not Found</title>
<h1>Not Found</h1>
<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>
`

const flaskMethodNotAllowed = `<!doctype html>
<html lang=en>
<title>405 Method Not Allowed</title>
<h1>Method Not Allowed</h1>
<p>The method is not allowed for the requested URL.</p>
`

// flaskInternalError is Flask's page for an unhandled exception, as real
// Layman answered a chunked PATCH after a dropped upload (checked on master
// ed229ddd).
const flaskInternalError = `<!doctype html>
<html lang=en>
<title>500 Internal Server Error</title>
<h1>Internal Server Error</h1>
<p>The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.</p>
`
