package auth

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/laymanctl/laymanctl/keyring"
)

// The child mode of TestRefreshRaceAcrossProcesses: the test binary run
// again acts as one laymanctl process asking for a token.
const (
	envRaceChild     = "LAYMANCTL_AUTH_RACE_CHILD"
	envRaceStoreDir  = "LAYMANCTL_AUTH_RACE_STORE"
	envRaceLockDir   = "LAYMANCTL_AUTH_RACE_LOCKS"
	envRaceTokenURL  = "LAYMANCTL_AUTH_RACE_TOKEN_URL"
	raceProcesses    = 16
	raceChildTimeout = 2 * time.Minute
)

func TestRefreshRaceAcrossProcesses(t *testing.T) {
	if os.Getenv(envRaceChild) != "" {
		raceChild(t)
		return
	}
	srv := newTokenServer(t)
	dir := t.TempDir()
	storeDir, lockDir := filepath.Join(dir, "tokens"), filepath.Join(dir, "locks")
	store, err := keyring.NewFile(storeDir)
	if err != nil {
		t.Fatal(err)
	}
	expired := &TokenSet{AccessToken: "access-0", RefreshToken: "refresh-0", Expiry: time.Now().Add(-time.Hour), Username: "alice"}
	if err := SaveTokenSet(store, "default", expired); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), raceChildTimeout)
	defer cancel()
	cmds := make([]*exec.Cmd, raceProcesses)
	outs := make([]*bytes.Buffer, raceProcesses)
	starts := make([]io.WriteCloser, raceProcesses)
	for i := range cmds {
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestRefreshRaceAcrossProcesses$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), envRaceChild+"=1", envRaceStoreDir+"="+storeDir, envRaceLockDir+"="+lockDir, envRaceTokenURL+"="+srv.URL+"/o/token/")
		outs[i] = &bytes.Buffer{}
		cmd.Stdout, cmd.Stderr = outs[i], outs[i]
		if starts[i], err = cmd.StdinPipe(); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds[i] = cmd
	}
	// Release all processes at once, so that they contend for the refresh.
	for _, start := range starts {
		_ = start.Close()
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("process %d failed: %v\n%s", i, err, outs[i])
			continue
		}
		if got := childToken(outs[i]); got != "access-1" {
			t.Errorf("process %d got token %q, want access-1", i, got)
		}
	}
	refreshes, _, newest := srv.stats()
	if refreshes != 1 {
		t.Errorf("%d refreshes at the authorization server, want exactly 1", refreshes)
	}
	stored, err := LoadTokenSet(store, "default")
	if err != nil {
		t.Fatal(err)
	}
	if stored.RefreshToken != newest || stored.Username != "alice" {
		t.Errorf("stored refresh token is the newest: %v, username %q", stored.RefreshToken == newest, stored.Username)
	}
}

func raceChild(t *testing.T) {
	store, err := keyring.NewFile(os.Getenv(envRaceStoreDir))
	if err != nil {
		t.Fatal(err)
	}
	src := NewStoredSource(SourceOptions{
		Profile: "default",
		Store:   store,
		LockDir: os.Getenv(envRaceLockDir),
		Config:  OAuth2Config(Endpoints{TokenURL: os.Getenv(envRaceTokenURL)}, testClientID, "", nil),
	})
	ctx, cancel := context.WithTimeout(context.Background(), raceChildTimeout)
	defer cancel()
	// Wait for the parent's start signal: stdin closing.
	_, _ = io.Copy(io.Discard, os.Stdin)
	tok, err := src.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// A fake token of the test server, safe to print.
	fmt.Printf("race-token=%s\n", tok.AccessToken)
}

func childToken(out *bytes.Buffer) string {
	sc := bufio.NewScanner(bytes.NewReader(out.Bytes()))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "race-token="); ok {
			return v
		}
	}
	return ""
}
