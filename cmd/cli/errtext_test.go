package cli

import (
	"errors"
	"fmt"
	"net/url"
	"syscall"
	"testing"

	"github.com/laymanctl/laymanctl/auth"
)

func TestErrorText(t *testing.T) {
	refused := &url.Error{Op: "Post", URL: "http://127.0.0.1:1/o/token/", Err: syscall.ECONNREFUSED}
	cases := []struct {
		err  error
		want string
	}{
		{&url.Error{Op: "Get", URL: "http://127.0.0.1:1/rest/layers", Err: syscall.ECONNREFUSED},
			"cannot reach http://127.0.0.1:1: connection refused"},
		{fmt.Errorf("detecting the Layman API generation: %w", &url.Error{Op: "Get", URL: "https://l.example/rest/about/version", Err: errors.New("http: server gave HTTP response to HTTPS client")}),
			"detecting the Layman API generation: https://l.example: http: server gave HTTP response to HTTPS client"},
		{&url.Error{Op: "Get", URL: "http://layman/rest/layers", Err: &auth.LoginRequiredError{Reason: "not logged in"}},
			"not logged in; run `laymanctl auth login`"},
		// The token endpoint, not Layman, is the one that could not be reached.
		{&url.Error{Op: "Get", URL: "http://layman/rest/layers", Err: fmt.Errorf("refreshing the access token: %w", refused)},
			"http://layman: refreshing the access token: cannot reach http://127.0.0.1:1: connection refused"},
		{errors.New("plain"), "plain"},
	}
	for _, c := range cases {
		if got := ErrorText(c.err); got != c.want {
			t.Errorf("got  %s\nwant %s", got, c.want)
		}
	}
}
