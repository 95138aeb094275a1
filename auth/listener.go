package auth

import (
	"errors"
	"fmt"
	"html"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
)

const callbackPath = "/callback"

// AuthorizationError is the authorization server's refusal delivered to the
// callback (RFC 6749 section 4.1.2.1), e.g. access_denied.
type AuthorizationError struct {
	Code        string
	Description string
}

func (e *AuthorizationError) Error() string {
	msg := "the authorization server refused the login: " + e.Code
	if e.Code == "access_denied" {
		msg = "access was denied at the authorization server (access_denied)"
	}
	if e.Description != "" {
		msg += ": " + e.Description
	}
	return msg
}

// callbackResult is the outcome of the one callback that ends the wait.
type callbackResult struct {
	code string
	err  error
}

// callbackHandler accepts exactly one callback carrying the expected state.
// Anything else is answered 400/404 and the wait goes on, so a stray or
// forged request cannot end or hijack the login.
type callbackHandler struct {
	state  string
	result chan callbackResult // buffered 1: the handler never blocks
	// outcome is the code exchange's result, which the page shows; written
	// is closed once the page is sent.
	outcome chan error
	written chan struct{}

	mu   sync.Mutex
	done bool
	// holding: the browser's callback request waits for outcome.
	holding bool
}

// pageWait bounds how long the browser's request is held for the code
// exchange before the page says the login is still being finished.
const pageWait = 15 * time.Second

var errStillExchanging = errors.New("laymanctl is still finishing the login; see the terminal")

func newCallbackHandler(state string) *callbackHandler {
	return &callbackHandler{state: state, result: make(chan callbackResult, 1), outcome: make(chan error, 1), written: make(chan struct{})}
}

// reportExchange hands the code exchange's result to the held callback
// request, if any (a pasted address holds none), and waits (boundedly)
// until its page is sent.
func (h *callbackHandler) reportExchange(err error) {
	h.outcome <- err
	h.mu.Lock()
	holding := h.holding
	h.mu.Unlock()
	if !holding {
		return
	}
	select {
	case <-h.written:
	case <-time.After(pageWait):
	}
}

func (h *callbackHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL == nil || r.URL.Path != callbackPath {
		http.NotFound(w, r) // favicon.ico, pre-connects, probes
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	q := r.URL.Query()
	if !stateMatches(q.Get("state"), h.state) {
		writePage(w, http.StatusBadRequest, "Login failed", "This request does not belong to the login in progress. Start again from laymanctl.")
		return
	}
	var res callbackResult
	status := http.StatusOK
	switch {
	case q.Get("error") != "":
		res.err = &AuthorizationError{Code: printable(q.Get("error"), 64), Description: printable(q.Get("error_description"), 300)}
		status = http.StatusForbidden
	case q.Get("code") == "":
		writePage(w, http.StatusBadRequest, "Login failed", "The authorization server sent no code. Try again.")
		return
	default:
		res.code = q.Get("code")
	}

	if !h.finish() {
		writePage(w, http.StatusGone, "Login already finished", "You can close this window.")
		return
	}

	defer close(h.written)
	if res.err != nil {
		writePage(w, status, "Login failed", res.err.Error()+". You can close this window.")
		flush(w)
		h.result <- res
		return
	}
	// "Logged in" only once the code has been exchanged for tokens.
	h.mu.Lock()
	h.holding = true
	h.mu.Unlock()
	h.result <- res
	var err error
	select {
	case err = <-h.outcome:
	case <-time.After(pageWait):
		err = errStillExchanging
	case <-r.Context().Done():
		return
	}
	switch {
	case err == nil:
		writePage(w, http.StatusOK, "Logged in", "laymanctl is logged in. You can close this window.")
	case errors.Is(err, errStillExchanging):
		writePage(w, http.StatusAccepted, "Almost there", err.Error()+".")
	default:
		writePage(w, http.StatusBadGateway, "Login failed", "The authorization server did not issue the tokens; see the terminal. You can close this window.")
	}
	flush(w)
}

// flush puts the page on the wire before the listener may be closed.
func flush(w http.ResponseWriter) {
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
}

// finish claims the one result of the login; false when a callback or a
// pasted address already did.
func (h *callbackHandler) finish() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.done {
		return false
	}
	h.done = true
	return true
}

// printable keeps text from the URL safe for a terminal: no control
// characters, bounded length.
func printable(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return -1
		}
		return r
	}, s)
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return s
}

// writePage answers the browser with a small self-contained page; it has a
// Content-Length so it is complete once flushed.
func writePage(w http.ResponseWriter, status int, title, message string) {
	body := "<!doctype html><html><head><meta charset=\"utf-8\"><title>laymanctl: " + html.EscapeString(title) +
		"</title></head><body style=\"font-family:sans-serif;margin:3em\"><h1>" + html.EscapeString(title) +
		"</h1><p>" + html.EscapeString(message) + "</p></body></html>\n"
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Connection", "close")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// listenLoopback listens on addr, which must be a loopback IP literal: a
// wildcard or a host name could expose the callback to the network.
func listenLoopback(addr string) (net.Listener, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("listen address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("listen address %q: %w", addr, errNotLoopback)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return nil, fmt.Errorf("listen address %q: bad port", addr)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("starting the callback listener: %w", err)
	}
	return l, nil
}

var errNotLoopback = errors.New("the callback listener must use a loopback IP such as 127.0.0.1")

// newCallbackServer serves h; a connection that sends nothing is dropped
// after ReadHeaderTimeout instead of holding the listener.
func newCallbackServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       30 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0), // probes and resets are not the user's concern
	}
}
