package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/laymanctl/laymanctl/client"
)

// DiscoverEndpoints finds the endpoints of the authorization server mounted at
// authURL (Django OAuth Toolkit's base such as https://host/o/; its authorize
// URL is accepted too). It reads OIDC or RFC 8414 metadata when published
// and otherwise assumes DOT's layout: authorize/, token/, revoke_token/,
// introspect/.
func DiscoverEndpoints(ctx context.Context, hc *http.Client, authURL string) (Endpoints, error) {
	base, err := authBase(authURL)
	if err != nil {
		return Endpoints{}, err
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	root := &url.URL{Scheme: base.Scheme, Host: base.Host}
	path := strings.TrimSuffix(base.Path, "/")
	candidates := []string{
		base.String() + ".well-known/openid-configuration",
		base.String() + ".well-known/oauth-authorization-server",
		root.String() + "/.well-known/oauth-authorization-server" + path, // RFC 8414 section 3.1
	}
	for _, c := range candidates {
		e, found, err := fetchMetadata(ctx, hc, c, base)
		if err != nil {
			return Endpoints{}, err
		}
		if found {
			return e, nil
		}
	}
	return dotEndpoints(base), nil
}

// ConventionalEndpoints assumes Django OAuth Toolkit's layout under authURL
// without asking the server: what scripts use (LAYMAN_AUTH_URL) to spare a
// discovery round trip on every invocation.
func ConventionalEndpoints(authURL string) (Endpoints, error) {
	base, err := authBase(authURL)
	if err != nil {
		return Endpoints{}, err
	}
	return dotEndpoints(base), nil
}

func dotEndpoints(base *url.URL) Endpoints {
	b := base.String()
	return Endpoints{AuthURL: b + "authorize/", TokenURL: b + "token/", RevokeURL: b + "revoke_token/", IntrospectURL: b + "introspect/"}
}

// authBase normalises authURL to a base ending in "/", dropping a trailing
// authorize segment.
func authBase(authURL string) (*url.URL, error) {
	u, err := url.Parse(authURL)
	if err != nil {
		return nil, fmt.Errorf("authorization server URL: %w", err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("authorization server URL %q: want an absolute http(s) URL", authURL)
	}
	u.RawQuery, u.Fragment = "", ""
	p := strings.TrimSuffix(u.Path, "/")
	p = strings.TrimSuffix(p, "/authorize")
	u.Path = p + "/"
	u.RawPath = ""
	return u, nil
}

type serverMetadata struct {
	Issuer                string `json:"issuer"`
	AuthorizationEndpoint string `json:"authorization_endpoint"`
	TokenEndpoint         string `json:"token_endpoint"`
	RevocationEndpoint    string `json:"revocation_endpoint"`
	IntrospectionEndpoint string `json:"introspection_endpoint"`
	DeviceEndpoint        string `json:"device_authorization_endpoint"`
}

// fetchMetadata reports found=false when no usable document is there; a
// server that cannot be reached at all is an error, and so is a document
// that names another issuer than base (RFC 8414 section 3.3) or endpoints
// on another origin: metadata must not send the tokens elsewhere.
func fetchMetadata(ctx context.Context, hc *http.Client, docURL string, base *url.URL) (e Endpoints, found bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, docURL, nil)
	if err != nil {
		return Endpoints{}, false, fmt.Errorf("discovering endpoints: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return Endpoints{}, false, fmt.Errorf("discovering endpoints: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Endpoints{}, false, nil
	}
	var m serverMetadata
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&m); err != nil {
		return Endpoints{}, false, nil // an HTML page at that path: no metadata
	}
	e = Endpoints{AuthURL: m.AuthorizationEndpoint, TokenURL: m.TokenEndpoint, RevokeURL: m.RevocationEndpoint, IntrospectURL: m.IntrospectionEndpoint}
	if !absoluteHTTP(e.AuthURL) || !absoluteHTTP(e.TokenURL) {
		return Endpoints{}, false, nil
	}
	e.DeviceAuthURL = m.DeviceEndpoint
	if !optionalHTTP(e.RevokeURL) || !optionalHTTP(e.IntrospectURL) || !optionalHTTP(e.DeviceAuthURL) {
		return Endpoints{}, false, errors.New("discovering endpoints: metadata at " + docURL + " lists a non-http(s) endpoint")
	}
	want := strings.TrimSuffix(base.String(), "/")
	if strings.TrimSuffix(m.Issuer, "/") != want {
		return Endpoints{}, false, fmt.Errorf("discovering endpoints: metadata at %s names the issuer %q, not %s (RFC 8414 section 3.3); it is not used", docURL, m.Issuer, want)
	}
	for _, u := range []string{e.AuthURL, e.TokenURL, e.RevokeURL, e.IntrospectURL} {
		if u != "" && client.OriginOf(u) != client.Origin(base) {
			return Endpoints{}, false, fmt.Errorf("discovering endpoints: metadata at %s lists the endpoint %s, outside %s; it is not used", docURL, u, client.Origin(base))
		}
	}
	return e, true, nil
}

func absoluteHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

func optionalHTTP(s string) bool { return s == "" || absoluteHTTP(s) }
