package keyring

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	gokeyring "github.com/zalando/go-keyring"
)

// blockingKeychain never answers until released, like a keychain waiting on
// an unlock prompt nobody can see.
type blockingKeychain struct {
	entered chan struct{}
	release chan struct{}
}

func newBlockingKeychain(t *testing.T) *blockingKeychain {
	b := &blockingKeychain{entered: make(chan struct{}, 3), release: make(chan struct{})}
	t.Cleanup(func() { close(b.release) })
	return b
}

func (b *blockingKeychain) block() {
	b.entered <- struct{}{}
	<-b.release
}

func (b *blockingKeychain) Get(string, string) (string, error) { b.block(); return "late", nil }
func (b *blockingKeychain) Set(string, string, string) error   { b.block(); return nil }
func (b *blockingKeychain) Delete(string, string) error        { b.block(); return nil }

// failingKeychain answers every call with err.
type failingKeychain struct{ err error }

func (f failingKeychain) Get(string, string) (string, error) { return "", f.err }
func (f failingKeychain) Set(string, string, string) error   { return f.err }
func (f failingKeychain) Delete(string, string) error        { return f.err }

func assertUnavailable(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
	for _, want := range []string{"OS keychain is unavailable", "--token-store file", "LAYMAN_TOKEN_STORE=file"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestKeychainTimeout(t *testing.T) {
	backend := newBlockingKeychain(t)
	s := newKeychain(KeychainOptions{Timeout: time.Millisecond}, backend)
	calls := map[string]func() error{
		"Get":    func() error { _, err := s.Get("p"); return err },
		"Set":    func() error { return s.Set("p", []byte("v")) },
		"Delete": func() error { return s.Delete("p") },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			result := make(chan error, 1)
			go func() { result <- call() }()
			var err error
			select {
			case err = <-result:
			case <-time.After(time.Minute):
				t.Fatal("the call is still blocked: no timeout applied")
			}
			assertUnavailable(t, err)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("err = %v, want it to wrap context.DeadlineExceeded", err)
			}
			select {
			case <-backend.entered: // the keychain really was asked
			case <-time.After(time.Minute):
				t.Error("the keychain was never called")
			}
		})
	}
}

func TestKeychainDefaultTimeout(t *testing.T) {
	if got := newKeychain(KeychainOptions{}, newFakeKeychain()).timeout; got != DefaultKeychainTimeout {
		t.Errorf("timeout = %s, want %s", got, DefaultKeychainTimeout)
	}
}

func TestKeychainErrorMapping(t *testing.T) {
	noService := errors.New("The name org.freedesktop.secrets was not provided by any .service files")
	s := newKeychain(KeychainOptions{}, failingKeychain{noService})
	err := s.Set("p", []byte("v"))
	assertUnavailable(t, err)
	if !errors.Is(err, noService) {
		t.Errorf("err = %v, want it to keep the keychain's cause", err)
	}

	s = newKeychain(KeychainOptions{}, failingKeychain{gokeyring.ErrNotFound})
	if _, err := s.Get("p"); !errors.Is(err, ErrNotFound) || errors.Is(err, ErrUnavailable) {
		t.Errorf("Get: err = %v, want ErrNotFound only", err)
	}
	if err := s.Delete("p"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Delete: err = %v, want ErrNotFound", err)
	}

	s = newKeychain(KeychainOptions{}, failingKeychain{gokeyring.ErrSetDataTooBig})
	if err := s.Set("p", []byte("v")); !errors.Is(err, ErrValueTooLarge) {
		t.Errorf("Set: err = %v, want ErrValueTooLarge", err)
	}
}

func TestKeychainRefusesOversizedValueBeforeCalling(t *testing.T) {
	backend := newFakeKeychain()
	s := newKeychain(KeychainOptions{}, backend)
	limit := MaxKeychainValue()

	err := s.Set("p", make([]byte, limit+1))
	if !errors.Is(err, ErrValueTooLarge) {
		t.Fatalf("Set(limit+1): err = %v, want ErrValueTooLarge", err)
	}
	if !strings.Contains(err.Error(), "--token-store file") {
		t.Errorf("error %q does not say how to use the file store", err)
	}
	if backend.calls != 0 {
		t.Errorf("keychain called %d times for an oversized value", backend.calls)
	}
	mustSet(t, s, "p", make([]byte, limit))
}

func TestKeychainUsesOneItemPerProfileUnderService(t *testing.T) {
	backend := newFakeKeychain()
	s := newKeychain(KeychainOptions{}, backend)
	mustSet(t, s, "work", []byte("w"))
	mustSet(t, s, "home", []byte("h"))
	if backend.items["laymanctl/work"] != "w" || backend.items["laymanctl/home"] != "h" || len(backend.items) != 2 {
		t.Errorf("items = %v, want laymanctl/work and laymanctl/home", backend.items)
	}
}

func TestKeychainRefusesInvalidKeyBeforeCalling(t *testing.T) {
	backend := newFakeKeychain()
	s := newKeychain(KeychainOptions{}, backend)
	if err := s.Set("../x", []byte("v")); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("err = %v, want ErrInvalidKey", err)
	}
	if backend.calls != 0 {
		t.Errorf("keychain called %d times for an invalid key", backend.calls)
	}
}
