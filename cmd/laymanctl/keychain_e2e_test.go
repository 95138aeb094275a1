package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/auth/dottest"
	"github.com/laymanctl/laymanctl/keyring/secretservicetest"
)

// startSecretService gives the sandbox a private session bus with an
// unlocked gnome-keyring-daemon on it, both stopped when the test ends.
func (s *sandbox) startSecretService() {
	for _, kv := range secretservicetest.Start(s.t, s.environ()) {
		k, v, _ := strings.Cut(kv, "=")
		s.set(k, v)
	}
}

// TestKeychainLogin logs in with the default store, the OS keychain (a real
// Secret Service), where the user's own tools find the item.
func TestKeychainLogin(t *testing.T) {
	t.Parallel()
	d := sharedPortal.get(t)
	l := newLayman(t, d)
	s := newSandbox(t)
	s.set("LAYMAN_TOKEN_STORE", "")
	s.startSecretService()
	s.useRobot(dottest.Alice)

	username := wantLoggedIn(t, s.ok("", loginArgs(l, d)...), l)
	addPrivateLayer(l, username)
	status := s.ok("", "auth", "status")
	if !strings.Contains(status.stdout, username) || !strings.Contains(status.stdout, "keyring") {
		t.Errorf("auth status does not name %s and the keyring store:\n%s", username, status.stdout)
	}
	wantLayerListed(t, s.ok("", "layers", "list", "-o", "json"))

	lookup := exec.Command("secret-tool", "lookup", "service", "laymanctl", "username", "default")
	lookup.Env = s.environ()
	item, err := lookup.Output()
	if err != nil || !bytes.Contains(item, []byte("refresh_token")) {
		t.Fatalf("secret-tool finds no token set for profile default (err %v, %d bytes)", err, len(item))
	}
	token := strings.TrimSpace(s.ok("", "auth", "token").stdout)
	if !bytes.Contains(item, []byte(token)) {
		t.Error("the keychain item does not hold the access token auth token prints")
	}
	if files := s.filesContaining(token); len(files) > 0 {
		t.Errorf("the access token is in plain files although the keychain holds it: %v", files)
	}
	if _, err := os.Stat(s.tokenFile()); !os.IsNotExist(err) {
		t.Errorf("a file token store was written (stat: %v)", err)
	}
}

// TestKeychainAbsent logs in with the default store while no Secret Service
// is reachable: the login fails, names the file store as the way out, and
// writes no token anywhere.
func TestKeychainAbsent(t *testing.T) {
	t.Parallel()
	d := sharedPortal.get(t)
	l := newLayman(t, d)
	s := newSandbox(t)
	s.set("LAYMAN_TOKEN_STORE", "") // the sandbox's bus address leads nowhere
	s.useRobot(dottest.Alice)

	r := s.run("", loginArgs(l, d)...)
	if r.code == 0 {
		t.Fatalf("login succeeded without a keychain:\n%s", r.stderr)
	}
	if !strings.Contains(r.stderr, "--token-store file") && !strings.Contains(r.stderr, "LAYMAN_TOKEN_STORE=file") {
		t.Errorf("the error does not say how to choose the file store:\n%s", r.stderr)
	}
	if files := s.filesContaining("refresh_token", "access_token"); len(files) > 0 {
		t.Errorf("tokens were written in plain text: %v", files)
	}
	if _, err := os.Stat(filepath.Dir(s.tokenFile())); !os.IsNotExist(err) {
		t.Errorf("a token directory was created (stat: %v)", err)
	}
}
