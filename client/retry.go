package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// RetryPolicy says how often and how patiently a failed request is tried again.
type RetryPolicy struct {
	// MaxAttempts counts every attempt; 1 or less means no retry.
	MaxAttempts int
	// BaseDelay is the backoff ceiling before the second attempt; it doubles
	// for each further attempt (the actual wait is random below it).
	BaseDelay time.Duration
	// MaxDelay caps both the backoff and a server's Retry-After.
	MaxDelay time.Duration
}

// DefaultRetryPolicy is the one policy of every idempotent request, the
// wait poll and upload chunks included: up to 8 attempts with full-jitter
// exponential backoff, about half a minute in all, long enough for a
// proxy's hiccup or a Layman restart.
var DefaultRetryPolicy = RetryPolicy{MaxAttempts: 8, BaseDelay: 500 * time.Millisecond, MaxDelay: 30 * time.Second}

// retryableRequest admits the idempotent methods only: a POST may have
// been acted on before its answer was lost (upload chunks have their own
// retry loop, in client/upload).
func retryableRequest(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

func retryableStatus(code int) bool {
	return code == http.StatusBadGateway || code == http.StatusServiceUnavailable || code == http.StatusGatewayTimeout
}

// IsNetworkError admits only network failures (refused or dropped
// connections, timeouts): a TLS verification failure or an error of a
// wrapping transport, such as a login that is required, would fail again.
func IsNetworkError(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var certErr *tls.CertificateVerificationError
	var authErr x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	if errors.As(err, &certErr) || errors.As(err, &authErr) || errors.As(err, &hostErr) {
		return false
	}
	// *url.Error, which wraps every failure of http.Client.Do, is itself a
	// net.Error: look at what it wraps.
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err
	}
	var netErr net.Error
	return errors.As(err, &netErr) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED)
}

// retriedKey holds a *bool that sendWithRetry sets when it sends a
// request again, so a DELETE can tell that a lost first answer may have
// deleted the publication already.
type retriedKey struct{}

func (c *Client) sendWithRetry(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	canRetry := c.retry.MaxAttempts > 1 && replayable && retryableRequest(req)
	for attempt := 1; ; attempt++ {
		r := req
		if p, ok := ctx.Value(retriedKey{}).(*bool); ok && attempt > 1 {
			*p = true
		}
		if attempt > 1 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, fmt.Errorf("replaying request body of %s: %w", describe(req), err)
			}
			r = req.Clone(ctx)
			r.Body = body
		}
		resp, err := c.httpClient.Do(r)
		if err == nil {
			c.reached.Store(true)
		}
		if !canRetry || attempt >= c.retry.MaxAttempts || ctx.Err() != nil {
			return resp, err
		}
		var wait time.Duration
		switch {
		case err != nil:
			if !IsNetworkError(err) || !c.reached.Load() && errors.Is(err, syscall.ECONNREFUSED) {
				// A server that never answered this process and refuses
				// connections is a wrong address, not a hiccup.
				return nil, err
			}
			wait = c.retry.Backoff(attempt)
		case retryableStatus(resp.StatusCode):
			wait = c.retry.Backoff(attempt)
			if d, ok := RetryAfter(resp); ok {
				wait = min(d, c.retry.MaxDelay)
			}
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
			resp.Body.Close()
		default:
			return resp, nil
		}
		if err := c.sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("%s: %w", describe(req), err)
		}
	}
}

// Backoff is "full jitter": a random wait below an exponentially growing
// ceiling, so parallel clients do not retry in lockstep.
func (p RetryPolicy) Backoff(attempt int) time.Duration {
	ceiling := p.MaxDelay
	if shift := attempt - 1; shift < 30 && p.BaseDelay<<shift < ceiling {
		ceiling = p.BaseDelay << shift
	}
	if ceiling <= 0 {
		return 0
	}
	return rand.N(ceiling + 1)
}

// RetryAfter reads a response's Retry-After header: delay-seconds or an
// HTTP date.
func RetryAfter(resp *http.Response) (time.Duration, bool) {
	return retryAfter(resp.Header.Get("Retry-After"), time.Now())
}

func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(min(secs, 1<<20)) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
