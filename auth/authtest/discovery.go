package authtest

import "net/http"

// metadata is the subset of RFC 8414 / OIDC discovery clients read.
type metadata struct {
	Issuer                string   `json:"issuer"`
	AuthorizationEndpoint string   `json:"authorization_endpoint"`
	TokenEndpoint         string   `json:"token_endpoint"`
	RevocationEndpoint    string   `json:"revocation_endpoint"`
	IntrospectionEndpoint string   `json:"introspection_endpoint"`
	DeviceEndpoint        string   `json:"device_authorization_endpoint,omitempty"`
	ResponseTypes         []string `json:"response_types_supported"`
	GrantTypes            []string `json:"grant_types_supported"`
	CodeChallengeMethods  []string `json:"code_challenge_methods_supported"`
	ScopesSupported       []string `json:"scopes_supported"`
}

func (s *Server) handleMetadata(w http.ResponseWriter, _ *http.Request) {
	e := s.Endpoints()
	grants := []string{GrantAuthorizationCode, GrantRefreshToken, GrantPassword}
	if s.deviceFlow {
		grants = append(grants, GrantDeviceCode)
	}
	writeJSON(w, http.StatusOK, metadata{
		DeviceEndpoint:        e.DeviceAuthURL,
		Issuer:                s.URL + Prefix[:len(Prefix)-1],
		AuthorizationEndpoint: e.AuthURL,
		TokenEndpoint:         e.TokenURL,
		RevocationEndpoint:    e.RevokeURL,
		IntrospectionEndpoint: e.IntrospectURL,
		ResponseTypes:         []string{"code"},
		GrantTypes:            grants,
		CodeChallengeMethods:  []string{"S256"},
		ScopesSupported:       knownScopes,
	})
}
