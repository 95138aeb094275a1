package client

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync"
	"time"
)

// Timeouts bound every phase of a request, so that a server that accepts a
// connection and then says nothing cannot hang a command.
type Timeouts struct {
	// Connect bounds the name lookup and the TCP connection (through a
	// proxy: the connection to the proxy and its CONNECT).
	Connect time.Duration
	// TLS bounds the TLS handshake.
	TLS time.Duration
	// ResponseHeader bounds the wait for the answer once the request is sent.
	ResponseHeader time.Duration
	// Progress bounds a pause in a request or response body: a chunk whose
	// bytes stop moving is aborted, a slow one that keeps moving is not.
	Progress time.Duration
	// Request bounds a whole small request (body up to SmallRequest bytes),
	// from the first byte to the last byte of the answer.
	Request time.Duration
}

// SmallRequest is the largest request body that the whole-request deadline
// applies to; larger bodies (upload chunks) are bound by Progress only.
const SmallRequest = 1 << 20

// DefaultTimeouts are generous for a slow link and short enough that a hung
// server is reported in minutes, not never.
var DefaultTimeouts = Timeouts{
	Connect:        30 * time.Second,
	TLS:            30 * time.Second,
	ResponseHeader: 2 * time.Minute,
	Progress:       time.Minute,
	Request:        5 * time.Minute,
}

// TimeoutError is a request abandoned because a phase took too long.
type TimeoutError struct {
	// Origin is the server's scheme://host:port.
	Origin string
	// Phase says what did not happen in time, e.g. "no response header".
	Phase string
	Limit time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("%s: %s within %s (timeout)", e.Origin, e.Phase, e.Limit)
}

// Timeout and Temporary make it a net.Error: retried like a dropped
// connection.
func (e *TimeoutError) Timeout() bool   { return true }
func (e *TimeoutError) Temporary() bool { return true }

// Phases of a request, as TimeoutError words them.
const (
	phaseConnect  = "no connection"
	phaseTLS      = "no TLS handshake"
	phaseSend     = "the request body did not move"
	phaseHeader   = "no response header"
	phaseBody     = "the response body did not move"
	phaseDeadline = "the request did not complete"
)

// Apply sets t's connection-level timeouts on an http.Transport, the
// backstop for the per-request watchdog of TimeoutTransport.
func (t Timeouts) Apply(tr *http.Transport) {
	tr.DialContext = (&net.Dialer{Timeout: t.Connect, KeepAlive: 30 * time.Second}).DialContext
	tr.TLSHandshakeTimeout = t.TLS
	tr.ResponseHeaderTimeout = t.ResponseHeader
	tr.IdleConnTimeout = 90 * time.Second
	tr.ExpectContinueTimeout = time.Second
}

// TimeoutTransport aborts a request whose current phase (connect, TLS
// handshake, sending, waiting for the header, reading the body) makes no
// progress within t, and a small request that does not complete within
// t.Request; the error is a *TimeoutError naming the server and the limit.
func TimeoutTransport(base http.RoundTripper, t Timeouts) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &timeoutTransport{base: base, t: t}
}

type timeoutTransport struct {
	base http.RoundTripper
	t    Timeouts
}

func (tt *timeoutTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancel(req.Context())
	w := &watchdog{origin: Origin(req.URL), cancel: cancel}
	w.arm(phaseConnect, tt.t.Connect)
	small := req.Body == nil || req.Body == http.NoBody || (req.ContentLength >= 0 && req.ContentLength <= SmallRequest)
	if small && tt.t.Request > 0 {
		w.deadline = time.AfterFunc(tt.t.Request, func() { w.fire(phaseDeadline, tt.t.Request) })
	}
	trace := &httptrace.ClientTrace{
		GotConn:           func(httptrace.GotConnInfo) { w.arm(phaseSend, tt.t.Progress) },
		TLSHandshakeStart: func() { w.arm(phaseTLS, tt.t.TLS) },
		// A failed handshake keeps its phase: its timeout is reported as one.
		TLSHandshakeDone: func(_ tls.ConnectionState, err error) {
			if err == nil {
				w.arm(phaseSend, tt.t.Progress)
			}
		},
		WroteRequest: func(httptrace.WroteRequestInfo) { w.arm(phaseHeader, tt.t.ResponseHeader) },
	}
	r := req.Clone(httptrace.WithClientTrace(ctx, trace))
	if req.Body != nil && req.Body != http.NoBody {
		r.Body = &progressBody{ReadCloser: req.Body, w: w, phase: phaseSend, limit: tt.t.Progress}
	}
	resp, err := tt.base.RoundTrip(r)
	if err != nil {
		err = w.explain(req.Context(), err)
		w.stop()
		return nil, err
	}
	w.arm(phaseBody, tt.t.Progress)
	resp.Body = &progressBody{ReadCloser: resp.Body, w: w, phase: phaseBody, limit: tt.t.Progress, response: true, ctx: req.Context()}
	return resp, nil
}

// watchdog cancels a request when the timer of its current phase expires.
type watchdog struct {
	origin   string
	cancel   context.CancelFunc
	deadline *time.Timer

	mu      sync.Mutex
	timer   *time.Timer
	phase   string
	limit   time.Duration
	fired   *TimeoutError
	stopped bool
}

// arm starts the timer of phase, replacing the previous phase's.
func (w *watchdog) arm(phase string, limit time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped || w.fired != nil {
		return
	}
	w.phase, w.limit = phase, limit
	if w.timer != nil {
		w.timer.Stop()
	}
	if limit <= 0 {
		w.timer = nil
		return
	}
	w.timer = time.AfterFunc(limit, func() { w.fire(phase, limit) })
}

func (w *watchdog) fire(phase string, limit time.Duration) {
	w.mu.Lock()
	if w.stopped || w.fired != nil {
		w.mu.Unlock()
		return
	}
	w.fired = &TimeoutError{Origin: w.origin, Phase: phase, Limit: limit}
	w.mu.Unlock()
	w.cancel()
}

// explain replaces the error of an aborted request by the timeout that
// caused it; the transport's own timeouts are named after the current
// phase. The caller's own deadline (ctx) is not a server's fault.
func (w *watchdog) explain(ctx context.Context, err error) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.fired != nil {
		return w.fired
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() && ctx.Err() == nil {
		return &TimeoutError{Origin: w.origin, Phase: w.phase, Limit: w.limit}
	}
	return err
}

func (w *watchdog) stop() {
	w.mu.Lock()
	w.stopped = true
	if w.timer != nil {
		w.timer.Stop()
	}
	w.mu.Unlock()
	if w.deadline != nil {
		w.deadline.Stop()
	}
	w.cancel()
}

// progressBody re-arms the watchdog whenever bytes move.
type progressBody struct {
	io.ReadCloser
	ctx      context.Context // the caller's
	w        *watchdog
	phase    string
	limit    time.Duration
	response bool
}

func (b *progressBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.w.arm(b.phase, b.limit)
	}
	if err != nil && b.response {
		if err == io.EOF {
			b.w.stop()
			return n, err
		}
		err = b.w.explain(b.ctx, err)
	}
	return n, err
}

func (b *progressBody) Close() error {
	if b.response {
		defer b.w.stop()
	}
	return b.ReadCloser.Close()
}
