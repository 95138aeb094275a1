package auth

import (
	"context"
	"errors"
	"net/http"
	"time"

	"golang.org/x/oauth2"
)

// refreshTokenSet runs the refresh-token grant for prev and returns the new
// set, keeping what the server does not send again (refresh token, scope,
// username).
func refreshTokenSet(ctx context.Context, cfg *oauth2.Config, hc *http.Client, clock Clock, prev *TokenSet) (*TokenSet, error) {
	cfg = withStoredSecret(cfg, prev)
	ctx = context.WithValue(ctx, oauth2.HTTPClient, hc)
	sent := clock.Now()
	// An empty access token makes x/oauth2 refresh straight away.
	tok, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: prev.RefreshToken}).Token()
	if err != nil {
		return nil, tokenEndpointError(err)
	}
	return mergeToken(prev, tok, sent), nil
}

// withStoredSecret is cfg authenticating with the client secret kept in ts,
// unless cfg already has one: profiles of confidential clients name no
// secret, the token set carries it.
func withStoredSecret(cfg *oauth2.Config, ts *TokenSet) *oauth2.Config {
	if ts.ClientSecret == "" || cfg.ClientSecret != "" {
		return cfg
	}
	c := *cfg
	c.ClientSecret = ts.ClientSecret
	c.Endpoint.AuthStyle = oauth2.AuthStyleInHeader
	return &c
}

// ExchangeRefreshToken turns a refresh token (from `auth login --with-token`)
// into a full token set. With rotation the given refresh token is spent, so
// the caller must save the result.
func ExchangeRefreshToken(ctx context.Context, cfg *oauth2.Config, hc *http.Client, clock Clock, refreshToken string) (*TokenSet, error) {
	if clock == nil {
		clock = SystemClock
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	return refreshTokenSet(ctx, cfg, hc, clock, &TokenSet{RefreshToken: refreshToken})
}

// mergeToken is prev updated with what the token endpoint answered to a
// request sent at sent. The lifetime counts from then, not from the
// answer: a server slow to answer has started the clock already, and a
// token believed valid longer than the server holds it would be sent dead.
func mergeToken(prev *TokenSet, tok *oauth2.Token, sent time.Time) *TokenSet {
	next := *prev
	next.RefreshSent = time.Time{}
	next.AccessToken = tok.AccessToken
	if tok.RefreshToken != "" {
		next.RefreshToken = tok.RefreshToken
	}
	next.TokenType = tok.TokenType
	next.Expiry = tok.Expiry
	next.IssuedAt = sent
	if tok.ExpiresIn > 0 {
		next.Expiry = sent.Add(time.Duration(tok.ExpiresIn) * time.Second)
	}
	if scope, ok := tok.Extra("scope").(string); ok && scope != "" {
		next.Scope = scope
	}
	return &next
}

// isInvalidGrant reports the token endpoint's answer to a refresh token (or
// password) that is expired, revoked or already used.
func isInvalidGrant(err error) bool {
	var re *oauth2.RetrieveError
	return errors.As(err, &re) && re.ErrorCode == "invalid_grant"
}
