package laymantest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"testing"
	"time"

	"github.com/laymanctl/laymanctl/auth/authtest"
)

// tokens used across the tests; alice and bob have reserved usernames.
var testTokens = StaticTokens{
	"tok-alice": {Username: "alice", Sub: "1", Claims: map[string]any{"preferred_username": "alice"}},
	"tok-bob":   {Username: "bob", Sub: "2"},
	"tok-new":   {Sub: "3", Claims: map[string]any{"preferred_username": "Jiří Nový", "email": "jiri@example.com"}},
}

// part is one multipart field; with filename set it is a file part.
type part struct {
	name, filename, content string
}

func multipartBody(t testing.TB, parts ...part) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		var w io.Writer
		var err error
		if p.filename != "" {
			w, err = mw.CreateFormFile(p.name, p.filename)
		} else {
			w, err = mw.CreateFormField(p.name)
		}
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(w, p.content)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf, mw.FormDataContentType()
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %q: %v", r.body, err)
	}
}

// laymanErr decodes an error body and checks status and code.
func (r response) wantError(t testing.TB, status, code int) map[string]any {
	t.Helper()
	var e map[string]any
	r.json(t, &e)
	if r.status != status || e["code"] != float64(code) {
		t.Fatalf("got HTTP %d %s, want HTTP %d code %d", r.status, r.body, status, code)
	}
	return e
}

var testClient = &http.Client{Timeout: time.Minute}

func do(t testing.TB, method, url, token string, body io.Reader, contentType string) response {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func get(t testing.TB, url, token string) response { return do(t, http.MethodGet, url, token, nil, "") }

func postParts(t testing.TB, method, url, token string, parts ...part) response {
	t.Helper()
	body, ct := multipartBody(t, parts...)
	return do(t, method, url, token, body, ct)
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// waitStatus polls a publication until its status is final, bounded.
func waitStatus(t testing.TB, url, token string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var info map[string]any
		r := get(t, url, token)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", url, r.status, r.body)
		}
		r.json(t, &info)
		st := info["layman_metadata"].(map[string]any)["publication_status"]
		if st != StatusUpdating {
			return info
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still UPDATING", url)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// newFakeClock is a clock only the test moves.
func newFakeClock() *authtest.Clock {
	return authtest.NewClock(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
}
