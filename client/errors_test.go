package client

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
)

func FuzzParseError(f *testing.F) {
	f.Add(404, "application/json", []byte(`{"code":15,"message":"Layer was not found","detail":"x"}`))
	f.Add(403, "application/json", []byte(`{"code":32,"sub_code":9,"message":"Unsuccessful OAuth2 authentication.","detail":{"a":1}}`))
	f.Add(502, "text/html", []byte("<html><head><title>502 Bad Gateway</title></head></html>"))
	f.Add(413, "text/html", []byte("<html><body>too large</body></html>"))
	f.Add(500, "text/plain", []byte("boom\n\nwith lines"))
	f.Add(400, "", []byte(`{"code":"x"}`))
	f.Fuzz(func(t *testing.T, status int, ctype string, body []byte) {
		err := ParseError(status, ctype, body, nil)
		var le *LaymanError
		var he *HTTPError
		switch {
		case errors.As(err, &le):
			if le.Code == 0 || le.Message == "" || le.StatusCode != status {
				t.Fatalf("Layman error without code or message: %+v", le)
			}
		case errors.As(err, &he):
			if strings.ContainsAny(he.Summary, "\n\r") || len([]rune(he.Summary)) > 201 {
				t.Fatalf("summary not one short line: %q", he.Summary)
			}
			if he.StatusCode != status {
				t.Fatalf("status %d, want %d", he.StatusCode, status)
			}
		default:
			t.Fatalf("unexpected error type %T", err)
		}
		_ = err.Error()
	})
}

func TestIsNotFound(t *testing.T) {
	if IsNotFound(&LaymanError{Code: CodeInProcess, StatusCode: http.StatusBadRequest}) {
		t.Error("error 49 reported as not found")
	}
	if IsNotFound(&HTTPError{StatusCode: 404}) {
		t.Error("bare 404 reported as a missing publication")
	}
	if !IsNotFound(&LaymanError{Code: CodeMapNotFound, StatusCode: 404}) {
		t.Error("map not found missed")
	}
}

// Layman's error detail reads as lines, not a JSON blob; a source error
// that is a plain string (layer/db/table.py "Cannot connect to DB.") reads
// as that text.
func TestErrorTextReadable(t *testing.T) {
	le := &LaymanError{Code: 2, StatusCode: 400, Message: "Wrong parameter value",
		Detail: json.RawMessage(`{"parameter": "file", "expected": "At most one file", "files": ["a.tif", "b.tif"]}`)}
	want := "Layman error 2 (HTTP 400): Wrong parameter value:\n  expected: At most one file\n  files: [\"a.tif\",\"b.tif\"]\n  parameter: file"
	if got := le.Error(); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if got := (&LaymanError{Code: 32, StatusCode: 403, Message: "m", Detail: json.RawMessage(`"d"`)}).Error(); got != "Layman error 32 (HTTP 403): m: d" {
		t.Errorf("string detail: %q", got)
	}
	// Layman's messages may end with a period: not followed by a colon.
	rights := &LaymanError{Code: 43, StatusCode: 400, Message: "Wrong access rights.", Detail: json.RawMessage(`{"message": "Not existing user. Username=bob"}`)}
	if got, want := rights.Error(), "Layman error 43 (HTTP 400): Wrong access rights:\n  message: Not existing user. Username=bob"; got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if got := (&LaymanError{Code: 57, StatusCode: 404, Message: "User was not found."}).Error(); got != "Layman error 57 (HTTP 404): User was not found." {
		t.Errorf("no detail: %q", got)
	}
	var se SourceError
	if err := json.Unmarshal([]byte(`"Cannot connect to DB."`), &se); err != nil || se.Error() != "Cannot connect to DB." {
		t.Errorf("plain string source error: %q, %v", se.Error(), err)
	}
}
