package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/laymanctl/laymanctl/keyring"
)

// LoadTokenSet reads profile's token set; keyring.ErrNotFound (wrapped) when
// none is stored.
func LoadTokenSet(store keyring.Store, profile string) (*TokenSet, error) {
	raw, err := store.Get(profile)
	if err != nil {
		return nil, fmt.Errorf("reading the token set of profile %q from the %s store: %w", profile, store.Name(), err)
	}
	return decodeTokenSet(store, profile, raw)
}

func decodeTokenSet(store keyring.Store, profile string, raw []byte) (*TokenSet, error) {
	var ts TokenSet
	if err := json.Unmarshal(raw, &ts); err != nil {
		// The error text of encoding/json quotes no input, so no token leaks.
		// A new login replaces it.
		return nil, &LoginRequiredError{Profile: profile, Err: err,
			Reason: fmt.Sprintf("the token set of profile %q in the %s store is damaged (%v)", profile, store.Name(), err)}
	}
	return &ts, nil
}

// SaveTokenSet writes profile's token set as JSON.
func SaveTokenSet(store keyring.Store, profile string, ts *TokenSet) error {
	raw, err := json.Marshal(ts)
	if err != nil {
		return fmt.Errorf("encoding the token set: %w", err)
	}
	if err := store.Set(profile, raw); err != nil {
		return fmt.Errorf("saving the token set of profile %q in the %s store: %w", profile, store.Name(), err)
	}
	return nil
}

// ErrNothingDeleted marks a TakeTokenSet that left the stored set where it
// was (lock or store failure): logout must not claim otherwise.
var ErrNothingDeleted = errors.New("nothing was deleted")

// TakeTokenSet removes profile's token set from the store under the
// cross-process refresh lock and returns it, for logout to revoke. Taking
// the lock means a refresh running in a parallel process finishes first (and
// its newer set is the one returned) and none can store a set afterwards.
// A damaged set is deleted all the same and reported as an error. An error
// wrapping ErrNothingDeleted means the set is still stored (ts is set when
// it could be read but not deleted).
func TakeTokenSet(ctx context.Context, store keyring.Store, lockDir, profile string) (*TokenSet, error) {
	unlock, err := lockProfile(ctx, lockDir, profile)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNothingDeleted, err)
	}
	defer unlock()
	raw, err := store.Get(profile)
	if err != nil {
		if errors.Is(err, keyring.ErrNotFound) {
			return nil, fmt.Errorf("reading the token set of profile %q from the %s store: %w", profile, store.Name(), err)
		}
		return nil, fmt.Errorf("%w: reading the token set of profile %q from the %s store: %w", ErrNothingDeleted, profile, store.Name(), err)
	}
	ts, err := decodeTokenSet(store, profile, raw) // damaged: deleted all the same
	if derr := store.Delete(profile); derr != nil && !errors.Is(derr, keyring.ErrNotFound) {
		return ts, errors.Join(err, fmt.Errorf("%w: deleting the token set of profile %q from the %s store: %w", ErrNothingDeleted, profile, store.Name(), derr))
	}
	return ts, err
}

// PutTokenSet stores a new login's token set under the refresh lock, so that
// a parallel process finishing a refresh of the previous session cannot
// overwrite it, and returns the set it replaced (nil when none could be
// read), for the caller to revoke.
func PutTokenSet(ctx context.Context, store keyring.Store, lockDir, profile string, ts *TokenSet) (replaced *TokenSet, err error) {
	unlock, err := lockProfile(ctx, lockDir, profile)
	if err != nil {
		return nil, err
	}
	defer unlock()
	replaced, _ = LoadTokenSet(store, profile)
	return replaced, SaveTokenSet(store, profile, ts)
}
