package publish_test

import (
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

// A map file that is not JSON is refused locally, saying where it breaks.
func TestMalformedMapFileSaysWhere(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		h.SeedMap("city", "City")
		dir := t.TempDir()
		cases := []struct{ content, want string }{
			{"{\n  \"describedBy\": \"x\",\n  \"title\": thing\n}\n",
				"city.json is not valid JSON: invalid character 'h' in literal true (expecting 'r') (line 3, column 13)"},
			{"{\n  \"title\": \"Město\", x\n}\n",
				"city.json is not valid JSON: invalid character 'x' looking for beginning of object key string (line 2, column 21)"},
			{"{\"title\": \"City\"",
				"city.json is not valid JSON: unexpected end of JSON input (line 1, column 17)"},
		}
		for _, c := range cases {
			path := write(t, dir, "city.json", []byte(c.content))
			for _, args := range [][]string{
				{"maps", "publish", "-w", ws, path},
				{"maps", "update", "alice:city", path},
			} {
				r := h.Run(args...)
				if r.Code != 2 || !strings.Contains(r.Stderr, c.want) {
					t.Errorf("%v with %q: want exit 2 and %q\n%s", args[:2], c.content, c.want, r)
				}
				h.ExpectNoRequests()
			}
		}
	})
}
