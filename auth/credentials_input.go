package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// maxTokenInput bounds what `auth login --with-token` reads from stdin.
const maxTokenInput = 64 << 10

// ParseTokenInput reads what `auth login --with-token` gets on stdin: token
// JSON (access_token, refresh_token, token_type, scope, and expires_in in
// seconds or expiry in RFC 3339) or a bare refresh token. A set with no
// access token must be completed with ExchangeRefreshToken, and saved at
// once: the exchange spends the refresh token.
func ParseTokenInput(r io.Reader) (*TokenSet, error) {
	raw, err := io.ReadAll(io.LimitReader(r, maxTokenInput+1))
	if err != nil {
		return nil, fmt.Errorf("reading the token: %w", err)
	}
	if len(raw) > maxTokenInput {
		return nil, fmt.Errorf("the token input is larger than %d KiB", maxTokenInput>>10)
	}
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0:
		return nil, errors.New("no token on standard input: pipe a refresh token or token JSON")
	case raw[0] == '{':
		return parseTokenJSON(raw)
	case bytes.ContainsAny(raw, " \t\r\n"):
		return nil, errors.New("the token input is neither token JSON nor a single refresh token")
	}
	return &TokenSet{RefreshToken: string(raw)}, nil
}

func parseTokenJSON(raw []byte) (*TokenSet, error) {
	var in struct {
		AccessToken  string     `json:"access_token"`
		RefreshToken string     `json:"refresh_token"`
		TokenType    string     `json:"token_type"`
		Scope        string     `json:"scope"`
		ExpiresIn    *float64   `json:"expires_in"`
		Expiry       *time.Time `json:"expiry"`
	}
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, fmt.Errorf("the token JSON is malformed: %w", err)
	}
	in.AccessToken, in.RefreshToken = strings.TrimSpace(in.AccessToken), strings.TrimSpace(in.RefreshToken)
	if in.AccessToken == "" && in.RefreshToken == "" {
		return nil, errors.New("the token JSON has neither access_token nor refresh_token")
	}
	ts := &TokenSet{AccessToken: in.AccessToken, RefreshToken: in.RefreshToken, TokenType: in.TokenType, Scope: in.Scope}
	switch {
	case in.Expiry != nil:
		ts.Expiry = *in.Expiry
	case in.ExpiresIn != nil:
		ts.Expiry = SystemClock.Now().Add(time.Duration(*in.ExpiresIn * float64(time.Second)))
	}
	return ts, nil
}
