package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"

	"golang.org/x/oauth2"
)

// attempt holds the secrets of one login attempt: they are made fresh every
// time and never leave this process except as the challenge and state.
type attempt struct {
	verifier string
	state    string
}

func newAttempt() (attempt, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return attempt{}, fmt.Errorf("generating state: %w", err)
	}
	return attempt{verifier: oauth2.GenerateVerifier(), state: base64.RawURLEncoding.EncodeToString(b)}, nil
}

// stateMatches compares in constant time so the state cannot be guessed
// byte by byte from response timing.
func stateMatches(got, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
