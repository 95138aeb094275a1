package cli

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/laymanctl/laymanctl/auth"
	"github.com/laymanctl/laymanctl/client"
)

// ErrorText words an error for people. Every `Get "URL": ...` that
// http.Client puts in the chain becomes the host it concerns ("cannot reach
// HOST: ..." for a network failure), or disappears before an error of
// laymanctl's own auth layer, which says all there is to say.
func ErrorText(err error) string {
	msg := err.Error()
	for e := err; e != nil; e = errors.Unwrap(e) {
		ue, ok := e.(*url.Error)
		if !ok {
			continue
		}
		prefix := fmt.Sprintf("%s %q: ", ue.Op, ue.URL)
		msg = strings.Replace(msg, prefix, urlErrorPrefix(ue), 1)
	}
	return msg
}

func urlErrorPrefix(ue *url.Error) string {
	var loginRequired *auth.LoginRequiredError
	var tokenErr *auth.TokenEndpointError
	var timeout *client.TimeoutError
	// These name the server themselves.
	if errors.As(ue.Err, &loginRequired) || errors.As(ue.Err, &tokenErr) || errors.As(ue.Err, &timeout) ||
		errors.Is(ue.Err, client.ErrPlainHTTP) || errors.Is(ue.Err, client.ErrRedirectRefused) {
		return ""
	}
	host := ue.URL
	if u, err := url.Parse(ue.URL); err == nil {
		host = u.Scheme + "://" + u.Host
	}
	// A failure of a nested request (the token endpoint's, during a
	// refresh) is that request's, not this host's.
	var nested *url.Error
	if !errors.As(ue.Err, &nested) && client.IsNetworkError(ue.Err) {
		return "cannot reach " + host + ": "
	}
	return host + ": "
}
