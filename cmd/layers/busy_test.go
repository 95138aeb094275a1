package layers_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/laymanctl/laymanctl/client/laymantest/reallayman"
	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

// publicationLocks is the Redis hash in which Layman locks a publication
// while a POST, PATCH or DELETE and its processing run; a field is
// "<workspace>:layman.layer:<name>" (common/redis.py, master and 2.4).
const publicationLocks = "layman.common.redis:PUBLICATION_LOCKS"

func redisCLI(t *testing.T, s *reallayman.Server, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "redis-cli", append([]string{"-u", s.RedisURL}, args...)...).CombinedOutput(); err != nil {
		t.Fatalf("redis-cli %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// refusedPatches counts PATCHes of the layer that Layman answered 400 (49).
func refusedPatches(t *testing.T, s *reallayman.Server, uuid, name string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(s.Logs, "layman-access.log"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, `"PATCH `) && strings.Contains(line, `" 400 `) &&
			(strings.Contains(line, "/"+uuid+" ") || strings.Contains(line, "/layers/"+name+" ")) {
			n++
		}
	}
	return n
}

// Layman answers a PATCH of a publication it is still processing with
// error 49 (it holds the publication's lock in Redis until the processing
// ends). update waits that out, for at most --timeout; DELETE never gets
// 49 (it aborts the processing). The lock is held by the test, as Layman's
// processing holds it, so that the case does not depend on timing.
func TestUpdateWaitsWhileBusyOnRealLayman(t *testing.T) {
	cmdtest.AsAliceOnRealLayman(t, func(t *testing.T, s *reallayman.Server, h *cmdtest.Harness, suffix string) {
		name := "busy_" + suffix
		l := publish(t, h, reallayman.Sample("small.geojson"), name)
		field := "alice:layman.layer:" + name
		redisCLI(t, s, "HSET", publicationLocks, field, "patch")
		t.Cleanup(func() { redisCLI(t, s, "HDEL", publicationLocks, field) })

		r := h.Run("layers", "update", "alice:"+name, "--title", "Never", "--no-wait", "--timeout", "2s")
		if r.Code != 1 || !strings.Contains(r.Stderr, "so nothing was changed") || !strings.Contains(r.Stderr, "Layman error 49") {
			t.Fatalf("update of a locked layer past --timeout:\n%s", r)
		}
		refused := refusedPatches(t, s, l.UUID, name)

		done := make(chan cmdtest.Result, 1)
		go func() {
			done <- h.Run("layers", "update", "alice:"+name, "--title", "After the wait", "--wait", "--timeout", "3m")
		}()
		// Release the lock once Layman has refused the second update.
		for deadline := time.Now().Add(2 * time.Minute); refusedPatches(t, s, l.UUID, name) == refused; time.Sleep(100 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the update sent no PATCH that Layman refused")
			}
		}
		redisCLI(t, s, "HDEL", publicationLocks, field)
		r = <-done
		if r.Code != 0 || !strings.Contains(r.Stderr, "is still being processed by Layman (error 49); waiting") {
			t.Errorf("update of a layer locked while it waits:\n%s", r)
		}
		if g := h.Run("layers", "get", "alice:"+name, "--jq", ".title"); strings.TrimSpace(g.Stdout) != "After the wait" {
			t.Errorf("title after the update:\n%s", g)
		}

		redisCLI(t, s, "HSET", publicationLocks, field, "patch")
		if r := h.Run("layers", "delete", "alice:"+name, "--yes"); r.Code != 0 {
			t.Errorf("delete of a locked layer:\n%s", r)
		}
	})
}
