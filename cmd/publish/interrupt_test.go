package publish_test

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/laymanctl/laymanctl/client/laymantest"
	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// laymanctlBinary builds ./cmd/laymanctl once for the package's tests: an
// interrupt must reach a real process through signal.NotifyContext.
func laymanctlBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "laymanctl-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "laymanctl")
		out, err := exec.Command("go", "build", "-o", binary, "github.com/laymanctl/laymanctl/cmd/laymanctl").CombinedOutput()
		if err != nil {
			buildErr = errors.New(string(out))
		}
	})
	if buildErr != nil {
		t.Fatalf("building laymanctl: %v", buildErr)
	}
	return binary
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binary != "" {
		os.RemoveAll(filepath.Dir(binary))
	}
	os.Exit(code)
}

var resumeLine = regexp.MustCompile(`laymanctl layers resume [^\n]+`)

// Ctrl-C halfway through a chunked upload exits 130 with the resume
// command; running that command sends only the chunks the server lacks
// and the result is byte-identical.
func TestInterruptThenResume(t *testing.T) {
	bin := laymanctlBinary(t)
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		const chunks = 24
		path := write(t, t.TempDir(), "big.tif", data(chunks*64<<10, 9))
		write(t, filepath.Dir(path), "big.tfw", []byte("1\n0\n0\n-1\n0\n0\n"))
		// The fake takes the first half of the chunk POSTs and holds the
		// rest until the interrupted process has exited, then drops them.
		// The signal comes once each of the --parallel workers has a chunk
		// held: the server has exactly `half` chunks, and the process has no
		// other request on its way, which could land during the resume (a
		// worker's next chunk, sent as the signal came and read by the
		// server after the fault was removed, made 13 where 12 were due).
		const half, parallel = chunks / 2, 2
		var mu sync.Mutex
		passed, held := 0, 0
		heldNow := func() int {
			mu.Lock()
			defer mu.Unlock()
			return held
		}
		release := make(chan struct{})
		var releaseOnce sync.Once
		unblock := func() { releaseOnce.Do(func() { close(release) }) }
		defer unblock()
		h.Server.SetFault(func(r *http.Request) laymantest.Fault {
			if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/chunk") {
				return laymantest.Fault{}
			}
			mu.Lock()
			if passed < half {
				passed++
				mu.Unlock()
				return laymantest.Fault{}
			}
			held++
			mu.Unlock()
			<-release
			return laymantest.Fault{Drop: true}
		})
		// The .tif alone crosses the chunk threshold; the small world file
		// goes in the same chunked upload.
		tfw := filepath.Join(filepath.Dir(path), "big.tfw")
		publish := exec.Command(bin, "layers", "publish", "-w", ws, "--name", "big", "--chunk-size", "64KiB", "--parallel", strconv.Itoa(parallel), "--no-wait", path, tfw)
		var stdout, stderr bytes.Buffer
		publish.Stdout, publish.Stderr = &stdout, &stderr
		if err := publish.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- publish.Wait() }()
		deadline := time.After(30 * time.Second)
		for savedChunks(h) < half || heldNow() < parallel {
			select {
			case err := <-done:
				t.Fatalf("publish ended before the interrupt (%v):\n%s", err, stderr.String())
			case <-deadline:
				publish.Process.Kill()
				t.Fatalf("only %d chunks saved and %d held after 30s:\n%s", savedChunks(h), heldNow(), stderr.String())
			case <-time.After(10 * time.Millisecond):
			}
		}
		if err := publish.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			publish.Process.Kill()
			t.Fatalf("publish did not stop after SIGINT:\n%s", stderr.String())
		}
		unblock()
		if code := publish.ProcessState.ExitCode(); code != 130 {
			t.Fatalf("exit code %d after SIGINT, want 130:\n%s", code, stderr.String())
		}
		if stdout.Len() != 0 {
			t.Errorf("an interrupted upload printed data on stdout: %q", stdout.String())
		}
		line := resumeLine.FindString(stderr.String())
		if line == "" || !strings.Contains(line, "--chunk-size 64KiB") || !strings.Contains(line, path) {
			t.Fatalf("no usable resume command on stderr:\n%s", stderr.String())
		}

		// Resume through the shell, exactly as printed.
		h.Server.SetFault(nil)
		h.Server.ResetRequests()
		resume := exec.Command("sh", "-c", strings.Replace(line, "laymanctl", shellQuote(bin), 1)+" --wait -o json")
		out, err := resume.Output()
		if err != nil {
			t.Fatalf("resume failed (%v): %s\n%s", err, out, stderrOf(err))
		}
		ref := "layer:" + ws + ":big"
		var present, missing, sent int
		for _, r := range h.Server.Requests() {
			// The held requests of the cancelled process may be recorded
			// now, as dropped by the fault hook.
			if !strings.HasSuffix(r.Path, "/chunk") || r.Fault {
				continue
			}
			switch {
			case r.Method == http.MethodGet && r.Status == http.StatusOK:
				present++
			case r.Method == http.MethodGet && r.Status == http.StatusNotFound:
				missing++
			case r.Method == http.MethodPost:
				sent++
			}
		}
		// big.tif has 24 chunks, big.tfw one.
		if present != half || missing != chunks+1-half || sent != missing {
			t.Errorf("resume probed %d present and %d missing chunks of %d and sent %d; want only the missing ones sent", present, missing, chunks+1, sent)
		}
		for _, p := range []string{path, tfw} {
			if got, ok := h.Server.FileSHA256(ref, filepath.Base(p)); !ok || got != laymantest.SHA256File(t, p) {
				t.Errorf("%s on the server differs from the local file (stored %v)", filepath.Base(p), ok)
			}
		}
		if !strings.Contains(string(out), `"COMPLETE"`) {
			t.Errorf("resume --wait should print the COMPLETE layer:\n%s", out)
		}
	})
}

// savedChunks counts chunk POSTs the fake has answered.
func savedChunks(h *cmdtest.Harness) int {
	n := 0
	for _, r := range h.Server.Requests() {
		if r.Method == http.MethodPost && strings.HasSuffix(r.Path, "/chunk") && !r.Fault && r.Status == http.StatusOK {
			n++
		}
	}
	return n
}

func stderrOf(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return string(ee.Stderr)
	}
	return ""
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
