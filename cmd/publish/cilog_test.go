package publish_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/laymanctl/laymanctl/client/laymantest"
	"github.com/laymanctl/laymanctl/cmd"
	"github.com/laymanctl/laymanctl/cmd/cli"
	"github.com/laymanctl/laymanctl/cmd/cmdtest"
	"github.com/laymanctl/laymanctl/cmd/publications"
)

// A CI log (stderr a file) hears from a long upload and wait at every
// period, not only when something changes. The period's clock ticks at
// each chunk and each status poll, so the count does not depend on time.
func TestLogNeverSilent(t *testing.T) {
	const polls = 3
	h := cmdtest.New(t, cmdtest.Options{Generation: 3, ProcessingPolls: polls})
	ticks := make(chan time.Time)
	saved := publications.Ticks
	publications.Ticks = func() (<-chan time.Time, func()) { return ticks, func() {} }
	t.Cleanup(func() { publications.Ticks = saved })
	h.Server.SetFault(func(r *http.Request) laymantest.Fault {
		poll := r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/rest/layers/")
		chunk := r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/chunk")
		if poll || chunk {
			select {
			case ticks <- time.Now():
			case <-time.After(5 * time.Second): // nobody listening: not a tick the test counts
			}
		}
		return laymantest.Fault{}
	})

	dir := t.TempDir()
	files := []string{write(t, dir, "dem.tif", data(1<<20, 11)), write(t, dir, "dem.tfw", []byte("1\n0\n0\n-1\n0\n0\n"))}
	logPath := filepath.Join(dir, "stderr.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	f := cli.NewFactory(&cli.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: logFile}, cli.BuildInfo{Version: "test"})
	code := cmd.Run(context.Background(), f, append([]string{"layers", "publish", "-w", ws, "--wait", "--chunk-size", "256KiB", "--parallel", "1"}, files...))
	logFile.Close()
	log, _ := os.ReadFile(logPath)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, log)
	}
	var uploading, waiting int
	for line := range strings.Lines(string(log)) {
		if !strings.Contains(line, "elapsed)") {
			continue
		}
		switch {
		case strings.HasPrefix(line, "uploading 2 file(s): "):
			uploading++
		case strings.HasPrefix(line, "layer "+ws+":dem "):
			// A tick taken just before the last poll's answer may print
			// the state that answer set: COMPLETE.
			waiting++
		}
	}
	// 5 chunks: the first tick may come before any byte is counted.
	if uploading < 4 || waiting < polls {
		t.Errorf("want periodic lines for 4+ chunks and %d polls, got %d and %d:\n%s", polls, uploading, waiting, log)
	}
	if !strings.Contains(string(log), "layer "+ws+":dem COMPLETE\n") || strings.ContainsAny(string(log), "\r\x1b") {
		t.Errorf("want the final state as a plain line:\n%s", log)
	}
}
