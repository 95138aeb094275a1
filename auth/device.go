package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"golang.org/x/oauth2"
)

// ErrNoDeviceFlow says the authorization server does not advertise RFC
// 8628 device authorization.
var ErrNoDeviceFlow = errors.New("the authorization server does not offer the device flow (no device_authorization_endpoint in its metadata)")

// DeviceLoginOptions configure an RFC 8628 device login.
type DeviceLoginOptions struct {
	Endpoints    Endpoints
	ClientID     string
	ClientSecret string
	Scopes       []string
	// Stderr receives the verification address and the user code.
	Stderr     io.Writer
	HTTPClient *http.Client
}

// DeviceLogin asks for a user code, shows it with the address where the
// person enters it on any device, and polls the token endpoint at the
// server's interval until they approve, refuse, or the code expires (or
// ctx ends).
func DeviceLogin(ctx context.Context, o DeviceLoginOptions) (*TokenSet, error) {
	if o.Endpoints.DeviceAuthURL == "" {
		return nil, ErrNoDeviceFlow
	}
	stderr := o.Stderr
	if stderr == nil {
		stderr = io.Discard
	}
	if o.HTTPClient != nil {
		ctx = context.WithValue(ctx, oauth2.HTTPClient, o.HTTPClient)
	}
	cfg := &oauth2.Config{
		ClientID: o.ClientID, ClientSecret: o.ClientSecret, Scopes: o.Scopes,
		Endpoint: oauth2.Endpoint{DeviceAuthURL: o.Endpoints.DeviceAuthURL, TokenURL: o.Endpoints.TokenURL, AuthStyle: oauth2.AuthStyleInParams},
	}
	da, err := cfg.DeviceAuth(ctx)
	if err != nil {
		return nil, fmt.Errorf("asking for a device code: %w", tokenEndpointError(err))
	}
	// The user code is meant to be read and typed by the person; the
	// device code is never shown.
	fmt.Fprintf(stderr, "On any device, open\n\n  %s\n\nand enter the code  %s\n\n", da.VerificationURI, da.UserCode)
	if da.VerificationURIComplete != "" {
		fmt.Fprintf(stderr, "(or open %s)\n", da.VerificationURIComplete)
	}
	fmt.Fprintln(stderr, "Waiting for you to allow access…")
	tok, err := cfg.DeviceAccessToken(ctx, da)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("login interrupted: %w", ctx.Err())
		}
		return nil, fmt.Errorf("device login: %w", tokenEndpointError(err))
	}
	// Polling may have taken minutes: the answer's time is the closest to
	// the issue time known.
	return mergeToken(&TokenSet{}, tok, SystemClock.Now()), nil
}
