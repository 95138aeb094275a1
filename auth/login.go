package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/oauth2"
)

// ErrLoginTimeout ends a login whose callback did not arrive in time.
var ErrLoginTimeout = errors.New("login timed out")

// DefaultLoginTimeout bounds the wait for the browser's callback.
const DefaultLoginTimeout = 5 * time.Minute

// LoginOptions configure an interactive Authorization Code + PKCE login.
type LoginOptions struct {
	Endpoints    Endpoints
	ClientID     string
	ClientSecret string // only for confidential clients
	Scopes       []string
	// ListenAddr of the callback listener, a loopback IP; default 127.0.0.1:0.
	ListenAddr string
	// Browser opens the authorization URL; nil means the person opens the
	// printed URL themselves.
	Browser Browser
	// Paste, when set (a terminal), also accepts the redirect address the
	// person pastes from a browser on another machine, whichever of it and
	// the loopback callback comes first.
	Paste io.Reader
	// Stderr receives the URL and progress messages; nil discards them.
	Stderr io.Writer
	// Timeout for the callback; default DefaultLoginTimeout.
	Timeout    time.Duration
	HTTPClient *http.Client
}

// Login runs the Authorization Code flow with PKCE on a loopback listener
// (RFC 8252) and returns the tokens; Username is left for the caller to
// learn from Layman.
func Login(ctx context.Context, o LoginOptions) (*TokenSet, error) {
	if o.ClientID == "" || o.Endpoints.AuthURL == "" || o.Endpoints.TokenURL == "" {
		return nil, errors.New("login needs a client id and the authorization and token endpoints")
	}
	stderr := o.Stderr
	if stderr == nil {
		stderr = io.Discard
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultLoginTimeout
	}
	a, err := newAttempt()
	if err != nil {
		return nil, err
	}
	l, err := listenLoopback(o.ListenAddr)
	if err != nil {
		return nil, err
	}
	handler := newCallbackHandler(a.state)
	srv := newCallbackServer(handler)
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(l) // returns once Close is called below
	}()
	defer func() {
		_ = srv.Close() // closes the listener and idle or silent connections too
		<-served
	}()

	cfg := o.config(redirectURL(l.Addr()))
	authURL := cfg.AuthCodeURL(a.state, oauth2.S256ChallengeOption(a.verifier))
	fmt.Fprintf(stderr, "Open this URL in a browser to log in:\n\n  %s\n\n", authURL)

	opened := make(chan error, 1)
	if o.Browser != nil {
		fmt.Fprintln(stderr, "Opening the browser…")
		go func() { opened <- o.Browser.Open(authURL) }()
	}
	var pasted chan string
	if o.Paste != nil {
		fmt.Fprintf(stderr, pasteInstructions, redirectURL(l.Addr()))
		pasted = make(chan string)
		go readPasted(o.Paste, pasted)
	}
	code, err := waitForCallback(ctx, handler, opened, pasted, stderr, timeout)
	if errors.Is(err, ErrLoginTimeout) {
		// The browser may show why: the authorization server's own page.
		return nil, fmt.Errorf("%w; if the browser showed an error such as invalid_client (an unknown client id) or Mismatching redirect URI, "+
			"the authorization server lacks client %q: log in with the --client-id of a registered public client, or have it registered (%s)", err, o.ClientID, RedirectURIAdvice)
	}
	if err != nil {
		return nil, err
	}
	// No more connections while the code is exchanged; the callback's
	// request stays open until its page can say how the exchange went.
	_ = l.Close()

	if o.HTTPClient != nil {
		ctx = context.WithValue(ctx, oauth2.HTTPClient, o.HTTPClient)
	}
	sent := SystemClock.Now()
	tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(a.verifier))
	handler.reportExchange(err)
	if err != nil {
		return nil, fmt.Errorf("exchanging the authorization code: %w", tokenEndpointError(err))
	}
	return mergeToken(&TokenSet{}, tok, sent), nil
}

// waitForCallback returns the code of the one accepted callback.
func waitForCallback(ctx context.Context, h *callbackHandler, opened <-chan error, pasted <-chan string, stderr io.Writer, timeout time.Duration) (string, error) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		select {
		case res := <-h.result:
			return res.code, res.err
		case line := <-pasted:
			res, err := parsePasted(line, h.state)
			if err != nil {
				fmt.Fprintf(stderr, "%v.\n", err)
				continue
			}
			if h.finish() {
				return res.code, res.err
			}
		case err := <-opened:
			if err != nil {
				fmt.Fprintf(stderr, "Could not open the browser (%v); open the URL above yourself.\n", err)
			}
		case <-timer.C:
			return "", fmt.Errorf("%w: no answer from the browser within %s", ErrLoginTimeout, timeout)
		case <-ctx.Done():
			return "", fmt.Errorf("login interrupted: %w", ctx.Err())
		}
	}
}

func (o LoginOptions) config(redirect string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     o.ClientID,
		ClientSecret: o.ClientSecret,
		Endpoint: oauth2.Endpoint{
			AuthURL:  o.Endpoints.AuthURL,
			TokenURL: o.Endpoints.TokenURL,
			// DOT identifies a public client by client_id in the body.
			AuthStyle: oauth2.AuthStyleInParams,
		},
		RedirectURL: redirect,
		Scopes:      o.Scopes,
	}
}

// redirectURL is http://IP:PORT/callback for the listener's address; the
// server registers it without a port (RFC 8252 section 7.3).
func redirectURL(addr net.Addr) string {
	u := url.URL{Scheme: "http", Host: addr.String(), Path: callbackPath}
	return u.String()
}
