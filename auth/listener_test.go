package auth

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

const fuzzState = "Zm9vYmFyYmF6cXV4LXN0YXRlLXZhbHVlLTEyMzQ1Njc4"

func serveCallback(h *callbackHandler, path, rawQuery string) *httptest.ResponseRecorder {
	req := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: path, RawQuery: rawQuery}, Header: http.Header{}}
	rec := httptest.NewRecorder()
	select {
	case h.outcome <- nil: // the code exchange, if it comes to that, succeeds
	default:
	}
	h.ServeHTTP(rec, req)
	return rec
}

// FuzzCallback: no request may panic the handler, and none without the
// expected state (or off /callback) may end the login.
func FuzzCallback(f *testing.F) {
	for _, seed := range [][2]string{
		{"/callback", "code=abc&state=" + fuzzState},
		{"/callback", "state=" + fuzzState},
		{"/callback", "code=abc&state=wrong"},
		{"/callback", "code=abc"},
		{"/callback", "error=access_denied&error_description=No%1b%5b31m&state=" + fuzzState},
		{"/callback", "error=access_denied&state=nope"},
		{"/callback", "state=" + fuzzState + "&state=other&code=c"},
		{"/callback", "state=other&state=" + fuzzState + "&code=c"},
		{"/callback", "%zz&state=" + fuzzState + "&code=c;x"},
		{"/callback/", "code=abc&state=" + fuzzState},
		{"/favicon.ico", ""},
		{"", ""},
		{"/CALLBACK", "code=abc&state=" + fuzzState},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, path, rawQuery string) {
		h := newCallbackHandler(fuzzState)
		rec := serveCallback(h, path, rawQuery)
		q, _ := url.ParseQuery(rawQuery)
		select {
		case res := <-h.result:
			if path != callbackPath || q.Get("state") != fuzzState {
				t.Fatalf("accepted %q?%q", path, rawQuery)
			}
			if res.err == nil && res.code == "" {
				t.Fatal("accepted a callback without code or error")
			}
			if rec.Code != http.StatusOK && rec.Code != http.StatusForbidden {
				t.Fatalf("accepted callback answered %d", rec.Code)
			}
		default:
			if rec.Code < 400 {
				t.Fatalf("%q?%q answered %d without ending the login", path, rawQuery, rec.Code)
			}
		}
		if strings.Contains(rec.Body.String(), fuzzState) {
			t.Fatal("page shows the state")
		}
	})
}

func TestCallbackAcceptsOnlyOnce(t *testing.T) {
	h := newCallbackHandler(fuzzState)
	if rec := serveCallback(h, callbackPath, "code=one&state="+fuzzState); rec.Code != http.StatusOK {
		t.Fatalf("first callback: %d", rec.Code)
	}
	if rec := serveCallback(h, callbackPath, "code=two&state="+fuzzState); rec.Code != http.StatusGone {
		t.Fatalf("second callback: %d, want 410", rec.Code)
	}
	if res := <-h.result; res.code != "one" {
		t.Fatalf("delivered code %q", res.code)
	}
	select {
	case res := <-h.result:
		t.Fatalf("second callback delivered %+v", res)
	default:
	}
}

func TestCallbackErrorIsPrintable(t *testing.T) {
	h := newCallbackHandler(fuzzState)
	rec := serveCallback(h, callbackPath, "error=access_denied&error_description="+url.QueryEscape("no\x1b[2J<script>")+"&state="+fuzzState)
	res := <-h.result
	if res.err == nil || strings.Contains(res.err.Error(), "\x1b") {
		t.Fatalf("error %q keeps control characters", res.err)
	}
	if strings.Contains(rec.Body.String(), "<script>") {
		t.Fatal("the failure page echoes markup unescaped")
	}
}

func TestListenLoopback(t *testing.T) {
	for _, addr := range []string{"", "127.0.0.1:0", "[::1]:0"} {
		l, err := listenLoopback(addr)
		if err != nil {
			if addr == "[::1]:0" {
				continue // no IPv6 loopback on this machine
			}
			t.Fatalf("listen %q: %v", addr, err)
		}
		if ip := l.Addr().String(); !strings.HasPrefix(ip, "127.0.0.1:") && !strings.HasPrefix(ip, "[::1]:") {
			t.Errorf("listen %q bound %s", addr, ip)
		}
		l.Close()
	}
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "localhost:0", "example.com:80", "127.0.0.1", "127.0.0.1:http", "127.0.0.1:99999"} {
		if l, err := listenLoopback(addr); err == nil {
			l.Close()
			t.Errorf("listen %q accepted", addr)
		}
	}
}
