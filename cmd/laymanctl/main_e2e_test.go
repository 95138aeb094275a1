package main

// End-to-end tests of the real laymanctl binary against real components: a
// Django OAuth Toolkit portal (auth/dottest), the fake Layman validating
// tokens at it as Layman does (client/laymantest), the robot user or
// headless Chromium as the person's browser, and gnome-keyring as the OS
// keychain.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/laymanctl/laymanctl/auth/dottest"
	"github.com/laymanctl/laymanctl/client/laymantest/reallayman"
)

// Built once per test binary by TestMain.
var (
	laymanctlBin string
	robotBin     string
	// binaryBuildFlags are extra `go build` flags for both.
	binaryBuildFlags []string
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "laymanctl-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	laymanctlBin = filepath.Join(dir, "laymanctl")
	robotBin = filepath.Join(dir, "robot")
	// One go build for both commands: it links them in parallel.
	args := append([]string{"build", "-o", dir + string(filepath.Separator)}, binaryBuildFlags...)
	build := exec.Command("go", append(args, ".", "github.com/laymanctl/laymanctl/auth/dottest/robot")...)
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building laymanctl and the robot: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	if err := sharedPortal.stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	if err := reallayman.StopAll(code != 0); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// sharedPortal is one DOT (one-hour tokens) for the tests that do not count
// the portal's token requests; those start their own.
var sharedPortal = &lazyPortal{}

type lazyPortal struct {
	once sync.Once
	dot  *dottest.DOT
	err  error
	// inUse admits one test at a time: DOT on Django 3.2's SQLite answers
	// HTTP 500 "database is locked" when two requests write at once.
	inUse sync.Mutex
}

// get returns the portal for the rest of the test, once no other test uses
// it.
func (p *lazyPortal) get(t *testing.T) *dottest.DOT {
	t.Helper()
	p.once.Do(func() { p.dot, p.err = dottest.Launch(context.Background(), dottest.Options{}) })
	dottest.Require(t, p.err)
	p.inUse.Lock()
	t.Cleanup(p.inUse.Unlock)
	return p.dot
}

func (p *lazyPortal) stop() error {
	if p.dot == nil {
		return nil
	}
	return p.dot.Stop()
}
