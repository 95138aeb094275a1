package authtest

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// GrantDeviceCode is the RFC 8628 grant type at the token endpoint.
const GrantDeviceCode = "urn:ietf:params:oauth:grant-type:device_code"

// DevicePath is where the fake serves RFC 8628 device authorization when
// Options.DeviceFlow is set, under Prefix as DOT does.
const DevicePath = "device-authorization/"

// deviceGrant is one device authorization waiting for the person.
type deviceGrant struct {
	clientID, scope, userCode string
	expires                   time.Time
	username                  string // set once approved
	denied, used              bool
}

// handleDeviceAuthorization is RFC 8628 section 3.1-3.2.
func (s *Server) handleDeviceAuthorization(w http.ResponseWriter, r *http.Request, client *Client) {
	if !client.allows(GrantDeviceCode) {
		writeOAuthError(w, &oauthError{status: http.StatusBadRequest, Code: "unauthorized_client"})
		return
	}
	scope := strings.Join(strings.Fields(r.PostForm.Get("scope")), " ")
	if scope == "" {
		scope = defaultScope
	}
	deviceCode := randomToken()
	h := sha256.Sum256([]byte(deviceCode))
	userCode := fmt.Sprintf("%X-%X", h[:2], h[2:4])
	s.devices[deviceCode] = &deviceGrant{clientID: client.ID, scope: scope, userCode: userCode, expires: s.clock.Now().Add(10 * time.Minute)}
	verify := s.URL + Prefix + "device/"
	writeJSON(w, http.StatusOK, map[string]any{
		"device_code": deviceCode, "user_code": userCode,
		"verification_uri": verify, "verification_uri_complete": verify + "?user_code=" + userCode,
		"expires_in": 600, "interval": 1,
	})
}

// ApproveDevice is the person entering userCode at the verification page
// and allowing access as username; it reports whether the code was known.
func (s *Server) ApproveDevice(userCode, username string) bool {
	return s.decideDevice(userCode, func(g *deviceGrant) { g.username = username })
}

// DenyDevice is the person refusing access for userCode.
func (s *Server) DenyDevice(userCode string) bool {
	return s.decideDevice(userCode, func(g *deviceGrant) { g.denied = true })
}

func (s *Server) decideDevice(userCode string, decide func(*deviceGrant)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range s.devices {
		if g.userCode == userCode && !g.used {
			decide(g)
			return true
		}
	}
	return false
}

// deviceTokenLocked is the token request of RFC 8628 section 3.4-3.5.
func (s *Server) deviceTokenLocked(client *Client, r *http.Request) (tokenResponse, *oauthError) {
	g := s.devices[r.PostForm.Get("device_code")]
	switch {
	case g == nil || g.used || g.clientID != client.ID:
		return tokenResponse{}, invalidGrant("")
	case !s.clock.Now().Before(g.expires):
		return tokenResponse{}, &oauthError{status: http.StatusBadRequest, Code: "expired_token"}
	case g.denied:
		return tokenResponse{}, &oauthError{status: http.StatusBadRequest, Code: "access_denied"}
	case g.username == "":
		return tokenResponse{}, &oauthError{status: http.StatusBadRequest, Code: "authorization_pending"}
	}
	g.used = true
	return s.issueLocked(client.ID, g.username, g.scope), nil
}
