package client

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// syncBuffer lets the transport write while the test reads afterwards.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

const (
	secretAccess   = "acc3ss-T0KEN-value"
	secretRefresh  = "r3fresh-T0KEN-value"
	secretCode     = "auth-C0DE-value"
	secretVerifier = "v3rifier-value-0123456789"
	secretClient   = "cl13nt-s3cret"
	secretPassword = "pa55w0rd"
	secretCookie   = "s3ssion-cookie"
	secretFile     = "FILE-CONTENT-NOT-FOR-LOGS"
	secretAPIKey   = "API-KEY-NOT-FOR-LOGS"
)

var allSecrets = []string{secretAccess, secretRefresh, secretCode, secretVerifier, secretClient, secretPassword, secretCookie, secretFile, secretAPIKey}

func TestDebugTransportRedacts(t *testing.T) {
	ts := newTestServer(t)
	ts.handle("POST /o/token/", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "sessionid", Value: secretCookie})
		jsonAnswer(200, `{"access_token": "`+secretAccess+`","refresh_token":"`+secretRefresh+`","token_type":"Bearer","expires_in":36000}`)(w, r)
	})
	ts.handle("GET /callback", jsonAnswer(200, `{"ok":true}`))
	ts.handle("POST /rest/layers", jsonAnswer(200, `[{"name":"big","uuid":"`+uuid1+`","url":"u"}]`))
	ts.json("GET /rest/layers/{uuid}", 404, `{"code":15,"message":"Layer was not found","detail":null}`)

	var log syncBuffer
	hc := &http.Client{Transport: DebugTransport(&log, nil)}
	c, err := New(ts.url, WithHTTPClient(hc), WithGeneration(Gen3))
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	send := func(req *http.Request) {
		t.Helper()
		req.Header.Set("Authorization", "Bearer "+secretAccess)
		req.Header.Set("Cookie", "sessionid="+secretCookie)
		req.Header.Set("X-Api-Key", secretAPIKey) // as `api -H` may add
		if _, err := c.Do(req, nil); err != nil {
			t.Fatal(err)
		}
	}

	form := url.Values{"grant_type": {"authorization_code"}, "code": {secretCode}, "code_verifier": {secretVerifier},
		"client_secret": {secretClient}, "password": {secretPassword}, "client_id": {"laymanctl"}}
	req, _ := c.NewRequest(ctx, http.MethodPost, "o/token/", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	send(req)

	req, _ = c.NewRequest(ctx, http.MethodGet, "callback?state=s1&code="+secretCode+"&access_token="+secretAccess, nil)
	send(req)

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "big.geojson")
	io.WriteString(fw, secretFile)
	mw.WriteField("name", "big")
	mw.Close()
	req, _ = c.NewRequest(ctx, http.MethodPost, "rest/layers", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	send(req)

	_, err = c.Layers.Get(ctx, Ref{UUID: uuid1})
	if !IsNotFound(err) {
		t.Fatalf("err = %v", err)
	}

	out := log.String()
	for _, s := range allSecrets {
		if strings.Contains(out, s) {
			t.Errorf("debug log contains secret %q:\n%s", s, out)
		}
	}
	for _, want := range []string{
		"> POST " + ts.url + "o/token/",
		"> Authorization: Bearer REDACTED",
		"> Cookie: REDACTED",
		"< Set-Cookie: REDACTED",
		"code=REDACTED",
		"code_verifier=REDACTED",
		"client_id=laymanctl",
		`"access_token": "REDACTED"`,
		`"token_type":"Bearer"`,
		"< HTTP/1.1 200 OK (",
		"state=s1&code=REDACTED&access_token=REDACTED",
		"> [body of", // multipart summarised, not shown
		"< HTTP/1.1 404 Not Found (",
		`{"code":15,"message":"Layer was not found","detail":null}`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("debug log lacks %q:\n%s", want, out)
		}
	}
	ts.expectRequests("POST /prefix/o/token/", "GET /prefix/callback?state=s1&code="+secretCode+"&access_token="+secretAccess,
		"POST /prefix/rest/layers", "GET /prefix/rest/layers/"+uuid1)
}

// A body without GetBody is read for the log and still reaches the server.
func TestDebugTransportKeepsUnreplayableBody(t *testing.T) {
	ts := newTestServer(t)
	var got string
	ts.handle("PATCH /rest/current-user", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = string(b)
		jsonAnswer(200, `{}`)(w, r)
	})
	var log syncBuffer
	hc := &http.Client{Transport: DebugTransport(&log, http.DefaultTransport)}
	req, _ := http.NewRequest(http.MethodPatch, ts.url+"rest/current-user", io.NopCloser(strings.NewReader("username=alice")))
	req.ContentLength = int64(len("username=alice"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got != "username=alice" || !strings.Contains(log.String(), "> username=alice") {
		t.Errorf("server got %q; log:\n%s", got, log.String())
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"https://h/cb?code=abc&state=x":                      "https://h/cb?code=REDACTED&state=x",
		"grant_type=authorization_code&code=abc":             "grant_type=authorization_code&code=REDACTED",
		`{"token": "a\"b", "code": 15, "id_token":"x"}`:      `{"token": "REDACTED", "code": 15, "id_token":"REDACTED"}`,
		"Authorization: Bearer eyJhbGciOi.x-y_z+/w0123456==": "Authorization: Bearer REDACTED",
		// The server's own words are not rewritten.
		`{"message":"Bearer token.","code":32}`: `{"message":"Bearer token.","code":32}`,
		// Any field whose name says secret, in any case; JSON numbers too.
		`{"api_key":"a","session_token":"b","secret":"c","client_assertion":"d","new_password":"e","Password":"f","ACCESS_TOKEN":"g","pin_key":1234}`: `{"api_key":"REDACTED","session_token":"REDACTED","secret":"REDACTED","client_assertion":"REDACTED","new_password":"REDACTED","Password":"REDACTED","ACCESS_TOKEN":"REDACTED","pin_key":"REDACTED"}`,
		"API_KEY=k1&Session_Token=t1&x=1&token_type_hint=refresh_token":                                                                               "API_KEY=REDACTED&Session_Token=REDACTED&x=1&token_type_hint=refresh_token",
		"refresh_token=r1 password=p client_secret=s&x=":                                                                                              "refresh_token=REDACTED password=REDACTED client_secret=REDACTED&x=",
		"nothing secret here": "nothing secret here",
		// RFC 8628: the device code collects the tokens; the user code is shown to be typed.
		`{"device_code":"d1","user_code":"U-1"}`:                                           `{"device_code":"REDACTED","user_code":"U-1"}`,
		"grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=d1": "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=REDACTED",
		// Tokens in a URL fragment (a Location header of an implicit grant).
		"http://127.0.0.1:5/callback#access_token=a1&state=s": "http://127.0.0.1:5/callback#access_token=REDACTED&state=s",
		// A URI with a password as a value (external_table_uri): as JSON,
		// as a form field, and without a password (nothing to hide).
		`{"external_table_uri":"postgresql://u:p%40ss@db:5432/gis?schema=s&table=t"}`:               `{"external_table_uri":"postgresql://u:REDACTED@db:5432/gis?schema=s&table=t"}`,
		"external_table_uri=postgresql%3A%2F%2Fu%3Ap%2540ss%40db%3A5432%2Fgis%3Fschema%3Ds&title=T": "external_table_uri=postgresql%3A%2F%2Fu%3AREDACTED%40db%3A5432%2Fgis%3Fschema%3Ds&title=T",
		"external_table_uri=postgresql%3A%2F%2Fdb%3A5432%2Fgis%3Fschema%3Ds%26table%3Dt%40x":        "external_table_uri=postgresql%3A%2F%2Fdb%3A5432%2Fgis%3Fschema%3Ds%26table%3Dt%40x",
		"postgresql://db:5432/gis?schema=s&table=t":                                                 "postgresql://db:5432/gis?schema=s&table=t",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q)\n got  %q\n want %q", in, got, want)
		}
	}
}

// A password in the URL's userinfo is not logged (review L8).
func TestDebugTransportHidesUserinfo(t *testing.T) {
	ts := newTestServer(t)
	ts.handle("GET /rest/current-user", jsonAnswer(200, `{"authenticated":false}`))
	var log syncBuffer
	hc := &http.Client{Transport: DebugTransport(&log, nil)}
	u, _ := url.Parse(ts.url + "rest/current-user?access_token=QSECRET")
	u.User = url.UserPassword("bob", "hunter2")
	resp, err := hc.Get(u.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if out := log.String(); strings.Contains(out, "hunter2") || strings.Contains(out, "QSECRET") {
		t.Errorf("debug log shows a secret:\n%s", out)
	}
}
