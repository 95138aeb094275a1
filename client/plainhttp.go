package client

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
)

// ErrPlainHTTP marks a request refused because it would travel unencrypted.
var ErrPlainHTTP = errors.New("plain HTTP refused")

// PlainHTTPError names the origin that plain HTTP was refused for.
type PlainHTTPError struct{ Origin string }

func (e *PlainHTTPError) Error() string {
	return fmt.Sprintf("refusing plain HTTP to %s: tokens, passwords and data would travel unencrypted", e.Origin)
}

func (e *PlainHTTPError) Unwrap() error { return ErrPlainHTTP }

// CheckPlainHTTP refuses an http:// URL unless its host is a loopback IP
// literal or localhost, or allow is set.
func CheckPlainHTTP(u *url.URL, allow bool) error {
	if u.Scheme != "http" || allow || IsLoopbackHost(u.Hostname()) {
		return nil
	}
	return &PlainHTTPError{Origin: Origin(u)}
}

// PlainHTTPTransport refuses every plain-HTTP request to a host other than
// loopback before anything is sent. With allow, such requests go out and
// warn is called once per origin.
func PlainHTTPTransport(base http.RoundTripper, allow bool, warn func(origin string)) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &plainHTTPTransport{base: base, allow: allow, warn: warn}
}

type plainHTTPTransport struct {
	base  http.RoundTripper
	allow bool
	warn  func(string)
	once  sync.Map // origin → struct{}: warned
}

func (t *plainHTTPTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := CheckPlainHTTP(req.URL, t.allow); err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	if req.URL.Scheme == "http" && !IsLoopbackHost(req.URL.Hostname()) && t.warn != nil {
		if _, warned := t.once.LoadOrStore(Origin(req.URL), struct{}{}); !warned {
			t.warn(Origin(req.URL))
		}
	}
	return t.base.RoundTrip(req)
}
