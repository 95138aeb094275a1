package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// The demo hands this binary to laymanctl as the browser: when the test
// binary is started as "browse URL" it plays that part.
func TestMain(m *testing.M) {
	if len(os.Args) > 2 && os.Args[1] == "browse" {
		if err := browse(os.Args[2]); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestDemoLogsInPublishesAndLists(t *testing.T) {
	for _, env := range []string{"LAYMAN_CONFIG", "XDG_STATE_HOME", "XDG_CACHE_HOME", "LAYMAN_TOKEN_STORE", "LAYMAN_BROWSER", "LAYMAN_ACCESS_TOKEN", "LAYMAN_SERVER", "LAYMAN_PROFILE"} {
		t.Setenv(env, "")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// Files, as in a terminal: the browser command writes to the same
	// stderr from its own process.
	stdout, stderr := tempFile(t), tempFile(t)
	err := run(ctx, []string{"demo"}, stdout, stderr)
	out, errOut := readFile(t, stdout), readFile(t, stderr)
	if err != nil {
		t.Fatalf("demo failed: %v\n%s", err, errOut)
	}
	if !strings.Contains(errOut, "Logged in to http://127.0.0.1:") || !strings.Contains(errOut, " as analyst") {
		t.Errorf("no login message:\n%s", errOut)
	}
	// The publish prints a row and the list shows the layer with its title.
	if strings.Count(out, "rivers") < 2 || !strings.Contains(out, "Rivers") {
		t.Errorf("published layer not listed:\n%s", out)
	}
	// Output to a file, not a terminal, carries no colour codes.
	if strings.Contains(out, "\x1b[") {
		t.Errorf("colour codes in output to a file:\n%q", out)
	}
}

func tempFile(t *testing.T) *os.File {
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	// Not closed: the login does not wait for the browser command it
	// started, which still holds the descriptor.
	return f
}

func readFile(t *testing.T, f *os.File) string {
	b, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestUnknownCommand(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"nope"}, &out, &out); err == nil {
		t.Error("unknown command accepted")
	}
	if err := run(context.Background(), nil, &out, &out); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Errorf("no usage: %v", err)
	}
}
