package dottest_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/laymanctl/laymanctl/auth/dottest"
)

func TestChromiumLogin(t *testing.T) {
	d := portal(t)
	shot := filepath.Join(t.TempDir(), "listener.png")
	tok := login(t, d, dottest.PublicClient, d.Chromium(t, dottest.Alice.Username, dottest.Alice.Password, shot))
	wantProfile(t, d, tok.AccessToken, dottest.Alice)
	png, err := os.ReadFile(shot)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatal("screenshot is not a PNG")
	}
}
