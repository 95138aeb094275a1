package laymantest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// DefaultTokenCacheTTL is LAYMAN_AUTHN_CACHE_MAX_TIMEOUT: Layman keeps a
// validated token for at most this long.
const DefaultTokenCacheTTL = 60 * time.Second

// IntrospectionValidator validates tokens as Layman does against a real
// authorization server: RFC 7662 introspection with the client
// credentials, then GET ProfileURL with the bearer token for the user id
// and claims. Use it through a pointer; it caches validated tokens.
type IntrospectionValidator struct {
	IntrospectURL string
	ClientID      string
	ClientSecret  string // omitted from the request when empty, as Layman does
	ProfileURL    string
	HTTPClient    *http.Client // nil: a client with a 15 s timeout
	// CacheTTL bounds how long a validated token is trusted without asking
	// again (also bounded by the token's exp). 0 means DefaultTokenCacheTTL;
	// negative disables the cache.
	CacheTTL time.Duration
	Clock    func() time.Time // nil: time.Now

	mu    sync.Mutex
	cache map[string]cachedIdentity
}

type cachedIdentity struct {
	id      Identity
	expires time.Time
}

// Validate implements TokenValidator as authenticate does
// (src/layman/authn/oauth2/__init__.py): cache, introspection, profile.
func (v *IntrospectionValidator) Validate(ctx context.Context, token string) (Identity, error) {
	now := v.now()
	if id, ok := v.cached(token, now); ok {
		return id, nil
	}
	info, err := v.introspect(ctx, token)
	if err != nil {
		return Identity{}, err
	}
	id, err := v.profile(ctx, token)
	if err != nil {
		return Identity{}, err
	}
	v.store(token, id, now, info.Exp)
	return id, nil
}

// Forget drops token from the cache (DELETE /rest/current-user).
func (v *IntrospectionValidator) Forget(token string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	delete(v.cache, token)
}

type introspection struct {
	Active    bool    `json:"active"`
	Scope     *string `json:"scope"`
	TokenType *string `json:"token_type"`
	Exp       float64 `json:"exp"`
}

func (v *IntrospectionValidator) introspect(ctx context.Context, token string) (*introspection, error) {
	form := url.Values{"client_id": {v.ClientID}, "token": {token}}
	if v.ClientSecret != "" {
		form.Set("client_secret", v.ClientSecret)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, v.IntrospectURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("introspection request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := v.client().Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrIntrospectionUnreachable, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: HTTP %d", ErrIntrospectionUnreachable, resp.StatusCode)
	}
	var info introspection
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&info); err != nil {
		return nil, fmt.Errorf("%w: introspection answer: %w", ErrInactiveToken, err)
	}
	if !info.Active || (info.TokenType != nil && *info.TokenType != "Bearer") {
		return nil, ErrInactiveToken
	}
	// Layman needs the profile call to succeed, which needs scope read.
	if info.Scope != nil && !hasScope(*info.Scope, "read") {
		return nil, fmt.Errorf("%w: scope %q lacks read", ErrInactiveToken, *info.Scope)
	}
	return &info, nil
}

func hasScope(scopes, want string) bool {
	for _, s := range strings.Fields(scopes) {
		if s == want {
			return true
		}
	}
	return false
}

// profile reads the portal profile like get_open_id_claims
// (src/layman/authn/oauth2/__init__.py).
func (v *IntrospectionValidator) profile(ctx context.Context, token string) (Identity, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.ProfileURL, nil)
	if err != nil {
		return Identity{}, fmt.Errorf("profile request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := v.client().Do(req)
	if err != nil {
		return Identity{}, fmt.Errorf("profile: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Identity{}, fmt.Errorf("profile: HTTP %d", resp.StatusCode)
	}
	var p map[string]any
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&p); err != nil {
		return Identity{}, fmt.Errorf("profile answer: %w", err)
	}
	sub := profileString(p, "userId")
	if sub == "" {
		return Identity{}, errors.New("profile answer has no userId")
	}
	var names []string
	for _, k := range []string{"firstName", "middleName", "lastName"} {
		if n := profileString(p, k); n != "" {
			names = append(names, n)
		}
	}
	claims := map[string]any{
		"sub":                sub,
		"email":              p["emailAddress"],
		"name":               strings.Join(names, " "),
		"given_name":         p["firstName"],
		"family_name":        p["lastName"],
		"middle_name":        p["middleName"],
		"preferred_username": p["screenName"],
	}
	return Identity{Sub: sub, Claims: claims}, nil
}

func profileString(p map[string]any, key string) string {
	switch v := p[key].(type) {
	case string:
		return v
	case float64:
		return fmt.Sprintf("%.0f", v)
	default:
		return ""
	}
}

func (v *IntrospectionValidator) cached(token string, now time.Time) (Identity, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	c, ok := v.cache[token]
	if !ok || !now.Before(c.expires) {
		return Identity{}, false
	}
	return c.id, true
}

// store caches like Layman (src/layman/authn/oauth2/__init__.py): for
// min(exp - now, CacheTTL), at least 1 s.
func (v *IntrospectionValidator) store(token string, id Identity, now time.Time, exp float64) {
	ttl := v.CacheTTL
	if ttl == 0 {
		ttl = DefaultTokenCacheTTL
	}
	if ttl < 0 {
		return
	}
	if exp > 0 {
		if left := time.Unix(int64(exp), 0).Sub(now); left < ttl {
			ttl = max(left, time.Second)
		}
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.cache == nil {
		v.cache = map[string]cachedIdentity{}
	}
	v.cache[token] = cachedIdentity{id: id, expires: now.Add(ttl)}
}

func (v *IntrospectionValidator) now() time.Time {
	if v.Clock != nil {
		return v.Clock()
	}
	return time.Now()
}

func (v *IntrospectionValidator) client() *http.Client {
	if v.HTTPClient != nil {
		return v.HTTPClient
	}
	return defaultHTTPClient
}

var defaultHTTPClient = &http.Client{Timeout: 15 * time.Second}
