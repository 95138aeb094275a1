package client

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// maxLoggedBody is the largest body DebugTransport prints.
const maxLoggedBody = 4 << 10

// secretHeaders have their whole value hidden.
var secretHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie"}

// secretName matches, case-insensitively, a field whose name says it holds
// a secret: any name containing token, secret, password, key or assertion,
// the PKCE verifier, code (the authorization code) and device_code (RFC
// 8628: whoever holds it can collect the tokens of a device login).
const secretName = `[A-Za-z0-9_.\-]*(?:token|secret|passw(?:or)?d|key|assertion|code_verifier|device_code)[A-Za-z0-9_.\-]*|code`

var (
	// name=value in a URL query or fragment, or a form body.
	secretParam = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?i)(^|[?#&;\s"'])(` + secretName + `)=([^&\s"'#]*)`)
	})
	// "name": "value" or "name": number in JSON.
	secretJSON = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?i)"(` + secretName + `)"(\s*):(\s*)("(?:[^"\\]|\\.)*"|-?[0-9][0-9.eE+\-]*)`)
	})
	// The password in a URL's userinfo (scheme://user:PASSWORD@host), such
	// as a PostGIS URI sent as external_table_uri: as written, or
	// percent-encoded in a form body or query (%3A%2F%2Fuser%3APASSWORD%40).
	// What a password may hold stops at the end of the userinfo: a raw
	// '/', '?', '#' or '@', or their encodings %2F, %3F, %23, %40.
	secretUserinfo = sync.OnceValue(func() *regexp.Regexp {
		const enc = `(?:[^\s&"'#%]|%(?:[015-9A-Fa-f][0-9A-Fa-f]|2[0-24-9A-Ea-e]|3[0-9A-Ea-e]|4[1-9A-Fa-f]))`
		return regexp.MustCompile(`(?i)(\b[a-z][a-z0-9+.\-]*://[^\s/?#@:"']*):[^\s/?#@"']*@` +
			`|(%3A%2F%2F` + enc + `*?)%3A` + enc + `*?%40`)
	})
	// A credential after an authorization scheme in free text. Only a
	// token-like run of 20 characters or more: the server's own words
	// ("Bearer token.") stay as they are.
	secretScheme = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?i)\b(bearer|basic)\s+[A-Za-z0-9\-._~+/]{20,}=*`)
	})
)

// Redact hides secrets in a URL, query, form body, JSON text or message:
// the values of fields named like secrets (see secretName) and bearer or
// basic credentials become REDACTED. Layman's numeric error "code" stays.
func Redact(s string) string {
	param, jsonField := secretParam(), secretJSON()
	s = param.ReplaceAllStringFunc(s, func(m string) string {
		sub := param.FindStringSubmatch(m)
		if describesToken(sub[2]) {
			return m
		}
		return sub[1] + sub[2] + "=REDACTED"
	})
	s = jsonField.ReplaceAllStringFunc(s, func(m string) string {
		sub := jsonField.FindStringSubmatch(m)
		if describesToken(sub[1]) || strings.EqualFold(sub[1], "code") && !strings.HasPrefix(sub[4], `"`) {
			return m
		}
		return `"` + sub[1] + `"` + sub[2] + ":" + sub[3] + `"REDACTED"`
	})
	s = secretUserinfo().ReplaceAllStringFunc(s, func(m string) string {
		sub := secretUserinfo().FindStringSubmatch(m)
		if sub[1] != "" {
			return sub[1] + ":REDACTED@"
		}
		return sub[2] + "%3AREDACTED%40"
	})
	return secretScheme().ReplaceAllString(s, "${1} REDACTED")
}

// describesToken reports the OAuth fields that name a kind of token rather
// than hold one.
func describesToken(name string) bool {
	return strings.EqualFold(name, "token_type") || strings.EqualFold(name, "token_type_hint")
}

// secretHeader reports headers that carry credentials: the standard ones,
// and any a user adds (api -H) whose name says key, token, secret and such.
func secretHeader(name string) bool {
	if slices.Contains(secretHeaders, http.CanonicalHeaderKey(name)) {
		return true
	}
	lower := strings.ToLower(name)
	for _, word := range []string{"key", "token", "secret", "password", "auth", "session", "signature", "credential"} {
		if strings.Contains(lower, word) {
			return true
		}
	}
	return false
}

// redactCredentials keeps the scheme of an Authorization value ("Bearer
// REDACTED") so that the log still shows which kind was sent.
func redactCredentials(v string) string {
	if scheme, _, ok := strings.Cut(v, " "); ok && !strings.ContainsAny(scheme, "=;") {
		return scheme + " REDACTED"
	}
	return "REDACTED"
}

// DebugTransport logs every request and response to w: method, URL,
// status, duration and headers, with secrets redacted, plus bodies that are
// JSON or form data and smaller than 4 KiB (never multipart file content).
// Each exchange is written in one piece, so parallel requests do not mix.
func DebugTransport(w io.Writer, base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &debugTransport{w: w, base: base}
}

type debugTransport struct {
	mu   sync.Mutex
	w    io.Writer
	base http.RoundTripper
}

func (t *debugTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "> %s %s\n", req.Method, Redact(req.URL.Redacted()))
	writeHeaders(&b, "> ", req.Header)
	req, err := logRequestBody(&b, req)
	if err != nil {
		t.write(&b)
		return nil, err
	}
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	elapsed := time.Since(start).Round(10 * time.Microsecond)
	if err != nil {
		fmt.Fprintf(&b, "! failed after %s: %s\n", elapsed, Redact(err.Error()))
		t.write(&b)
		return nil, err
	}
	fmt.Fprintf(&b, "< %s %s (%s)\n", resp.Proto, resp.Status, elapsed)
	writeHeaders(&b, "< ", resp.Header)
	logResponseBody(&b, resp)
	t.write(&b)
	return resp, nil
}

func (t *debugTransport) write(b *strings.Builder) {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, _ = io.WriteString(t.w, b.String()+"\n")
}

func writeHeaders(b *strings.Builder, prefix string, h http.Header) {
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		for _, v := range h[name] {
			if secretHeader(name) {
				v = redactCredentials(v)
			}
			fmt.Fprintf(b, "%s%s: %s\n", prefix, name, Redact(v))
		}
	}
}

// loggableType: JSON and form bodies are text worth reading; anything else
// (multipart uploads, images) is only summarised.
func loggableType(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mt == "application/json" || strings.HasSuffix(mt, "+json") || mt == "application/x-www-form-urlencoded"
}

// logRequestBody prints a small JSON or form body, reading it through
// GetBody when possible; otherwise it reads the body and hands the
// transport an equivalent request.
func logRequestBody(b *strings.Builder, req *http.Request) (*http.Request, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return req, nil
	}
	if !loggableType(req.Header.Get("Content-Type")) || req.ContentLength < 0 || req.ContentLength > maxLoggedBody {
		fmt.Fprintf(b, "> [body of %s, %s, not shown]\n", sizeText(req.ContentLength), req.Header.Get("Content-Type"))
		return req, nil
	}
	var data []byte
	var err error
	if req.GetBody != nil {
		var rc io.ReadCloser
		if rc, err = req.GetBody(); err == nil {
			data, err = io.ReadAll(rc)
			rc.Close()
		}
	} else {
		data, err = io.ReadAll(req.Body)
		req.Body.Close()
		clone := req.Clone(req.Context())
		clone.Body = io.NopCloser(bytes.NewReader(data))
		req = clone
	}
	if err != nil {
		return req, fmt.Errorf("reading request body for the debug log: %w", err)
	}
	fmt.Fprintf(b, "> %s\n", Redact(string(data)))
	return req, nil
}

// logResponseBody prints a small JSON or form body and puts the bytes it
// read back in front of the rest.
func logResponseBody(b *strings.Builder, resp *http.Response) {
	if !loggableType(resp.Header.Get("Content-Type")) || resp.ContentLength > maxLoggedBody || resp.ContentLength == 0 {
		if resp.ContentLength != 0 {
			fmt.Fprintf(b, "< [body of %s, %s, not shown]\n", sizeText(resp.ContentLength), resp.Header.Get("Content-Type"))
		}
		return
	}
	head := make([]byte, maxLoggedBody+1)
	n, err := io.ReadFull(resp.Body, head)
	head = head[:n]
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(head), resp.Body), resp.Body}
	if n > maxLoggedBody || (err != nil && err != io.EOF && err != io.ErrUnexpectedEOF) {
		fmt.Fprintf(b, "< [body of more than %d bytes, not shown]\n", maxLoggedBody)
		return
	}
	fmt.Fprintf(b, "< %s\n", Redact(string(head)))
}

func sizeText(n int64) string {
	if n < 0 {
		return "unknown size"
	}
	return fmt.Sprintf("%d bytes", n)
}
