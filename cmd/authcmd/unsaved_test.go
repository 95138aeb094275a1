package authcmd_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/keyring"
)

// refusingStore takes the first write (the mark of a refresh about to be
// sent) and refuses the next refuse writes, as a keychain that locks while
// the refresh is in flight.
type refusingStore struct {
	keyring.Store
	writes, refuse int
}

func (s *refusingStore) Set(key string, v []byte) error {
	s.writes++
	if s.writes > 1 && s.writes <= 1+s.refuse {
		return errors.New("the keychain is locked")
	}
	return s.Store.Set(key, v)
}

func refusing(n int) func(keyring.Store) keyring.Store {
	return func(st keyring.Store) keyring.Store { return &refusingStore{Store: st, refuse: n} }
}

// A refreshed set the store refused holds the only live refresh token; a
// command that ends before its next refresh saves it as it ends.
func TestRefusedSetSavedAsTheCommandEnds(t *testing.T) {
	w := newWorld(t)
	w.mustLogin()
	old := w.expireStored()
	r := w.run(run{store: refusing(1)}, "layers", "list", "-o", "json")
	if r.code != 0 || !strings.Contains(r.stderr, "could not be saved") {
		t.Fatalf("want success and a warning that saving failed:\n%s", r)
	}
	ts := w.stored()
	if ts.RefreshToken == old.RefreshToken || !ts.RefreshSent.IsZero() || !w.dot.Active(ts.AccessToken) {
		t.Fatalf("the store does not hold the refreshed set (old refresh token %v, marked %v)", ts.RefreshToken == old.RefreshToken, !ts.RefreshSent.IsZero())
	}
	if r := w.run(run{}, "layers", "list", "-o", "json"); r.code != 0 || w.dot.Refreshes() != 1 {
		t.Fatalf("next command: %d refreshes, want 1 in all\n%s", w.dot.Refreshes(), r)
	}
}

// If the store still refuses as the command ends, the command's work
// stands but it exits 4: the next command needs a login, and says why.
func TestRefusedSetLostExitsFour(t *testing.T) {
	w := newWorld(t)
	w.mustLogin()
	w.expireStored()
	r := w.run(run{store: refusing(2)}, "layers", "list", "-o", "json")
	for _, want := range []string{`error: the command succeeded, but the refreshed tokens of profile "default" could not be saved`, "the keychain is locked", "run `laymanctl auth login`"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r)
		}
	}
	if r.code != 4 || !strings.HasPrefix(r.stdout, "[") {
		t.Errorf("want the listing and exit 4:\n%s", r)
	}
	r = w.run(run{}, "layers", "list", "-o", "json")
	if r.code != 4 || !strings.Contains(r.stderr, "the session was lost: the refresh sent at") {
		t.Errorf("next command: want exit 4 saying the session was lost:\n%s", r)
	}
}

// A person at a terminal can fix the store and have the save tried again
// (Enter), as often as needed, or give the login up (q).
func TestRefusedSetRetriedAtTheTerminal(t *testing.T) {
	for _, c := range []struct {
		stdin string
		code  int
	}{{"\n\n", 0}, {"q\n", 4}} {
		w := newWorld(t)
		w.mustLogin()
		old := w.expireStored()
		// Refused: the new set, the save as the command ends, the first retry.
		r := w.run(run{store: refusing(3), tty: true, stdin: c.stdin}, "layers", "list", "-o", "json")
		if r.code != c.code || strings.Count(r.stderr, "press Enter to try again") != strings.Count(c.stdin, "\n") {
			t.Fatalf("typing %q: want exit %d after %d prompts:\n%s", c.stdin, c.code, strings.Count(c.stdin, "\n"), r)
		}
		if saved := w.stored().RefreshToken != old.RefreshToken; saved != (c.code == 0) {
			t.Errorf("typing %q: refreshed set saved: %v", c.stdin, saved)
		}
	}
}
