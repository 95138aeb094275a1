package auth

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// FindAuthServer reports whether an authorization server answers under
// base: one publishing OIDC or RFC 8414 metadata, or Django OAuth Toolkit,
// whose token endpoint answers an empty POST with an OAuth2 error in
// JSON. Anything else, an unreachable host included, is "not there".
func FindAuthServer(ctx context.Context, hc *http.Client, base string) (Endpoints, bool) {
	b, err := authBase(base)
	if err != nil {
		return Endpoints{}, false
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	for _, doc := range []string{b.String() + ".well-known/openid-configuration", b.String() + ".well-known/oauth-authorization-server"} {
		if e, found, err := fetchMetadata(ctx, hc, doc, b); err == nil && found {
			return e, true
		}
	}
	e := dotEndpoints(b)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.TokenURL, strings.NewReader(""))
	if err != nil {
		return Endpoints{}, false
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := hc.Do(req)
	if err != nil {
		return Endpoints{}, false
	}
	defer resp.Body.Close()
	var answer struct {
		Error string `json:"error"`
	}
	if json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&answer) != nil || answer.Error == "" {
		return Endpoints{}, false
	}
	return e, true
}

// AuthorizeEndpointMissingError says that nothing answers at the authorize
// endpoint, where a login would send the browser.
type AuthorizeEndpointMissingError struct {
	URL    string
	Status string
}

func (e *AuthorizeEndpointMissingError) Error() string {
	return "no authorization server answered at " + e.URL + " (" + e.Status + "), where the browser would log in"
}

// CheckAuthorizeEndpoint asks the authorize endpoint, before a browser is
// sent there, whether anything answers: a mistyped --auth-url would open
// the browser on an error page and wait for a login in vain. The request
// is a GET without parameters, whose redirect is not followed: Django
// OAuth Toolkit answers it with a redirect to its login page (others, 400),
// and neither logs anyone in. Only 404 and 410 mean "not there"; another
// answer is the browser's to show.
func CheckAuthorizeEndpoint(ctx context.Context, hc *http.Client, authorizeURL string) error {
	if hc == nil {
		hc = http.DefaultClient
	}
	c := http.Client{Timeout: hc.Timeout, Transport: hc.Transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authorizeURL, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "text/html")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone {
		return &AuthorizeEndpointMissingError{URL: req.URL.Redacted(), Status: resp.Status}
	}
	return nil
}
