package auth

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLockFileStaysInLockDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "locks")
	unlock, err := lockProfile(context.Background(), dir, "../../evil")
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 || entries[0].Name() != ".._.._evil.lock" {
		t.Fatalf("lock dir holds %v (%v), want one sanitised lock file", entries, err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("lock dir mode %v, want 0700", fi.Mode().Perm())
	}
}

// envLockChild makes the test binary a process that takes the lock in the
// directory it names and holds it until killed.
const envLockChild = "LAYMANCTL_AUTH_LOCK_CHILD"

// A process killed while it holds the lock (kill -9, the OOM killer, a
// power cut) leaves the lock file behind but not the lock: the next
// process takes it at once instead of failing after lockWait.
func TestLockOfAKilledProcessIsFree(t *testing.T) {
	if dir := os.Getenv(envLockChild); dir != "" {
		if _, err := lockProfile(context.Background(), dir, "default"); err != nil {
			t.Fatal(err)
		}
		os.Stdout.WriteString("locked\n")
		time.Sleep(time.Hour) // until killed
	}
	dir := filepath.Join(t.TempDir(), "locks")
	child := exec.Command(os.Args[0], "-test.run=^TestLockOfAKilledProcessIsFree$", "-test.count=1")
	child.Env = append(os.Environ(), envLockChild+"="+dir)
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = child.Process.Kill(); _ = child.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "locked" {
		t.Fatalf("child: %q, %v", line, err)
	}
	held, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	_, err = lockProfile(held, dir, "default")
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("lock while the child holds it: %v, want to wait", err)
	}
	if err := child.Process.Kill(); err != nil { // SIGKILL: no cleanup runs
		t.Fatal(err)
	}
	_ = child.Wait()
	if _, err := os.Stat(filepath.Join(dir, "default.lock")); err != nil {
		t.Fatalf("the lock file should outlive its holder: %v", err)
	}
	// Bounded by lockWait; an error, not a hang, if the lock stayed taken.
	unlock, err := lockProfile(context.Background(), dir, "default")
	if err != nil {
		t.Fatalf("lock after its holder was killed: %v", err)
	}
	unlock()
}
