package dottest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/laymanctl/laymanctl/auth/dottest"
	"golang.org/x/oauth2"
)

// One portal serves every test of the binary; tests that need other options
// start their own.
var (
	shared    *dottest.DOT
	sharedErr error
)

func TestMain(m *testing.M) {
	shared, sharedErr = dottest.Launch(context.Background(), dottest.Options{})
	code := m.Run()
	if shared != nil {
		if err := shared.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}

func portal(t *testing.T) *dottest.DOT {
	t.Helper()
	dottest.Require(t, sharedErr)
	return shared
}

const waitTimeout = 90 * time.Second

// listener plays the client's loopback redirect endpoint: it hands over the
// query of the first callback and answers 400 to an error, as laymanctl does.
type listener struct {
	*httptest.Server
	callbacks chan url.Values
}

func newListener(t *testing.T) *listener {
	l := &listener{callbacks: make(chan url.Values, 1)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /callback", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		select {
		case l.callbacks <- q:
		default:
		}
		if q.Get("error") != "" {
			http.Error(w, "login failed", http.StatusBadRequest)
			return
		}
		fmt.Fprint(w, "<!DOCTYPE html><html><body><h1>Logged in to laymanctl</h1><p>You can close this window.</p></body></html>")
	})
	l.Server = httptest.NewServer(mux)
	t.Cleanup(l.Close)
	return l
}

func (l *listener) redirectURI() string { return l.URL + "/callback" }

func (l *listener) wait(t *testing.T) url.Values {
	t.Helper()
	select {
	case q := <-l.callbacks:
		return q
	case <-time.After(waitTimeout):
		t.Fatal("no callback reached the listener")
		return nil
	}
}

func oauthConfig(d *dottest.DOT, c dottest.Client, redirectURI string) *oauth2.Config {
	e := d.Endpoints()
	style := oauth2.AuthStyleInHeader
	if c.Secret == "" {
		style = oauth2.AuthStyleInParams
	}
	return &oauth2.Config{
		ClientID:     c.ID,
		ClientSecret: c.Secret,
		Endpoint:     oauth2.Endpoint{AuthURL: e.AuthURL, TokenURL: e.TokenURL, AuthStyle: style},
		RedirectURL:  redirectURI,
		Scopes:       []string{"read", "write"},
	}
}

// login runs the authorization-code flow with PKCE through browser and
// returns the exchanged token.
func login(t *testing.T, d *dottest.DOT, c dottest.Client, browser func(string) error) *oauth2.Token {
	t.Helper()
	l := newListener(t)
	conf := oauthConfig(d, c, l.redirectURI())
	verifier := oauth2.GenerateVerifier()
	authURL := conf.AuthCodeURL("state-1", oauth2.S256ChallengeOption(verifier))
	if err := browser(authURL); err != nil {
		t.Fatalf("browser: %v", err)
	}
	q := l.wait(t)
	if q.Get("state") != "state-1" || q.Get("code") == "" {
		t.Fatalf("callback has state %q, code present %v, error %q", q.Get("state"), q.Get("code") != "", q.Get("error"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	tok, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	return tok
}

func wantProfile(t *testing.T, d *dottest.DOT, accessToken string, u dottest.User) {
	t.Helper()
	p, status := d.Profile(t, accessToken)
	if status != http.StatusOK {
		t.Fatalf("profile: HTTP %d", status)
	}
	if p.ScreenName != u.Username || p.EmailAddress != u.Email || p.FirstName != u.FirstName || p.LastName != u.LastName || p.UserID == 0 {
		t.Fatalf("profile = %+v, want the one of %s", p, u.Username)
	}
}
