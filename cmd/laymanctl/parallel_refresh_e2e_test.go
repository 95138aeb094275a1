package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/laymanctl/laymanctl/auth/dottest"
	"github.com/laymanctl/laymanctl/client/laymantest"
	"github.com/laymanctl/laymanctl/client/laymantest/reallayman"
)

// tokenEndpointAnswer is a line of the authorization server's request log for an
// answer of its token endpoint, with the status.
var tokenEndpointAnswer = regexp.MustCompile(`"POST /o/token/ HTTP/1\.1" (\d{3}) `)

// Access tokens living 5 s, 24 parallel publishes of a 5 MiB file and 16
// parallel lists against real Layman and its authorization server: every
// command succeeds, and the refreshes, which all processes and upload
// workers share, are at most one per lifetime elapsed plus one.
func TestShortLifetimeUnderParallelLoad(t *testing.T) {
	t.Parallel()
	const lifetime = 5 * time.Second
	// Its own instance: the test counts the authorization server's refresh
	// tokens, and stopping it ends Layman's import of the 24 layers.
	start := time.Now()
	srv, err := reallayman.Launch(context.Background(), reallayman.Options{AccessTTL: lifetime})
	dottest.Require(t, err)
	t.Logf("%s started in %s", srv, time.Since(start).Round(time.Second))
	t.Cleanup(func() {
		if err := srv.Stop(); err != nil {
			t.Error(err)
		}
	})
	tg := targetOf(t, srv)
	s := contractSandbox(t, tg, tg.alice)
	username := tg.login(t, s, tg.alice)
	issued := s.storedTokens().IssuedAt
	if issued.IsZero() {
		t.Fatal("the stored token set does not record when its access token was issued")
	}
	logStart := authLogSize(t, srv)
	s.ok("", "layers", "publish", reallayman.Sample("small.geojson"), "--workspace", username, "--name", privateLayer, "--no-wait")
	path := filepath.Join(t.TempDir(), "rivers.geojson")
	if err := os.WriteFile(path, laymantest.GeoJSON(5<<20, 7), 0o600); err != nil {
		t.Fatal(err)
	}

	const publishes, lists = 24, 16
	results := make([]result, publishes+lists)
	errs := make([]error, publishes+lists)
	var wg sync.WaitGroup
	for i := range publishes + lists {
		args := []string{"layers", "list", "-o", "json"}
		if i < publishes {
			args = []string{"layers", "publish", path, "--workspace", username, "--name", fmt.Sprintf("rivers_%d", i), "--no-wait"}
		}
		wg.Go(func() { results[i], errs[i] = s.exec("", args...) })
	}
	wg.Wait()
	for i, r := range results {
		switch {
		case errs[i] != nil:
			t.Error(errs[i])
		case r.code != 0:
			t.Errorf("%s", r)
		case i >= publishes:
			wantLayerListed(t, r)
		}
	}
	listed := s.ok("", "layers", "list", "-o", "json", "--jq", ".[].name")
	elapsed := time.Since(issued)
	for i := range publishes {
		if !regexp.MustCompile(fmt.Sprintf(`(?m)^rivers_%d$`, i)).MatchString(listed.stdout) {
			t.Errorf("layer rivers_%d was not published; layers list:\n%s", i, listed.stdout)
		}
	}

	refreshes := srv.RefreshTokens(t, tg.alice.Username) - 1 // the login's
	lifetimes := int((elapsed + lifetime - 1) / lifetime)
	t.Logf("%d refreshes in %s (%d lifetimes of %s)", refreshes, elapsed.Round(time.Millisecond), lifetimes, lifetime)
	if refreshes > lifetimes+1 {
		t.Errorf("%d refreshes in %d token lifetimes, want at most %d", refreshes, lifetimes, lifetimes+1)
	}
	// A refresh refused (a spent refresh token reused) would have cost a
	// command its session; the log line of a last answer may come late,
	// which only makes this check weaker.
	for _, m := range tokenEndpointAnswer.FindAllSubmatch(authLog(t, srv)[logStart:], -1) {
		if string(m[1]) != "200" {
			t.Errorf("the token endpoint answered HTTP %s to a refresh", m[1])
		}
	}
}

func authLog(t *testing.T, srv *reallayman.Server) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(srv.Logs, "authserver.log"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func authLogSize(t *testing.T, srv *reallayman.Server) int { return len(authLog(t, srv)) }
