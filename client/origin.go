package client

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Origin is scheme://host:port of u (RFC 6454), with the default port made
// explicit so that https://h and https://h:443 compare equal.
func Origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		switch scheme {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// OriginOf is Origin of a URL string; "" when it does not parse.
func OriginOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	return Origin(u)
}

// IsLoopbackHost reports a loopback IP literal or exactly "localhost": a
// name such as 127.example.com resolves wherever its owner likes.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ErrRedirectRefused marks a redirect laymanctl did not follow.
var ErrRedirectRefused = errors.New("redirect refused")

// RedirectError says where a server tried to send a request.
type RedirectError struct {
	From, To string
	// Reason is why it was not followed.
	Reason string
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("%s redirected the request to %s; %s", e.From, e.To, e.Reason)
}

func (e *RedirectError) Unwrap() error { return ErrRedirectRefused }

// SameOriginRedirects is a CheckRedirect that follows a redirect only within
// the origin of the first request, and never from https to http: the
// credentials and the body of a request belong to the server they were
// meant for.
func SameOriginRedirects(req *http.Request, via []*http.Request) error {
	first := via[0].URL
	if len(via) >= 10 {
		return fmt.Errorf("%s: stopped after 10 redirects", Origin(first))
	}
	if Origin(req.URL) != Origin(first) {
		return &RedirectError{From: Origin(first), To: Origin(req.URL), Reason: "laymanctl follows redirects only within the same origin, so that credentials and request bodies never leave it"}
	}
	return nil
}

// AuthServerRedirects is the CheckRedirect of the authorization server's
// client: its token and revocation endpoints (POSTs carrying secrets) are
// never followed anywhere; a metadata GET follows a same-origin redirect,
// such as Django's to the URL with a trailing slash.
func AuthServerRedirects(req *http.Request, via []*http.Request) error {
	if via[0].Method != http.MethodGet {
		return &RedirectError{From: Origin(via[0].URL), To: Origin(req.URL), Reason: "laymanctl follows no redirect of the authorization server's token or revocation endpoint"}
	}
	return SameOriginRedirects(req, via)
}
