package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/auth"
	"github.com/laymanctl/laymanctl/auth/authtest"
)

func TestDiscoverEndpointsWithFake(t *testing.T) {
	for name, d := range map[string]authtest.Discovery{"none": authtest.NoDiscovery, "openid": authtest.OpenIDDiscovery, "rfc8414": authtest.OAuthDiscovery} {
		t.Run(name, func(t *testing.T) {
			s := authtest.New(t, authtest.Options{Discovery: d})
			for _, in := range []string{s.BaseURL(), s.URL + "/o", s.Endpoints().AuthURL, s.URL + "/o/authorize"} {
				got, err := auth.DiscoverEndpoints(t.Context(), nil, in)
				if err != nil {
					t.Fatalf("DiscoverEndpoints(%s): %v", in, err)
				}
				if got != s.Endpoints() {
					t.Errorf("DiscoverEndpoints(%s) = %+v, want %+v", in, got, s.Endpoints())
				}
			}
			o := auth.LoginOptions{Endpoints: s.Endpoints(), ClientID: authtest.DefaultClientID, Browser: s.Browser()}
			if _, err := auth.Login(t.Context(), o); err != nil {
				t.Fatalf("login with discovered endpoints: %v", err)
			}
		})
	}
}

// metadataServer publishes distinct endpoints at one well-known path, so a
// result can only come from reading it; any other request gets 404. body
// gets the server's URL.
func metadataServer(t *testing.T, path string, body func(url string) any) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	var s *httptest.Server
	mux.HandleFunc("GET "+path, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(body(s.URL))
	})
	s = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// endpointsAt are distinct endpoints on the server at u.
func endpointsAt(u string) auth.Endpoints {
	return auth.Endpoints{AuthURL: u + "/authz", TokenURL: u + "/tok", RevokeURL: u + "/rev", IntrospectURL: u + "/intro"}
}

func metadataDoc(issuer string, e auth.Endpoints) map[string]string {
	return map[string]string{
		"issuer":                 issuer,
		"authorization_endpoint": e.AuthURL, "token_endpoint": e.TokenURL,
		"revocation_endpoint": e.RevokeURL, "introspection_endpoint": e.IntrospectURL,
	}
}

func TestDiscoverEndpointsReadsMetadata(t *testing.T) {
	for _, path := range []string{"/o/.well-known/openid-configuration", "/o/.well-known/oauth-authorization-server", "/.well-known/oauth-authorization-server/o"} {
		s := metadataServer(t, path, func(u string) any { return metadataDoc(u+"/o", endpointsAt(u)) })
		got, err := auth.DiscoverEndpoints(t.Context(), s.Client(), s.URL+"/o/")
		if want := endpointsAt(s.URL); err != nil || got != want {
			t.Errorf("metadata at %s: %+v, %v", path, got, err)
		}
	}
}

// RFC 8414 section 3.3: metadata naming another issuer, or endpoints on
// another origin, is refused rather than used or ignored.
func TestDiscoverEndpointsRefusesForeignMetadata(t *testing.T) {
	const path = "/o/.well-known/openid-configuration"
	for name, doc := range map[string]func(u string) any{
		"other issuer": func(u string) any { return metadataDoc("http://127.0.0.1:1/o", endpointsAt(u)) },
		"no issuer":    func(u string) any { return metadataDoc("", endpointsAt(u)) },
		"foreign token": func(u string) any {
			e := endpointsAt(u)
			e.TokenURL = "http://localhost:1/steal/token/"
			return metadataDoc(u+"/o", e)
		},
		"foreign revoke": func(u string) any {
			e := endpointsAt(u)
			e.RevokeURL = "https://evil.test/rev"
			return metadataDoc(u+"/o", e)
		},
	} {
		s := metadataServer(t, path, doc)
		if got, err := auth.DiscoverEndpoints(t.Context(), s.Client(), s.URL+"/o/"); err == nil {
			t.Errorf("%s: %+v, want an error", name, got)
		}
	}
}

func TestDiscoverEndpointsFallsBackToDOT(t *testing.T) {
	// An HTML page, or metadata without a token endpoint, is no metadata.
	for name, s := range map[string]*httptest.Server{
		"html":       httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("<html>portal</html>")) })),
		"incomplete": metadataServer(t, "/o/.well-known/openid-configuration", func(string) any { return map[string]string{"authorization_endpoint": "https://idp.example/a"} }),
	} {
		got, err := auth.DiscoverEndpoints(t.Context(), s.Client(), s.URL+"/o/")
		s.Close()
		want := auth.Endpoints{AuthURL: s.URL + "/o/authorize/", TokenURL: s.URL + "/o/token/", RevokeURL: s.URL + "/o/revoke_token/", IntrospectURL: s.URL + "/o/introspect/"}
		if err != nil || got != want {
			t.Errorf("%s: %+v, %v; want DOT layout", name, got, err)
		}
	}
}

func TestDiscoverEndpointsErrors(t *testing.T) {
	s := httptest.NewServer(http.NotFoundHandler())
	unreachable := s.URL + "/o/"
	s.Close()
	for _, in := range []string{unreachable, "ftp://idp.example/o/", "/o/", "http://"} {
		if got, err := auth.DiscoverEndpoints(t.Context(), nil, in); err == nil {
			t.Errorf("DiscoverEndpoints(%q) = %+v, want an error", in, got)
		}
	}
}

// The URL that answered 404 is named, without a password it may carry.
func TestAuthorizeEndpointMissing(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	at := strings.Replace(srv.URL, "http://", "http://user:pw-s3cr3t@", 1) + "/authorize/"
	var missing *auth.AuthorizeEndpointMissingError
	err := auth.CheckAuthorizeEndpoint(context.Background(), nil, at)
	if !errors.As(err, &missing) || missing.URL != strings.Replace(at, "pw-s3cr3t", "xxxxx", 1) || strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("got %v", err)
	}
}
