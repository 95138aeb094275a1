package auth

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"golang.org/x/oauth2"
)

// TokenEndpointError is a failed token request told in one line: the OAuth2
// error and its description, or the HTTP status. x/oauth2's own message
// carries the whole response body, which may be a server's HTML error page.
type TokenEndpointError struct {
	Status      int
	Code        string
	Description string
	err         *oauth2.RetrieveError
}

func (e *TokenEndpointError) Error() string {
	var msg string
	switch {
	case e.Code != "" && e.Description != "":
		msg = fmt.Sprintf("the authorization server refused: %s (%s)", e.Code, e.Description)
	case e.Code != "":
		msg = "the authorization server refused: " + e.Code
	default:
		return fmt.Sprintf("the authorization server answered HTTP %d %s", e.Status, http.StatusText(e.Status))
	}
	if step := e.nextStep(); step != "" {
		msg += "; " + step
	}
	return msg
}

// ClientRefused reports a refusal of the client itself (unknown id, wrong
// secret, grant not allowed): an authentication failure, not a fault.
func (e *TokenEndpointError) ClientRefused() bool { return clientRefused(e.Code) }

func clientRefused(code string) bool {
	return code == "invalid_client" || code == "unauthorized_client"
}

// nextStep says what to do about refusals that a setting causes.
func (e *TokenEndpointError) nextStep() string {
	switch {
	case e.Code == "invalid_client":
		return "check the client id (--client-id at login, or the profile's client_id) and, for a confidential client, its secret"
	case e.Code == "unauthorized_client":
		return "the client's registration at the authorization server must allow this grant type; check the client id (--client-id at login, or the profile's client_id)"
	case strings.Contains(strings.ToLower(e.Description), "redirect uri"):
		return RedirectURIAdvice
	}
	return ""
}

// RedirectURIAdvice is what fixes a redirect URI mismatch at the
// authorization server.
const RedirectURIAdvice = "the client must be registered with the redirect URI http://127.0.0.1/callback (no port: any port matches, RFC 8252)"

// Unwrap keeps the x/oauth2 error reachable with errors.As.
func (e *TokenEndpointError) Unwrap() error { return e.err }

// tokenEndpointError replaces an *oauth2.RetrieveError in err by a
// TokenEndpointError; other errors (network failures) pass unchanged.
func tokenEndpointError(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return err
	}
	e := &TokenEndpointError{Code: re.ErrorCode, Description: re.ErrorDescription, err: re}
	if re.Response != nil {
		e.Status = re.Response.StatusCode
	}
	return e
}
