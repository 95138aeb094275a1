package upload

import (
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/laymanctl/laymanctl/client"
)

const everyone = "EVERYONE"

// rolePattern is Layman's ROLE_NAME_PATTERN (at most 64 characters).
var rolePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$`) })

// reservedRoles are roles Layman refuses in access rights (error 43):
// GeoServer's RESERVED_ROLE_NAMES, ADMIN and ADMIN_GROUP
// (common/prime_db_schema/publications.py only_valid_role_names).
var reservedRoles = []string{"ROLE_ADMINISTRATOR", "ROLE_GROUP_ADMIN", "ROLE_AUTHENTICATED", "ROLE_ANONYMOUS", "ADMIN", "ADMIN_GROUP"}

// checkAccessList validates one access_rights value: names of users and
// roles and EVERYONE.
func checkAccessList(field string, names []string) error {
	for _, n := range names {
		n = strings.TrimSpace(n)
		switch {
		case n == "":
			return invalid(field, "empty name in the list")
		case n == everyone:
		case strings.EqualFold(n, everyone):
			// A lower-case name is a user, and nobody may be called everyone.
			return invalid(field, "%q is no user; did you mean %s (anyone, also without logging in)?", n, everyone)
		case strings.HasPrefix(n, "USER_"):
			return invalid(field, "%q is a role Layman keeps for one user internally; did you mean the user %s?", n, strings.ToLower(strings.TrimPrefix(n, "USER_")))
		case slices.Contains(reservedRoles, n):
			return invalid(field, "%q is an administrators' role Layman refuses in access rights; did you mean %s, or a role of your organisation?", n, everyone)
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
