package auth_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
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
// result can only come from reading it; any other request gets 404.
func metadataServer(t *testing.T, path string, body any) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+path, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(body)
	})
	s := httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func TestDiscoverEndpointsReadsMetadata(t *testing.T) {
	want := auth.Endpoints{AuthURL: "https://idp.example/authz", TokenURL: "https://idp.example/tok", RevokeURL: "https://idp.example/rev", IntrospectURL: "https://idp.example/intro"}
	doc := map[string]string{
		"authorization_endpoint": want.AuthURL, "token_endpoint": want.TokenURL,
		"revocation_endpoint": want.RevokeURL, "introspection_endpoint": want.IntrospectURL,
	}
	for _, path := range []string{"/o/.well-known/openid-configuration", "/o/.well-known/oauth-authorization-server", "/.well-known/oauth-authorization-server/o"} {
		s := metadataServer(t, path, doc)
		got, err := auth.DiscoverEndpoints(t.Context(), s.Client(), s.URL+"/o/")
		if err != nil || got != want {
			t.Errorf("metadata at %s: %+v, %v", path, got, err)
		}
	}
}

func TestDiscoverEndpointsFallsBackToDOT(t *testing.T) {
	// An HTML page, or metadata without a token endpoint, is no metadata.
	for name, s := range map[string]*httptest.Server{
		"html":       httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("<html>portal</html>")) })),
		"incomplete": metadataServer(t, "/o/.well-known/openid-configuration", map[string]string{"authorization_endpoint": "https://idp.example/a"}),
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
