package auth

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

const oauth2FailureBody = `{"code": 32, "message": "Unsuccessful OAuth2 authentication.", "sub_code": 9, "detail": "Introspection endpoint claims that access token is not active or it's not Bearer token."}`

// fakeLayman accepts one bearer token and answers others as Layman does
// (HTTP 403, code 32); it records the bodies it received.
type fakeLayman struct {
	*httptest.Server
	mu     sync.Mutex
	valid  string
	bodies []string
}

func newFakeLayman(t *testing.T, valid string) *fakeLayman {
	l := &fakeLayman{valid: valid}
	l.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		l.mu.Lock()
		l.bodies = append(l.bodies, string(body))
		ok := r.Header.Get("Authorization") == "Bearer "+l.valid
		l.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if !ok {
			w.WriteHeader(http.StatusForbidden)
			_, _ = io.WriteString(w, oauth2FailureBody)
			return
		}
		_, _ = io.WriteString(w, `{"echo": "`+string(body)+`"}`)
	}))
	t.Cleanup(l.Close)
	return l
}

func (l *fakeLayman) received() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.bodies...)
}

// stubSource hands out fixed tokens and counts renewals.
type stubSource struct {
	token, renewed string
	forced         atomic.Int32
}

func (s *stubSource) Token(context.Context) (*oauth2.Token, error) {
	return &oauth2.Token{AccessToken: s.token}, nil
}

func (s *stubSource) ForceRefresh(context.Context, string) (*oauth2.Token, error) {
	s.forced.Add(1)
	return &oauth2.Token{AccessToken: s.renewed}, nil
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The stored access token is still within its lifetime but Layman says it
// is inactive (revoked, or expired early): one refresh, one replay.
func TestTransportRefreshesAndReplaysOnOAuth2Failure(t *testing.T) {
	f := newSourceFixture(t)
	f.stored(t, time.Hour)
	layman := newFakeLayman(t, "access-1")
	hc := &http.Client{Transport: Transport(layman.URL, f.source(), layman.Client().Transport)}

	req, err := http.NewRequest(http.MethodPost, layman.URL+"/rest/layers", strings.NewReader("payload"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); resp.StatusCode != http.StatusOK {
		t.Fatalf("HTTP %d %s, want 200 after the replay", resp.StatusCode, body)
	}
	if got := layman.received(); len(got) != 2 || got[0] != "payload" || got[1] != "payload" {
		t.Errorf("Layman received %q, want the same body twice", got)
	}
	if refreshes, _, _ := f.srv.stats(); refreshes != 1 {
		t.Errorf("%d refreshes, want 1", refreshes)
	}
	if req.Header.Get("Authorization") != "" {
		t.Error("the caller's request was modified")
	}
}

func TestTransportReturnsSecondRejection(t *testing.T) {
	layman := newFakeLayman(t, "never")
	src := &stubSource{token: "a", renewed: "b"}
	hc := &http.Client{Transport: Transport(layman.URL, src, layman.Client().Transport)}
	resp, err := hc.Post(layman.URL+"/rest/layers", "text/plain", strings.NewReader("payload"))
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); resp.StatusCode != http.StatusForbidden || body != oauth2FailureBody {
		t.Errorf("HTTP %d %q, want Layman's second 403 intact", resp.StatusCode, body)
	}
	if n := src.forced.Load(); n != 1 {
		t.Errorf("%d forced refreshes, want 1", n)
	}
	if n := len(layman.received()); n != 2 {
		t.Errorf("%d requests, want 2 (no loop)", n)
	}
}

func TestTransportLeavesOtherForbiddenAlone(t *testing.T) {
	large := `{"code": 32, "message": "` + strings.Repeat("x", 3*maxAuthErrorBody) + `"}`
	for name, body := range map[string]string{
		"other Layman error": `{"code": 30, "message": "Unauthorized access", "detail": {"username": "bob"}}`,
		// Layman cannot reach its introspection endpoint (authn/oauth2/__init__.py):
		// a new token would fare no better, and refreshing spends the refresh token.
		"introspection unreachable": `{"code": 32, "message": "Unsuccessful OAuth2 authentication.", "sub_code": 8, "detail": "Introspection endpoint is not reachable or returned status code other than 200."}`,
		// A malformed Authorization header is the client's fault, not the token's.
		"malformed header": `{"code": 32, "message": "Unsuccessful OAuth2 authentication.", "sub_code": 4, "detail": "First part of HTTP header Authorization must be \"Bearer\""}`,
		"proxy page":       "<html><title>403 Forbidden</title></html>",
		"large body":       large,
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusForbidden)
				_, _ = io.WriteString(w, body)
			}))
			defer srv.Close()
			src := &stubSource{token: "a", renewed: "b"}
			hc := &http.Client{Transport: Transport(srv.URL, src, srv.Client().Transport)}
			resp, err := hc.Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			if got := readAll(t, resp); got != body {
				t.Errorf("body altered: %d bytes, want %d", len(got), len(body))
			}
			if n := src.forced.Load(); n != 0 {
				t.Errorf("%d forced refreshes, want none", n)
			}
		})
	}
}

func TestTransportDoesNotReplayUnrewindableBody(t *testing.T) {
	layman := newFakeLayman(t, "b")
	src := &stubSource{token: "a", renewed: "b"}
	hc := &http.Client{Transport: Transport(layman.URL, src, layman.Client().Transport)}
	req, err := http.NewRequest(http.MethodPost, layman.URL, io.MultiReader(strings.NewReader("stream")))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); resp.StatusCode != http.StatusForbidden || body != oauth2FailureBody {
		t.Errorf("HTTP %d %q, want the original 403", resp.StatusCode, body)
	}
	if n := len(layman.received()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestTransportStaticTokenRejected(t *testing.T) {
	layman := newFakeLayman(t, "other")
	hc := &http.Client{Transport: Transport(layman.URL, StaticSource("from-env"), layman.Client().Transport)}
	_, err := hc.Get(layman.URL + "/rest/current-user")
	var lerr *LoginRequiredError
	if !errors.As(err, &lerr) {
		t.Fatalf("error %v, want *LoginRequiredError", err)
	}
	if !strings.Contains(err.Error(), EnvAccessToken) {
		t.Errorf("message %q does not name %s", err, EnvAccessToken)
	}
	if strings.Contains(err.Error(), "from-env") {
		t.Error("the message shows the token")
	}
}

// A busy Layman reaches a queued request after its short-lived token has
// expired: the request is replayed with a newer token while the rejected
// one had expired by the answer (each such token refreshed once); a token
// rejected while still valid is not refreshed again.
func TestTransportReplaysWhileTokensExpireInTheQueue(t *testing.T) {
	for _, queued := range []bool{true, false} {
		f := newSourceFixture(t)
		f.stored(t, time.Hour)
		status, requests := postThroughTransport(t, f, func(r *http.Request) bool {
			if r.Header.Get("Authorization") == "Bearer access-3" {
				return true
			}
			if queued {
				f.clock.Advance(2 * time.Hour) // the token expired while the request waited
			}
			return false
		})
		refreshes, _, _ := f.srv.stats()
		switch {
		case queued && (status != http.StatusOK || refreshes != 3 || requests != 4):
			t.Errorf("tokens expiring in the queue: HTTP %d after %d requests and %d refreshes, want 200 after 4 and 3", status, requests, refreshes)
		case !queued && (status != http.StatusForbidden || refreshes != 1 || requests != 2):
			t.Errorf("valid tokens rejected: HTTP %d after %d requests and %d refreshes, want 403 after 2 and 1", status, requests, refreshes)
		}
	}
}

// Another process's refresh revokes the access token it replaces (Django
// OAuth Toolkit does), so a replay queued at a busy Layman can be rejected
// with a token that has not expired: the replay goes again with the token
// that replaced it, taken from the store without another refresh.
func TestTransportReplaysWhenAnotherProcessRefreshedMeanwhile(t *testing.T) {
	f := newSourceFixture(t)
	f.stored(t, time.Hour)
	other := f.source() // another laymanctl process of the same profile
	status, requests := postThroughTransport(t, f, func(r *http.Request) bool {
		switch r.Header.Get("Authorization") {
		case "Bearer access-2":
			return true
		case "Bearer access-1":
			// The other process refreshed while this replay waited.
			if _, err := other.ForceRefresh(r.Context(), "access-1"); err != nil {
				t.Error(err)
			}
		}
		return false
	})
	if refreshes, _, _ := f.srv.stats(); status != http.StatusOK || refreshes != 2 || requests != 3 {
		t.Errorf("HTTP %d after %d requests and %d refreshes, want 200 after 3 and 2 (one here, one in the other process)", status, requests, refreshes)
	}
}

// postThroughTransport posts through Transport with f's source to a fake
// Layman that serves a request when accept says so and otherwise rejects
// its token as Layman does (HTTP 403, code 32). It returns the answer's
// status and how many requests the fake received.
func postThroughTransport(t *testing.T, f *sourceFixture, accept func(r *http.Request) bool) (int, int32) {
	t.Helper()
	var requests atomic.Int32
	layman := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if accept(r) {
			_, _ = io.WriteString(w, `{}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, oauth2FailureBody)
	}))
	t.Cleanup(layman.Close)
	hc := &http.Client{Transport: Transport(layman.URL, f.source(), layman.Client().Transport)}
	resp, err := hc.Post(layman.URL+"/rest/layers", "text/plain", strings.NewReader("payload"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, requests.Load()
}

// The token is bound to the server's origin: a request anywhere else (a
// redirect a caller follows, a URL taken from an answer) goes without it,
// even one that came with an Authorization header of its own (review H1).
func TestTransportSendsTokenOnlyToTheServersOrigin(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("Authorization"))
		mu.Unlock()
	}))
	t.Cleanup(other.Close)
	layman := httptest.NewServer(http.RedirectHandler(other.URL+"/elsewhere", http.StatusTemporaryRedirect))
	t.Cleanup(layman.Close)
	src := &stubSource{token: "a-token", renewed: "b-token"}
	// The default redirect policy follows anywhere; the transport still
	// keeps the token home.
	hc := &http.Client{Transport: Transport(layman.URL, src, http.DefaultTransport)}
	resp, err := hc.Get(layman.URL + "/rest/current-user")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	req, err := http.NewRequest(http.MethodGet, other.URL+"/direct", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer a-token")
	if resp, err = hc.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 2 || seen[0] != "" || seen[1] != "" {
		t.Errorf("the other origin received Authorization %q, want none on both requests", seen)
	}
}
