package keyring

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"time"

	gokeyring "github.com/zalando/go-keyring"
)

// KeychainService is the service name under which every profile's item is
// stored in the OS keychain (Secret Service attribute "service").
const KeychainService = "laymanctl"

// DefaultKeychainTimeout bounds each keychain call: a locked keychain waiting
// for a prompt nobody sees must not hang the CLI.
const DefaultKeychainTimeout = 5 * time.Second

// ErrUnavailable is wrapped by every keychain error that means the OS
// keychain could not be used (no D-Bus session, no Secret Service, a timeout,
// a refused unlock). The error text says how to choose the file store.
var ErrUnavailable = errors.New("the OS keychain is unavailable")

// ErrValueTooLarge is returned before calling the keychain when a value is
// larger than MaxKeychainValue.
var ErrValueTooLarge = errors.New("token set too large for the OS keychain")

// fileStoreHint is the opt-in the user needs when the keychain cannot work;
// never applied automatically so tokens never land in a file unasked. It
// is the error's last line, after what failed and why, as laymanctl's
// other advice is.
const fileStoreHint = "\nTo keep tokens in a file instead (mode 0600, not encrypted), " +
	"log in with --token-store file or set LAYMAN_TOKEN_STORE=file."

// MaxKeychainValue returns the largest value, in bytes, the keychain store
// accepts on this platform; larger ones fail with ErrValueTooLarge before the
// keychain is called:
//   - windows: 2560, Credential Manager's blob limit (CRED_MAX_CREDENTIAL_BLOB_SIZE);
//   - darwin: 2900, because go-keyring base64-encodes the value into one
//     `security -i` command line capped at 4096 bytes;
//   - others (Secret Service): 64 KiB; no hard limit, but large items are slow.
func MaxKeychainValue() int {
	switch runtime.GOOS {
	case "windows":
		return 2560
	case "darwin":
		return 2900
	default:
		return 64 << 10
	}
}

// KeychainOptions configures NewKeychain.
type KeychainOptions struct {
	// Timeout bounds each call; zero means DefaultKeychainTimeout.
	Timeout time.Duration
}

// keychainBackend is the part of go-keyring the store uses, so tests can
// put a slow or failing keychain in its place.
type keychainBackend interface {
	Get(service, user string) (string, error)
	Set(service, user, password string) error
	Delete(service, user string) error
}

// osKeychain is go-keyring's package-level provider for this platform,
// asked only when a session bus exists where one is needed.
type osKeychain struct {
	// runtimeDir is where a session bus socket may be (Linux and BSDs).
	runtimeDir string
}

func (k osKeychain) Get(service, user string) (string, error) {
	if err := sessionBus(k.runtimeDir); err != nil {
		return "", err
	}
	return gokeyring.Get(service, user)
}

func (k osKeychain) Set(service, user, password string) error {
	if err := sessionBus(k.runtimeDir); err != nil {
		return err
	}
	return gokeyring.Set(service, user, password)
}

func (k osKeychain) Delete(service, user string) error {
	if err := sessionBus(k.runtimeDir); err != nil {
		return err
	}
	return gokeyring.Delete(service, user)
}

type keychainStore struct {
	backend  keychainBackend
	timeout  time.Duration
	maxValue int
}

// NewKeychain returns the Store kept in the OS keychain (macOS Keychain,
// Windows Credential Manager, Secret Service on Linux): one item per profile
// under service "laymanctl". Nothing touches the keychain until a method is
// called. A call that gives no answer within the timeout returns an error
// wrapping ErrUnavailable and context.DeadlineExceeded; the abandoned call
// may still complete in the background.
func NewKeychain(opts KeychainOptions) Store {
	return newKeychain(opts, osKeychain{runtimeDir: userRuntimeDir()})
}

func newKeychain(opts KeychainOptions, backend keychainBackend) *keychainStore {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultKeychainTimeout
	}
	return &keychainStore{backend: backend, timeout: timeout, maxValue: MaxKeychainValue()}
}

func (k *keychainStore) Name() string { return "keyring" }

func (k *keychainStore) Get(key string) ([]byte, error) {
	if err := ValidateKey(key); err != nil {
		return nil, err
	}
	var value string
	err := k.call(key, func() (err error) {
		value, err = k.backend.Get(KeychainService, key)
		return err
	})
	if err != nil {
		return nil, err
	}
	return []byte(value), nil
}

func (k *keychainStore) Set(key string, value []byte) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	if len(value) > k.maxValue {
		return fmt.Errorf("%w: profile %q needs %d bytes, the keychain on %s holds at most %d%s",
			ErrValueTooLarge, key, len(value), runtime.GOOS, k.maxValue, fileStoreHint)
	}
	return k.call(key, func() error {
		return k.backend.Set(KeychainService, key, string(value))
	})
}

func (k *keychainStore) Delete(key string) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	return k.call(key, func() error {
		return k.backend.Delete(KeychainService, key)
	})
}

// call runs f in a goroutine so that a keychain that never answers costs at
// most the timeout, and translates go-keyring's errors into the package's.
func (k *keychainStore) call(key string, f func() error) error {
	done := make(chan error, 1) // buffered: an abandoned call must not leak its goroutine forever
	go func() { done <- f() }()
	timer := time.NewTimer(k.timeout)
	defer timer.Stop()

	var err error
	select {
	case err = <-done:
	case <-timer.C:
		err = fmt.Errorf("no answer within %s: %w", k.timeout, context.DeadlineExceeded)
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gokeyring.ErrNotFound):
		return fmt.Errorf("%w for profile %q in the OS keychain", ErrNotFound, key)
	case errors.Is(err, gokeyring.ErrSetDataTooBig):
		return fmt.Errorf("%w: profile %q%s", ErrValueTooLarge, key, fileStoreHint)
	default:
		// Callers say what they were doing with which profile.
		return fmt.Errorf("%w: %w%s", ErrUnavailable, err, fileStoreHint)
	}
}
