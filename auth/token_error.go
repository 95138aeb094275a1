package auth

import (
	"errors"
	"fmt"
	"net/http"

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
	switch {
	case e.Code != "" && e.Description != "":
		return fmt.Sprintf("the authorization server refused: %s (%s)", e.Code, e.Description)
	case e.Code != "":
		return "the authorization server refused: " + e.Code
	}
	return fmt.Sprintf("the authorization server answered HTTP %d %s", e.Status, http.StatusText(e.Status))
}

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
