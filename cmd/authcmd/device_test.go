package authcmd_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/laymanctl/laymanctl/auth/authtest"
	"github.com/laymanctl/laymanctl/client/laymantest"
)

// newDeviceWorld is newWorld with an authorization server that offers RFC
// 8628 and says so in its RFC 8414 metadata.
func newDeviceWorld(t *testing.T) *world {
	t.Helper()
	dot := authtest.New(t, authtest.Options{
		Clients: []authtest.Client{
			{ID: authtest.DefaultClientID, RedirectURIs: []string{authtest.DefaultRedirectURI},
				Grants: []string{authtest.GrantAuthorizationCode, authtest.GrantRefreshToken, authtest.GrantDeviceCode}},
			{ID: laymanClientID, Secret: laymanSecret},
		},
		TokenLifetime: time.Hour,
		Discovery:     authtest.OAuthDiscovery,
		DeviceFlow:    true,
	})
	layman := laymantest.New(t, laymantest.Options{Validator: &laymantest.IntrospectionValidator{
		IntrospectURL: dot.Endpoints().IntrospectURL, ClientID: laymanClientID, ClientSecret: laymanSecret,
		ProfileURL: dot.ProfileURL(), CacheTTL: -1,
	}})
	w := &world{t: t, dot: dot, layman: layman, dir: t.TempDir()}
	w.setEnv(map[string]string{"LAYMAN_TOKEN_STORE": "file"})
	return w
}

// deviceLogin starts `auth login --device` (plus extra arguments), waits
// for the user code and lets decide act on it, then returns the command's
// result.
func deviceLogin(t *testing.T, w *world, decide func(code string) bool, extra ...string) result {
	stderr := newSyncBuffer()
	done := make(chan result, 1)
	args := append([]string{"auth", "login", "--device", "--server", w.layman.URL, "--auth-url", w.dot.BaseURL()}, extra...)
	go func() {
		done <- w.run(run{stderr: stderr}, args...)
	}()
	line := waitForURL(t, stderr, "and enter the code", done)
	code := strings.TrimSpace(strings.TrimPrefix(line, "and enter the code"))
	if !decide(code) {
		t.Fatalf("the server does not know the user code %q", code)
	}
	return <-done
}

func TestDeviceLogin(t *testing.T) {
	w := newDeviceWorld(t)
	r := deviceLogin(t, w, func(code string) bool { return w.dot.ApproveDevice(code, authtest.DefaultUsername) })
	if r.code != 0 || !strings.Contains(r.stderr, "Logged in to "+w.layman.URL) || !strings.Contains(r.stderr, w.dot.BaseURL()+"device/") {
		t.Fatalf("device login: %s", r)
	}
	ts := w.stored()
	if ts == nil || ts.RefreshToken == "" || !w.dot.Active(ts.AccessToken) {
		t.Fatal("no usable token stored")
	}
	if strings.Contains(r.stderr, ts.AccessToken) {
		t.Error("stderr shows the access token")
	}
	if n := w.dot.TokenRequests(authtest.GrantDeviceCode); n < 1 {
		t.Errorf("%d device-code token requests", n)
	}
}

// The device code collects the tokens of a device login (RFC 8628 §3.4):
// --debug, whose output ends up in CI logs and bug reports, hides it in the
// device authorization answer and in every token request.
func TestDeviceLoginDebugHidesDeviceCode(t *testing.T) {
	w := newDeviceWorld(t)
	r := deviceLogin(t, w, func(code string) bool { return w.dot.ApproveDevice(code, authtest.DefaultUsername) }, "--debug")
	if r.code != 0 {
		t.Fatalf("device login --debug: %s", r)
	}
	shown := regexp.MustCompile(`device_code"?\s*[:=]\s*"?([^"&\s,}]*)`).FindAllStringSubmatch(r.stderr, -1)
	if len(shown) < 2 {
		t.Fatalf("the debug log shows the device code %d times, want the answer and a token request:\n%s", len(shown), r.stderr)
	}
	for _, m := range shown {
		if m[1] != "REDACTED" {
			t.Errorf("the debug log shows a device code of %d characters", len(m[1]))
		}
	}
}

func TestDeviceLoginRefused(t *testing.T) {
	w := newDeviceWorld(t)
	r := deviceLogin(t, w, w.dot.DenyDevice)
	if r.code != 4 || !strings.Contains(r.stderr, "access_denied") || w.stored() != nil {
		t.Fatalf("refused device login: %s", r)
	}
}

func TestDeviceLoginWithoutServerSupport(t *testing.T) {
	w := newWorld(t) // DOT without RFC 8628 and without metadata
	r := w.run(run{}, "auth", "login", "--device", "--server", w.layman.URL, "--auth-url", w.dot.BaseURL())
	if r.code != 2 || !strings.Contains(r.stderr, "does not offer the device flow") || !strings.Contains(r.stderr, "ssh -L") {
		t.Fatalf("device login at a server without it: %s", r)
	}
}
