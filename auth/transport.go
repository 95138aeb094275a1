package auth

import (
	"bytes"
	"fmt"
	"io"
	"net/http"

	"golang.org/x/oauth2"

	"github.com/laymanctl/laymanctl/client"
)

// maxAuthErrorBody bounds the body read to recognise Layman's "token
// rejected" answer; that answer is a few hundred bytes.
const maxAuthErrorBody = 16 << 10

// Transport sends the requests to server's origin (scheme, host and port)
// with `Authorization: Bearer` from src; a request to any other origin (a
// redirect, say) goes without it, so the token never leaves the server it
// belongs to. When Layman rejects the token (HTTP 403, code 32, its answer
// to an expired or revoked token) it renews the token and replays the
// request, provided the body can be replayed (req.GetBody): once, and again
// only while the token replayed with expired or was replaced before Layman
// reached it.
func Transport(server string, src TokenSource, base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &bearerTransport{origin: client.OriginOf(server), src: src, base: base}
}

type bearerTransport struct {
	origin string
	src    TokenSource
	base   http.RoundTripper
}

func (t *bearerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.origin == "" || client.Origin(req.URL) != t.origin {
		r := req.Clone(req.Context())
		r.Header.Del("Authorization")
		return t.base.RoundTrip(r)
	}
	ctx := req.Context()
	tok, err := t.src.Token(ctx)
	if err != nil {
		closeBody(req)
		return nil, err
	}
	resp, err := t.base.RoundTrip(withBearer(req, tok.AccessToken))
	if err != nil || !tokenRejected(resp) {
		return resp, err
	}
	hasBody := req.Body != nil && req.Body != http.NoBody
	if hasBody && req.GetBody == nil {
		return resp, nil
	}
	for replays := 1; ; replays++ {
		renewed, err := t.src.ForceRefresh(ctx, tok.AccessToken)
		if err != nil {
			discard(resp)
			return nil, err
		}
		replay := withBearer(req, renewed.AccessToken)
		if hasBody {
			body, err := req.GetBody()
			if err != nil {
				discard(resp)
				return nil, fmt.Errorf("rewinding the request body to replay it: %w", err)
			}
			replay.Body = body
		}
		discard(resp)
		resp, err = t.base.RoundTrip(replay)
		if err != nil || !tokenRejected(resp) || replays == maxReplays || !outdatedMeanwhile(t.src, renewed) {
			return resp, err
		}
		tok = renewed
	}
}

// maxReplays bounds the replays of one request after Layman rejected its
// token: the first replay follows any rejection, the others only one of a
// token that expired or was replaced while the request waited
// (outdatedMeanwhile).
const maxReplays = 4

// currencyAware is a TokenSource that can tell a token past its expiry, and
// one that a refresh has replaced.
type currencyAware interface {
	Expired(tok *oauth2.Token) bool
	Replaced(tok *oauth2.Token) bool
}

// outdatedMeanwhile reports whether tok, rejected by Layman, had expired or
// been replaced by the time the answer came. A busy server (Layman's few
// sync workers) may take longer to reach a queued request than a
// short-lived token lives, and a refresh meanwhile, in this process or
// another, revokes the access token it replaces (Django OAuth Toolkit's
// RefreshToken.revoke): Layman then rejects it unless it had cached it.
// Layman rejecting the current token while it is valid is not helped by
// another refresh.
func outdatedMeanwhile(src TokenSource, tok *oauth2.Token) bool {
	ca, ok := src.(currencyAware)
	return ok && (ca.Expired(tok) || ca.Replaced(tok))
}

// withBearer is a copy of req carrying the token: a RoundTripper must not
// change the caller's request.
func withBearer(req *http.Request, token string) *http.Request {
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+token)
	return r
}

// tokenRejected reports Layman's HTTP 403 with error code 32. It reads at
// most maxAuthErrorBody bytes and puts them back, so the caller still gets
// the whole body of any other answer.
func tokenRejected(resp *http.Response) bool {
	if resp.StatusCode != http.StatusForbidden || resp.Body == nil || resp.ContentLength > maxAuthErrorBody {
		return false
	}
	head, err := io.ReadAll(io.LimitReader(resp.Body, maxAuthErrorBody+1))
	resp.Body = &replayedBody{Reader: io.MultiReader(bytes.NewReader(head), resp.Body), Closer: resp.Body}
	if err != nil || len(head) > maxAuthErrorBody {
		return false
	}
	return client.IsAuthFailure(client.ParseError(resp.StatusCode, resp.Header.Get("Content-Type"), head, resp))
}

// replayedBody is a response body whose first bytes were already read.
type replayedBody struct {
	io.Reader
	io.Closer
}

func discard(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxAuthErrorBody))
	_ = resp.Body.Close()
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}
