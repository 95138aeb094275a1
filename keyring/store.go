// Package keyring keeps laymanctl's token sets: in the OS keychain (the
// default), in a permission-checked file (explicit opt-in) or in memory.
package keyring

import "errors"

// ErrNotFound is returned by Get and Delete when the key holds nothing.
var ErrNotFound = errors.New("no token set stored")

// Store holds one opaque value (a serialised token set) per key; the key is
// the profile name.
type Store interface {
	Get(key string) ([]byte, error)
	Set(key string, value []byte) error
	Delete(key string) error
	// Name is what users pass to --token-store: "keyring", "file" or "memory".
	Name() string
}
