package keyring

import (
	"fmt"
	"sync"
)

// memoryStore keeps values for the life of the process: for service accounts
// logging in from environment variables and for tests.
type memoryStore struct {
	mu     sync.RWMutex
	values map[string][]byte
}

// NewMemory returns an empty Store that is safe for concurrent use and
// forgets everything when the process ends.
func NewMemory() Store {
	return &memoryStore{values: map[string][]byte{}}
}

func (m *memoryStore) Name() string { return "memory" }

func (m *memoryStore) Get(key string) ([]byte, error) {
	if err := ValidateKey(key); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	v, ok := m.values[key]
	if !ok {
		return nil, fmt.Errorf("%w for profile %q in memory", ErrNotFound, key)
	}
	return append([]byte(nil), v...), nil
}

func (m *memoryStore) Set(key string, value []byte) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.values[key] = append([]byte(nil), value...)
	return nil
}

func (m *memoryStore) Delete(key string) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.values[key]; !ok {
		return fmt.Errorf("%w for profile %q in memory", ErrNotFound, key)
	}
	delete(m.values, key)
	return nil
}
