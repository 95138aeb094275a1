package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
)

// LaymanError is an error answer of Layman: {"code", "message", "detail", "sub_code"}
// together with the HTTP status and the response it came from.
type LaymanError struct {
	Code       int             `json:"code"`
	SubCode    int             `json:"sub_code,omitempty"`
	Message    string          `json:"message"`
	Detail     json.RawMessage `json:"detail,omitempty"`
	StatusCode int             `json:"-"`
	Response   *http.Response  `json:"-"`
}

func (e *LaymanError) Error() string {
	return fmt.Sprintf("Layman error %d (HTTP %d): %s", e.Code, e.StatusCode, withDetail(e.Message, e.Detail))
}

// withDetail renders a Layman error message and its detail: a string on
// the same line; an object as one indented "key: value" line per key, so
// that a person can read it. The message's own final period goes, so that
// "Wrong access rights." does not end in ".:".
func withDetail(message string, detail json.RawMessage) string {
	d := (&LaymanError{Detail: detail}).DetailText()
	switch {
	case d == "":
		return message
	case strings.Contains(d, "\n") || strings.HasPrefix(string(detail), "{"):
		return strings.TrimSuffix(message, ".") + ":\n  " + strings.ReplaceAll(d, "\n", "\n  ")
	}
	return strings.TrimSuffix(message, ".") + ": " + d
}

// DetailText renders the detail field: a string as is, an object as one
// "key: value" line per key (sorted; string values unquoted, others as
// compact JSON), anything else as compact JSON.
func (e *LaymanError) DetailText() string {
	if len(e.Detail) == 0 || string(e.Detail) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(e.Detail, &s) == nil {
		return s
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(e.Detail, &obj) != nil || len(obj) == 0 {
		return string(e.Detail)
	}
	keys := slices.Sorted(maps.Keys(obj))
	lines := make([]string, len(keys))
	for i, k := range keys {
		v := string(obj[k])
		var str string
		if json.Unmarshal(obj[k], &str) == nil {
			v = str
		} else if b, err := json.Marshal(obj[k]); err == nil {
			v = string(b)
		}
		lines[i] = k + ": " + v
	}
	return strings.Join(lines, "\n")
}

// Layman error codes a client acts on (src/layman/error_list.py).
const (
	CodeWrongParameter      = 2
	CodeLayerNotFound       = 15
	CodeLayerExists         = 17
	CodeChunkUploadInactive = 20
	CodeMapExists           = 24
	CodeUploadTimeout       = 22
	CodeUnauthorized        = 30
	CodeOAuth2Failure       = 32
	CodeInProcess           = 49
	// CodeLayerByWorkspaceName: a map references one of Layman's layers by
	// workspace and name instead of its GeoServer name l_<uuid>.
	CodeLayerByWorkspaceName = 59
)

// Sub-codes of code 32 (authn/oauth2/__init__.py).
const (
	// SubCodeIntrospectionUnreachable: Layman cannot ask the authorization
	// server about tokens; the token may be fine.
	SubCodeIntrospectionUnreachable = 8
	// SubCodeTokenInactive: the authorization server says the token is
	// not active (expired, revoked) or not a bearer token.
	SubCodeTokenInactive = 9
)

// IsAuthFailure reports whether err is Layman's answer to an inactive or
// rejected bearer token (HTTP 403, code 32, sub_code 9 or none): the one
// answer a new token can cure. Other sub-codes are a malformed header (3,
// 4, 5) or a server fault (8, see IsAuthUnverifiable).
func IsAuthFailure(err error) bool {
	le := authError(err)
	return le != nil && (le.SubCode == 0 || le.SubCode == SubCodeTokenInactive)
}

// IsAuthUnverifiable reports Layman's code 32 with sub_code 8: it cannot
// reach its own introspection endpoint, so it cannot verify any token
// right now.
func IsAuthUnverifiable(err error) bool {
	le := authError(err)
	return le != nil && le.SubCode == SubCodeIntrospectionUnreachable
}

func authError(err error) *LaymanError {
	var le *LaymanError
	if errors.As(err, &le) && le.StatusCode == http.StatusForbidden && le.Code == CodeOAuth2Failure {
		return le
	}
	return nil
}

// HTTPError is a non-2xx answer whose body is not a Layman error, e.g. a
// proxy's HTML page. Summary is a short, single-line excerpt of the body.
type HTTPError struct {
	StatusCode int
	Summary    string
	Response   *http.Response
}

func (e *HTTPError) Error() string {
	s := fmt.Sprintf("HTTP %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	if e.Summary != "" {
		s += ": " + e.Summary
	}
	return s
}

// maxErrorBody bounds how much of an error body is read.
const maxErrorBody = 64 << 10

// DecodeError turns a non-2xx response into a *LaymanError when the body is
// Layman's error JSON, otherwise into an *HTTPError with a summary. It reads
// and closes the body.
func DecodeError(resp *http.Response) error {
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	return ParseError(resp.StatusCode, resp.Header.Get("Content-Type"), body, resp)
}

// ParseError is DecodeError on a body already read.
func ParseError(status int, contentType string, body []byte, resp *http.Response) error {
	var le LaymanError
	if json.Unmarshal(body, &le) == nil && le.Code != 0 && le.Message != "" {
		le.StatusCode = status
		le.Response = resp
		return &le
	}
	return &HTTPError{StatusCode: status, Summary: summarise(contentType, body), Response: resp}
}

// summarise keeps an error body readable on one line: the <title> of an HTML
// page, or the first 200 characters of text with whitespace collapsed.
func summarise(contentType string, body []byte) string {
	s := string(body)
	if strings.Contains(contentType, "html") || strings.HasPrefix(strings.TrimSpace(strings.ToLower(s)), "<") {
		lower := strings.ToLower(s)
		if i := strings.Index(lower, "<title>"); i >= 0 {
			if j := strings.Index(lower[i:], "</title>"); j > 0 {
				s = s[i+len("<title>") : i+j]
			}
		} else {
			return ""
		}
	}
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}

// More Layman error codes meaning "not found" (src/layman/error_list.py).
const (
	CodeThumbnailNotFound = 16
	CodeMapNotFound       = 26
	CodeFileNotFound      = 27
	CodeWorkspaceNotFound = 40
	CodeUserNotFound      = 57
)

// NotFoundError says no publication visible to the caller matches a Ref; it
// is found by the client while resolving the Ref, not sent by Layman.
type NotFoundError struct {
	Type string // "layer" or "map"
	Ref  Ref
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("%s %s was not found", e.Type, e.Ref)
}

// IsNotFound reports whether err says the thing asked for does not exist:
// a *NotFoundError, an *AlreadyDeletedError or a Layman "not found" error.
func IsNotFound(err error) bool {
	var nf *NotFoundError
	var gone *AlreadyDeletedError
	if errors.As(err, &nf) || errors.As(err, &gone) {
		return true
	}
	var le *LaymanError
	if !errors.As(err, &le) {
		return false
	}
	switch le.Code {
	case CodeLayerNotFound, CodeThumbnailNotFound, CodeMapNotFound, CodeFileNotFound, CodeWorkspaceNotFound, CodeUserNotFound:
		return true
	}
	return false
}

// AlreadyDeletedError is a DELETE whose first answer was lost (a gateway
// error or a dropped connection) and whose retry found nothing: the first
// attempt deleted the publication. Delete returns the publication with it.
type AlreadyDeletedError struct {
	Type string
	Ref  Ref
}

func (e *AlreadyDeletedError) Error() string {
	return fmt.Sprintf("%s %s was already deleted: the answer to the first attempt was lost, and the retry found it gone", e.Type, e.Ref)
}
