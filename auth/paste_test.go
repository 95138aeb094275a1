package auth_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/auth/authtest"
)

// redirectOf is what the browser's address bar shows after the
// authorization server sent it to the listener: the redirect, undelivered.
func redirectOf(t *testing.T, authURL string) string {
	t.Helper()
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil {
		t.Fatalf("no redirect from the authorization endpoint: %v", err)
	}
	return loc.String()
}

func TestLoginTakesThePastedRedirectAddress(t *testing.T) {
	s := authtest.New(t, authtest.Options{})
	urls := make(handBrowser, 1)
	in, paste := io.Pipe()
	defer paste.Close()
	stderr := &lockedBuffer{}
	o := options(s, urls, stderr)
	o.Paste = in
	done := startLogin(context.Background(), o)
	authURL := receive(t, urls, "the authorization URL")
	redirect := redirectOf(t, authURL)

	// A stray line, and an address of another login, are refused; the
	// login goes on.
	other, _ := url.Parse(redirect)
	q := other.Query()
	q.Set("state", "someone-elses")
	other.RawQuery = q.Encode()
	for _, line := range []string{"hello", other.String(), redirect} {
		if _, err := io.WriteString(paste, line+"\n"); err != nil {
			t.Fatal(err)
		}
	}
	res := receive(t, done, "the login")
	if res.err != nil || res.ts == nil || res.ts.AccessToken == "" || res.ts.RefreshToken == "" {
		t.Fatalf("login: %+v", res)
	}
	out := stderr.String()
	for _, want := range []string{"paste it here", "that is not the address of the /callback page", "belongs to another login"} {
		if !strings.Contains(out, want) {
			t.Errorf("stderr lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, q.Get("code")) {
		t.Error("stderr shows the authorization code")
	}
}

func TestLoginTakesTheCallbackWhilePasteWaits(t *testing.T) {
	s := authtest.New(t, authtest.Options{})
	in, paste := io.Pipe()
	defer paste.Close()
	o := options(s, s.Browser(), &lockedBuffer{})
	o.Paste = in
	res := receive(t, startLogin(context.Background(), o), "the login")
	if res.err != nil || res.ts == nil || res.ts.AccessToken == "" {
		t.Fatalf("login: %+v", res)
	}
}
