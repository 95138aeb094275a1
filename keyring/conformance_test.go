package keyring

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"

	gokeyring "github.com/zalando/go-keyring"
)

// testStoreConformance checks the behaviour every Store promises. It uses
// keys with the prefix "conformance-" and leaves none of them behind.
func testStoreConformance(t *testing.T, s Store, wantName string) {
	t.Helper()
	if got := s.Name(); got != wantName {
		t.Errorf("Name() = %q, want %q", got, wantName)
	}
	const key, other = "conformance-default", "conformance-other.2"
	first := []byte(`{"access_token":"a1","refresh_token":"r1","note":"žluťoučký"}`)
	second := []byte(`{"access_token":"a2","refresh_token":"r2"}`)

	if _, err := s.Get(key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get before Set: err = %v, want ErrNotFound", err)
	}
	if err := s.Delete(key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Delete before Set: err = %v, want ErrNotFound", err)
	}
	mustSet(t, s, key, first)
	mustGet(t, s, key, first)
	mustSet(t, s, key, second) // overwrite
	mustGet(t, s, key, second)

	mustSet(t, s, other, first)
	mustGet(t, s, key, second) // keys are independent
	mustGet(t, s, other, first)

	if err := s.Delete(key); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := s.Get(key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get after Delete: err = %v, want ErrNotFound", err)
	}
	mustGet(t, s, other, first)
	if err := s.Delete(other); err != nil {
		t.Fatalf("Delete %q: %v", other, err)
	}

	for _, bad := range []string{"", "../escape", ".hidden", "a/b", "with space"} {
		if _, err := s.Get(bad); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Get(%q): err = %v, want ErrInvalidKey", bad, err)
		}
		if err := s.Set(bad, first); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Set(%q): err = %v, want ErrInvalidKey", bad, err)
		}
		if err := s.Delete(bad); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Delete(%q): err = %v, want ErrInvalidKey", bad, err)
		}
	}
}

func mustSet(t *testing.T, s Store, key string, value []byte) {
	t.Helper()
	if err := s.Set(key, value); err != nil {
		t.Fatalf("Set(%q): %v", key, err)
	}
}

func mustGet(t *testing.T, s Store, key string, want []byte) {
	t.Helper()
	got, err := s.Get(key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Get(%q) = %q, want %q", key, got, want)
	}
}

func TestConformance(t *testing.T) {
	t.Run("memory", func(t *testing.T) {
		testStoreConformance(t, NewMemory(), "memory")
	})
	t.Run("file", func(t *testing.T) {
		s, err := NewFile(t.TempDir() + "/tokens")
		if err != nil {
			t.Fatal(err)
		}
		testStoreConformance(t, s, "file")
	})
	t.Run("keyring with an in-memory keychain", func(t *testing.T) {
		testStoreConformance(t, newKeychain(KeychainOptions{}, newFakeKeychain()), "keyring")
	})
}

func TestMemoryConcurrentUse(t *testing.T) {
	s := NewMemory()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			key := fmt.Sprintf("p%d", i%2)
			for range 100 {
				if err := s.Set(key, []byte("v")); err != nil {
					t.Error(err)
				}
				if _, err := s.Get(key); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
}

func TestMemoryKeepsCopies(t *testing.T) {
	s := NewMemory()
	value := []byte("original")
	mustSet(t, s, "p", value)
	copy(value, "mutated!")
	got, _ := s.Get("p")
	copy(got, "mutated!")
	mustGet(t, s, "p", []byte("original"))
}

// fakeKeychain behaves like go-keyring's providers, in memory.
type fakeKeychain struct {
	mu    sync.Mutex
	items map[string]string
	calls int
}

func newFakeKeychain() *fakeKeychain { return &fakeKeychain{items: map[string]string{}} }

func (f *fakeKeychain) Get(service, user string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	v, ok := f.items[service+"/"+user]
	if !ok {
		return "", gokeyring.ErrNotFound
	}
	return v, nil
}

func (f *fakeKeychain) Set(service, user, password string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	f.items[service+"/"+user] = password
	return nil
}

func (f *fakeKeychain) Delete(service, user string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if _, ok := f.items[service+"/"+user]; !ok {
		return gokeyring.ErrNotFound
	}
	delete(f.items, service+"/"+user)
	return nil
}
