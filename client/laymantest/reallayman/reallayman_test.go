package reallayman_test

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/client/laymantest/reallayman"
)

func TestMain(m *testing.M) { os.Exit(reallayman.Run(m)) }

func TestServers(t *testing.T) {
	for _, v := range reallayman.Versions {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			s := reallayman.Get(t, reallayman.Options{Version: v})
			if s.Version != v {
				t.Fatalf("Version = %q, want %q", s.Version, v)
			}
			t.Run("version", func(t *testing.T) {
				var about struct {
					About struct {
						Applications struct {
							Layman struct{ Version string } `json:"layman"`
						} `json:"applications"`
					} `json:"about"`
				}
				resp := s.Do(t, http.MethodGet, "/rest/about/version", "")
				defer resp.Body.Close()
				if err := json.NewDecoder(resp.Body).Decode(&about); err != nil {
					t.Fatal(err)
				}
				want := map[string]string{reallayman.Master: "3.0.0-dev", reallayman.V24: "2.4.0"}[v]
				if got := about.About.Applications.Layman.Version; !strings.HasPrefix(strings.TrimPrefix(got, "v"), want) {
					t.Fatalf("Layman version %q, want %s", got, want)
				}
			})
			t.Run("expired token is code 32", func(t *testing.T) {
				tok := s.Token(t, s.Bob).AccessToken
				if name := s.ReserveUsername(t, tok); name != s.Bob.Username {
					t.Fatalf("reserved %q, want %q", name, s.Bob.Username)
				}
				s.ExpireToken(t, tok)
				resp := s.Do(t, http.MethodGet, "/rest/current-user", tok)
				defer resp.Body.Close()
				var e struct{ Code int }
				json.NewDecoder(resp.Body).Decode(&e)
				if resp.StatusCode != http.StatusForbidden || e.Code != 32 {
					t.Fatalf("after expiry: HTTP %d code %d, want 403 code 32", resp.StatusCode, e.Code)
				}
			})
		})
	}
}
