package hostile_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/laymanctl/laymanctl/client"
)

var redirectCodes = []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect}

// credentialCommands send the stored token to Layman (api with a body too).
var credentialCommands = [][]string{
	{"layers", "list"},
	{"auth", "status"},
	{"api", "POST", "rest/workspaces/alice/layers", "-F", "title=" + bodySecret},
	{"api", "GET", "rest/current-user"},
}

// Layman answering 302/307/308 towards another origin (a loopback server,
// or layman.test through the proxy): laymanctl stops, names both origins,
// and neither gets the token or the body (review H1).
func TestLaymanRedirectToAnotherOrigin(t *testing.T) {
	bad, badSrv := evil(t)
	for _, code := range redirectCodes {
		for _, target := range []string{badSrv.URL, "http://layman.test"} {
			w := newWorld(t)
			layman := httptest.NewServer(redirector(code, target, nil))
			w.profile(layman.URL, "")
			w.login(layman.URL, "", false)
			for _, args := range credentialCommands {
				r := w.run("", args...)
				if r.code == 0 || !strings.Contains(r.stderr, client.OriginOf(layman.URL)) || !strings.Contains(r.stderr, client.OriginOf(target)) {
					t.Errorf("%d to %s, %v: %s", code, target, args, r)
				}
			}
			layman.Close()
			bad.expectNothing(t, "the other origin")
			proxy.expectNothing(t, "the proxy (layman.test)")
		}
	}
}

// https to http is leaving the origin too, even towards the same host.
func TestLaymanRedirectHTTPSToHTTP(t *testing.T) {
	bad, badSrv := evil(t)
	w := newWorld(t)
	layman := httptest.NewTLSServer(redirector(http.StatusTemporaryRedirect, badSrv.URL, nil))
	defer layman.Close()
	w.profile(layman.URL, "", "ca_file: "+caFile(t, layman))
	w.login(layman.URL, "", false)
	for _, args := range credentialCommands {
		if r := w.run("", args...); r.code == 0 || !strings.Contains(r.stderr, "redirected") {
			t.Errorf("%v: %s", args, r)
		}
	}
	bad.expectNothing(t, "the http origin")
}

// A redirect within the origin is followed, with the token.
func TestLaymanSameOriginRedirect(t *testing.T) {
	w := newWorld(t)
	// Location "/real/..." is relative: the same origin.
	layman := httptest.NewServer(redirector(http.StatusTemporaryRedirect, "/real", http.StripPrefix("/real", fakeLayman(accessToken))))
	defer layman.Close()
	w.profile(layman.URL, "")
	w.login(layman.URL, "", false)
	if r := w.run("", "auth", "status"); r.code != 0 || !strings.Contains(r.stdout, "alive") {
		t.Errorf("auth status: %s", r)
	}
	if r := w.run("", "api", "GET", "rest/current-user"); r.code != 0 || !strings.Contains(r.stdout, `"authenticated"`) {
		t.Errorf("api: %s", r)
	}
}

// The token endpoint follows no redirect: the refresh token goes nowhere
// else (review H1, repro 4).
func TestTokenEndpointRedirects(t *testing.T) {
	bad, badSrv := evil(t)
	for _, code := range redirectCodes {
		for _, tls := range []bool{false, true} {
			w := newWorld(t)
			h := redirector(code, badSrv.URL, nil)
			as := httptest.NewServer(h)
			extra := []string{}
			if tls {
				as.Close()
				as = httptest.NewTLSServer(h)
				extra = append(extra, "ca_file: "+caFile(t, as))
			}
			w.profile("http://127.0.0.1:1", as.URL+"/o/", extra...)
			w.login("http://127.0.0.1:1", as.URL+"/o/token/", true)
			if r := w.run("", "auth", "refresh"); r.code == 0 || !strings.Contains(r.stderr, "redirect") {
				t.Errorf("%d (tls %v): %s", code, tls, r)
			}
			as.Close()
		}
	}
	bad.expectNothing(t, "the other origin")
}

// Discovery: a redirect to another origin is refused; a same-origin one
// (Django's trailing slash) is followed; metadata naming a token endpoint
// elsewhere is refused (review L9). The refresh token from stdin reaches
// only the authorization server's own token endpoint.
func TestDiscovery(t *testing.T) {
	bad, badSrv := evil(t)
	layman := httptest.NewServer(fakeLayman("AT-NEW"))
	defer layman.Close()

	w := newWorld(t)
	as := httptest.NewServer(redirector(http.StatusFound, badSrv.URL, nil))
	r := w.run(refreshToken, "auth", "login", "--with-token", "--server", layman.URL, "--auth-url", as.URL+"/o/")
	if r.code == 0 || !strings.Contains(r.stderr, "redirected") {
		t.Errorf("cross-origin discovery redirect: %s", r)
	}
	as.Close()

	var mu sync.Mutex // the handlers run on the server's goroutines
	var tokenRequests []string
	var asURL, tokenAt string
	mux := http.NewServeMux()
	mux.HandleFunc("GET /o/.well-known/openid-configuration", func(rw http.ResponseWriter, r *http.Request) {
		http.Redirect(rw, r, "/o/.well-known/openid-configuration/", http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET /o/.well-known/openid-configuration/", func(rw http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		rw.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(rw, `{"issuer":%q,"authorization_endpoint":%q,"token_endpoint":%q,"revocation_endpoint":%q}`,
			asURL+"/o", asURL+"/o/authorize/", tokenAt+"/o/token/", asURL+"/o/revoke_token/")
	})
	mux.HandleFunc("POST /o/token/", func(rw http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		mu.Lock()
		tokenRequests = append(tokenRequests, r.PostForm.Get("refresh_token"))
		mu.Unlock()
		rw.Header().Set("Content-Type", "application/json")
		fmt.Fprint(rw, `{"access_token":"AT-NEW","refresh_token":"RT-NEW","token_type":"Bearer","expires_in":3600}`)
	})
	good := httptest.NewServer(mux)
	defer good.Close()
	set := func(token string) {
		mu.Lock()
		defer mu.Unlock()
		asURL, tokenAt = good.URL, token
	}

	// Metadata naming a token endpoint on another origin.
	set(badSrv.URL)
	w = newWorld(t)
	r = w.run(refreshToken, "auth", "login", "--with-token", "--server", layman.URL, "--auth-url", good.URL+"/o/")
	if r.code == 0 || !strings.Contains(r.stderr, "outside") {
		t.Errorf("foreign token endpoint: %s", r)
	}
	bad.expectNothing(t, "the other origin")

	// The same-origin redirect is followed and the login completes.
	set(good.URL)
	w = newWorld(t)
	r = w.run(refreshToken, "auth", "login", "--with-token", "--server", layman.URL, "--auth-url", good.URL+"/o/")
	mu.Lock()
	defer mu.Unlock()
	if r.code != 0 || len(tokenRequests) != 1 || tokenRequests[0] != refreshToken {
		t.Errorf("same-origin discovery redirect: %s\ntoken requests: %q", r, tokenRequests)
	}
}

// --server, LAYMAN_SERVER or a changed profile pointing elsewhere: every
// command that would send the stored token refuses, before any request
// (review M1, L1).
func TestServerMismatch(t *testing.T) {
	bad, badSrv := evil(t)
	own, ownSrv := evil(t)
	commands := append([][]string{{"auth", "logout"}, {"maps", "list"}, {"users", "list"}, {"publications", "list"}}, credentialCommands...)
	for _, how := range []string{"flag", "env", "config"} {
		w := newWorld(t)
		for _, args := range commands {
			if how == "config" && args[1] == "logout" {
				continue // logout goes to the server logged in to: right
			}
			w.profile(ownSrv.URL, "")
			w.login(ownSrv.URL, "", false)
			switch how {
			case "flag":
				args = append([]string{"--server", badSrv.URL}, args...)
			case "env":
				t.Setenv("LAYMAN_SERVER", badSrv.URL)
			case "config":
				w.profile(badSrv.URL, "")
			}
			if r := w.run("", args...); r.code != 4 || !strings.Contains(r.stderr, "not sent elsewhere") {
				t.Errorf("%s %v: %s", how, args, r)
			}
		}
		t.Setenv("LAYMAN_SERVER", "")
	}
	bad.expectNothing(t, "the --server named")
	own.expectNothing(t, "the server logged in to")

	// A set stored before the server was recorded belongs to the profile's.
	w := newWorld(t)
	w.profile(ownSrv.URL, "")
	w.login("", "", false)
	if r := w.run("", "--server", badSrv.URL, "auth", "status"); r.code != 4 {
		t.Errorf("old set: %s", r)
	}
	bad.expectNothing(t, "the --server named")
}

// Plain HTTP to a host other than loopback is refused before the password
// grant, for the Layman server and the authorization server alike; names
// that only look like loopback are not loopback (review M2).
func TestPlainHTTPRefusedBeforePasswordGrant(t *testing.T) {
	loopback := httptest.NewServer(fakeLayman(accessToken))
	defer loopback.Close()
	for _, c := range []struct{ server, authURL string }{
		{"http://layman.test", "http://layman.test/o/"},
		{loopback.URL, "http://layman.test/o/"},
		{"http://127.evil.test", "https://layman.test/o/"},
	} {
		w := newWorld(t)
		t.Setenv("LAYMAN_USERNAME", "ci")
		t.Setenv("LAYMAN_PASSWORD", password)
		t.Setenv("LAYMAN_AUTH_URL", c.authURL)
		r := w.run("", "--server", c.server, "api", "GET", "rest/current-user")
		if r.code != 2 || !strings.Contains(r.stderr, "refusing plain HTTP") || !strings.Contains(r.stderr, "--insecure-http") {
			t.Errorf("%+v: %s", c, r)
		}
		proxy.expectNothing(t, "the proxy")
	}

	// Opted in: the request goes out, with a warning.
	w := newWorld(t)
	t.Setenv("LAYMAN_USERNAME", "ci")
	t.Setenv("LAYMAN_PASSWORD", password)
	t.Setenv("LAYMAN_AUTH_URL", "http://layman.test/o/")
	r := w.run("", "--insecure-http", "--server", "http://layman.test", "api", "GET", "rest/current-user")
	if !strings.Contains(r.stderr, "warning: plain HTTP to http://layman.test:80") || len(proxy.requests()) == 0 {
		t.Errorf("--insecure-http: %s\nproxy: %q", r, proxy.requests())
	}
}

// A server that accepts the connection and never answers: each command
// ends with exit 1 and a message naming the server and the timeout.
func TestHungEndpoints(t *testing.T) {
	short := client.Timeouts{Connect: time.Second, TLS: time.Second, ResponseHeader: time.Second, Progress: time.Second, Request: 2 * time.Second}

	w := newWorld(t)
	w.timeouts = short
	layman := hung(t)
	w.profile(layman, "")
	w.login(layman, "", false)
	r := w.run("", "layers", "list")
	if r.code != 1 || !strings.Contains(r.stderr, client.OriginOf(layman)) || !strings.Contains(r.stderr, "within 1s") {
		t.Errorf("hung Layman: %s", r)
	}

	w = newWorld(t)
	w.timeouts = short
	as := hung(t)
	w.profile("http://127.0.0.1:1", as+"/o/")
	w.login("http://127.0.0.1:1", as+"/o/token/", true)
	r = w.run("", "auth", "refresh")
	if r.code != 1 || !strings.Contains(r.stderr, client.OriginOf(as)) || !strings.Contains(r.stderr, "within 1s") {
		t.Errorf("hung token endpoint: %s", r)
	}
}

// `api PATH` names a request below the server URL, absolute or not; any
// spelling that leaves the origin (another host or port, a
// scheme-relative //host, a userinfo trick, https instead of http, a
// non-loopback name through the proxy) is refused before anything is sent.
func TestAPIPathLeavingTheOrigin(t *testing.T) {
	bad, badSrv := evil(t)
	w := newWorld(t)
	layman := newRecorder()
	layman.next = fakeLayman(accessToken)
	laymanSrv := httptest.NewServer(layman)
	defer laymanSrv.Close()
	w.profile(laymanSrv.URL, "")
	w.login(laymanSrv.URL, "", false)
	badHost := strings.TrimPrefix(badSrv.URL, "http://")
	laymanHost := strings.TrimPrefix(laymanSrv.URL, "http://")
	for _, path := range []string{
		badSrv.URL + "/rest/current-user",
		"//" + badHost + "/rest/current-user",
		laymanSrv.URL + "@" + badHost + "/rest/current-user",
		"https://" + laymanHost + "/rest/current-user",
		"https://layman.test/rest/current-user",
	} {
		if r := w.run("", "api", "GET", path); r.code != 2 || !strings.Contains(r.stderr, "not below the server URL") {
			t.Errorf("api GET %s: %s", path, r)
		}
	}
	bad.expectNothing(t, "the other origin")
	proxy.expectNothing(t, "the proxy (layman.test)")
	layman.expectNothing(t, "Layman (https instead of http)")
	if r := w.run("", "api", "GET", laymanSrv.URL+"/rest/current-user"); r.code != 0 || len(layman.requests()) != 1 {
		t.Errorf("api GET with the server's own absolute URL: %s", r)
	}
}
