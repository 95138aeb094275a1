package reallayman

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

var httpClient = &http.Client{Timeout: 60 * time.Second}

// Tokens is a password-grant answer.
type Tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int    `json:"expires_in"`
}

// Token gets tokens for u with the password grant of PasswordClient.
func (s *Server) Token(t testing.TB, u User) Tokens {
	t.Helper()
	resp, err := httpClient.PostForm(s.TokenURL, url.Values{
		"grant_type": {"password"}, "username": {u.Username}, "password": {u.Password},
		"client_id": {s.PasswordClient.ID}, "client_secret": {s.PasswordClient.Secret},
	})
	if err != nil {
		t.Fatalf("reallayman: password grant for %s: %v", u.Username, err)
	}
	var tok Tokens
	s.decode(t, resp, &tok)
	if tok.AccessToken == "" {
		t.Fatalf("reallayman: password grant for %s: no access token", u.Username)
	}
	return tok
}

// ReserveUsername makes the token's user a Layman user (PATCH
// /rest/current-user?adjust_username=true) and returns the username.
// Reserving again is harmless: Layman answers with the same name.
func (s *Server) ReserveUsername(t testing.TB, accessToken string) string {
	t.Helper()
	resp := s.Do(t, http.MethodPatch, "/rest/current-user?adjust_username=true", accessToken)
	var cu struct {
		Username string `json:"username"`
	}
	if resp.StatusCode == http.StatusBadRequest {
		// 400, code 34: the username is already reserved.
		resp.Body.Close()
		resp = s.Do(t, http.MethodGet, "/rest/current-user", accessToken)
	}
	s.decode(t, resp, &cu)
	if cu.Username == "" {
		t.Fatal("reallayman: current-user has no username after the reservation")
	}
	return cu.Username
}

// User gets a token for u and reserves its Layman username (the same as
// its account name); it returns the access token.
func (s *Server) User(t testing.TB, u User) string {
	t.Helper()
	tok := s.Token(t, u).AccessToken
	s.ReserveUsername(t, tok)
	return tok
}

// Do sends a request to Layman (path starts with /rest/), with the bearer
// token when it is not empty. The caller closes the body.
func (s *Server) Do(t testing.TB, method, path, accessToken string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, s.LaymanURL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if accessToken != "" {
		req.Header.Set("Authorization", "Bearer "+accessToken)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("reallayman: %s %s: %v", method, path, err)
	}
	return resp
}

func (s *Server) decode(t testing.TB, resp *http.Response, v any) {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reallayman: %s: %v", resp.Request.URL.Path, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("reallayman: %s %s: HTTP %d: %s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("reallayman: %s: %v: %s", resp.Request.URL.Path, err, b)
	}
}

// ExpireToken makes an access token expired at the authorization server
// (its row in authserver/db.sqlite3) and flushes Layman's cached
// introspection of it (DELETE /rest/current-user), so Layman's next
// request with it answers 403, code 32.
func (s *Server) ExpireToken(t testing.TB, accessToken string) {
	t.Helper()
	const script = `import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
n = db.execute("update oauth2_provider_accesstoken set expires = datetime('now', '-1 hour') where token = ?", (sys.argv[2],)).rowcount
db.commit()
sys.exit(0 if n == 1 else 3)
`
	db := filepath.Join(s.Work, "authserver", "db.sqlite3")
	if out, err := exec.Command("/usr/bin/python3", "-c", script, db, accessToken).CombinedOutput(); err != nil {
		t.Fatalf("reallayman: expire the token in %s: %v %s", db, err, out)
	}
	// Layman authenticates this request from its cache and then flushes it.
	s.Do(t, http.MethodDelete, "/rest/current-user", accessToken).Body.Close()
}

// RefreshTokens counts the refresh tokens the authorization server has
// issued to the account username (its rows in authserver/db.sqlite3): one
// per login, and one more per refresh, since refresh tokens rotate.
func (s *Server) RefreshTokens(t testing.TB, username string) int {
	t.Helper()
	const script = `import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("select count(*) from oauth2_provider_refreshtoken r join auth_user u on r.user_id = u.id where u.username = ?", (sys.argv[2],)).fetchone()[0])
`
	db := filepath.Join(s.Work, "authserver", "db.sqlite3")
	out, err := exec.Command("/usr/bin/python3", "-c", script, db, username).Output()
	if err != nil {
		t.Fatalf("reallayman: count the refresh tokens in %s: %v", db, err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("reallayman: count the refresh tokens in %s: %q", db, out)
	}
	return n
}

// InputFiles lists the files Layman stored for a layer, by UUID (the same
// layout on master and 2.4: DataDir/layers/<uuid>/input_file/), sorted.
func (s *Server) InputFiles(t testing.TB, uuid string) []string {
	t.Helper()
	dir := filepath.Join(s.DataDir, "layers", uuid, "input_file")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("reallayman: stored files of layer %s: %v", uuid, err)
	}
	var files []string
	for _, e := range entries {
		if e.Type().IsRegular() {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(files)
	return files
}

// InputFile is the layer's one stored file whose name ends in suffix
// (e.g. ".geojson"); the test fails when there is not exactly one.
func (s *Server) InputFile(t testing.TB, uuid, suffix string) string {
	t.Helper()
	var found []string
	for _, f := range s.InputFiles(t, uuid) {
		if strings.HasSuffix(f, suffix) {
			found = append(found, f)
		}
	}
	if len(found) != 1 {
		t.Fatalf("reallayman: layer %s has %d stored files ending in %q: %v", uuid, len(found), suffix, found)
	}
	return found[0]
}

// String names the instance in test output.
func (s *Server) String() string { return fmt.Sprintf("real Layman %s at %s", s.Version, s.LaymanURL) }
