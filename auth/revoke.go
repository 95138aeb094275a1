package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Token type hints of RFC 7009.
const (
	HintRefreshToken = "refresh_token"
	HintAccessToken  = "access_token"
)

// Revoke asks the authorization server to invalidate token (RFC 7009). The
// client authenticates in the form, as Django OAuth Toolkit accepts for
// public and confidential clients alike.
func Revoke(ctx context.Context, hc *http.Client, revokeURL, clientID, clientSecret, token, hint string) error {
	if hc == nil {
		hc = http.DefaultClient
	}
	form := url.Values{"token": {token}, "client_id": {clientID}}
	if hint != "" {
		form.Set("token_type_hint", hint)
	}
	if clientSecret != "" {
		form.Set("client_secret", clientSecret)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, revokeURL, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("revoking the %s: %w", hintName(hint), err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("revoking the %s: %w", hintName(hint), err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	// RFC 6749 error answer; its fields never echo the token.
	var e struct {
		Code        string `json:"error"`
		Description string `json:"error_description"`
	}
	msg := fmt.Sprintf("HTTP %d", resp.StatusCode)
	if json.Unmarshal(body, &e) == nil && e.Code != "" {
		msg += " " + e.Code
		if e.Description != "" {
			msg += ": " + e.Description
		}
	}
	return fmt.Errorf("revoking the %s: the authorization server answered %s", hintName(hint), msg)
}

func hintName(hint string) string {
	if hint == "" {
		return "token"
	}
	return strings.ReplaceAll(hint, "_", " ")
}
