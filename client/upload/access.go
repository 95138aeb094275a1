package upload

import (
	"regexp"
	"strings"
	"sync"

	"github.com/laymanctl/laymanctl/client"
)

const everyone = "EVERYONE"

// rolePattern is Layman's ROLE_NAME_PATTERN (at most 64 characters).
var rolePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$`) })

// checkAccessList validates one access_rights value: names of users and
// roles and EVERYONE.
func checkAccessList(field string, names []string) error {
	for _, n := range names {
		n = strings.TrimSpace(n)
		switch {
		case n == "":
			return invalid(field, "empty name in the list")
		case n == everyone:
		case rolePattern().MatchString(n):
			if len(n) > 64 {
				return invalid(field, "role %q is longer than 64 characters", n)
			}
		case client.ValidateWorkspace(n) == nil:
		default:
			return invalid(field, "%q is neither a username (like %s), an upper-case role name, nor EVERYONE", n, "alice_1")
		}
	}
	return nil
}

// accessValue is the comma list Layman expects.
func accessValue(names []string) string {
	trimmed := make([]string, len(names))
	for i, n := range names {
		trimmed[i] = strings.TrimSpace(n)
	}
	return strings.Join(trimmed, ",")
}
