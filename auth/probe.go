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
