package keyring

import (
	"fmt"
	"strings"
)

// StoreNames returns the values --token-store and LAYMAN_TOKEN_STORE accept,
// the default first.
func StoreNames() []string { return []string{"keyring", "file", "memory"} }

// OpenOptions configures Open.
type OpenOptions struct {
	// FileDir is the file store's directory, required for "file": where it
	// lies is the application's choice (laymanctl: cmd/config.Dirs).
	FileDir string
	// Keychain configures the keyring store.
	Keychain KeychainOptions
}

// Open returns the store called name: "keyring" (also when name is empty),
// "file" or "memory". It never falls back from one store to another: when
// the keychain is unavailable its methods say so and the user chooses.
func Open(name string, opts OpenOptions) (Store, error) {
	switch name {
	case "", "keyring":
		return NewKeychain(opts.Keychain), nil
	case "file":
		return NewFile(opts.FileDir)
	case "memory":
		return NewMemory(), nil
	default:
		return nil, fmt.Errorf("unknown token store %q: choose one of %s", name, strings.Join(StoreNames(), ", "))
	}
}
