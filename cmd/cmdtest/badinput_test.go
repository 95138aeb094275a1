package cmdtest_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

// Bad input is refused with a clear message before any request reaches
// the server.
func TestBadInputSendsNoRequest(t *testing.T) {
	cases := []struct {
		name   string
		args   []string
		config string
		code   int
		msg    string
	}{
		{"unknown flag", []string{"layers", "list", "--colour"}, "", 2, "unknown flag: --colour"},
		{"bad output format", []string{"layers", "list", "-o", "xml"}, "", 2, `unknown output format "xml"`},
		{"bad jq", []string{"maps", "list", "--jq", ".[ |"}, "", 2, "invalid --jq expression"},
		{"malformed REF", []string{"layers", "get", "rivers"}, "", 2, "invalid publication reference"},
		{"malformed REF to delete", []string{"maps", "delete", "Alice:x", "--yes"}, "", 2, "invalid publication reference"},
		{"bad bbox", []string{"layers", "list", "--bbox", "1,2,3"}, "", 2, "--bbox"},
		{"bad order", []string{"publications", "list", "--order-by", "size"}, "", 2, "--order-by"},
		{"full_text without search", []string{"layers", "list", "--order-by", "full_text"}, "", 2, "needs --search"},
		{"negative limit", []string{"maps", "list", "--limit", "-5"}, "", 2, "--limit"},
		{"bad workspace", []string{"layers", "list", "--workspace", "Bad-Name"}, "", 2, "--workspace"},
		{"bad username", []string{"users", "delete", "Bob", "--yes"}, "", 2, "USERNAME"},
		{"unknown profile", []string{"--profile", "nope", "layers", "list"}, "", 2, `unknown profile "nope"`},
		{"corrupt config", []string{"layers", "list"}, "profiles: [oops\n", 1, "config file"},
		{"api bad method", []string{"api", "GE T", "rest/layers"}, "", 2, "invalid HTTP method"},
		{"api missing file", []string{"api", "POST", "rest/layers", "-F", "file=@/nonexistent/x.geojson"}, "", 2, "-F file"},
		{"api other host", []string{"api", "GET", "https://example.com/rest/layers"}, "", 2, "not below the server URL"},
		{"api bad header", []string{"api", "GET", "rest/layers", "-H", "NoColon"}, "", 2, "-H"},
		{"strptime time format", []string{"layers", "publish", "--workspace", "alice", "--time-regex", "[0-9]{8}", "--time-regex-format", "%Y%m%d", "s2_20240101.tif"},
			"", 2, "Java SimpleDateFormat pattern: use yyyyMMdd"},
		{"update --name", []string{"layers", "update", "alice:x", "--name", "y"}, "", 2, "Layman never renames a layer"},
		{"maps update --name", []string{"maps", "update", "alice:x", "--name", "y"}, "", 2, "Layman never renames a map"},
		{"publish --uuid not a UUID", []string{"layers", "publish", "--workspace", "alice", "--uuid", "rivers-1", "rivers.geojson"}, "", 2, `uuid: "rivers-1" is not a UUID`},
		{"maps publish --uuid not a UUID", []string{"maps", "publish", "--workspace", "alice", "--uuid", "{0b7c6a4e12344abc8def5a6b7c8d9e0f}", "city.json"}, "", 2, "is not a UUID like"},
		{"bbox with spaces", []string{"layers", "list", "--bbox", "12, 48, 19, 51"}, "", 2, "plain decimal number"},
		{"lower-case everyone", []string{"layers", "update", "alice:x", "--read", "everyone"}, "", 2, "did you mean EVERYONE"},
		{"wait negative timeout", []string{"layers", "wait", "alice:x", "--timeout", "-1s"}, "", 2, "--timeout"},
	}
	for _, gen := range cmdtest.Generations {
		h := cmdtest.New(t, cmdtest.Options{Generation: gen})
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				h.T = t
				h.WriteConfig(c.config)
				h.Server.ResetRequests()
				r := h.Run(c.args...)
				if r.Code != c.code || !strings.Contains(r.Stderr, c.msg) || r.Stdout != "" {
					t.Errorf("gen %d: want exit %d and %q:\n%s", gen, c.code, c.msg, r)
				}
				h.ExpectNoRequests()
			})
		}
	}
}

// unreadable makes a file named name that exists but cannot be opened for
// reading: mode 000, or for root (who reads any such file) a link to a
// write-only kernel setting.
func unreadable(t *testing.T, dir, name string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if os.Geteuid() != 0 {
		if err := os.WriteFile(p, []byte("{}"), 0o000); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const writeOnly = "/proc/sys/vm/compact_memory" // mode 0200: not even root reads it
	if f, err := os.Open(writeOnly); err == nil || !errors.Is(err, fs.ErrPermission) {
		if err == nil {
			f.Close()
		}
		t.Skipf("running as root, and %s is readable or missing (%v): no file root cannot read", writeOnly, err)
	}
	if err := os.Symlink(writeOnly, p); err != nil {
		t.Fatal(err)
	}
	return p
}

// A data file that cannot be read is bad input, like a missing one: exit 2
// before anything is sent.
func TestUnreadableFileIsBadInput(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{})
	dir := t.TempDir()
	geojson := unreadable(t, dir, "rivers.geojson")
	for _, ext := range []string{".shp", ".shx", ".prj"} {
		if err := os.WriteFile(filepath.Join(dir, "roads"+ext), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	dbf := unreadable(t, dir, "roads.dbf")
	for _, args := range [][]string{
		{"layers", "publish", "-w", "alice", geojson},
		{"layers", "publish", "-w", "alice", filepath.Join(dir, "roads.shp"), filepath.Join(dir, "roads.shx"), dbf, filepath.Join(dir, "roads.prj")},
		{"layers", "update", "alice:rivers", geojson},
	} {
		r := h.Run(args...)
		if r.Code != 2 || !strings.Contains(r.Stderr, "cannot be read: permission denied") {
			t.Errorf("%v:\n%s", args, r)
		}
	}
	h.ExpectNoRequests()
}
