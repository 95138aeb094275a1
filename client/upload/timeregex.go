package upload

import (
	"errors"
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"
)

// Layman compiles time_regex with Python's re; laymanctl with Go's regexp.
// The two share most syntax. What neither accepts is refused here; what
// only Python accepts goes to the server, which judges it; what only Go
// accepts is refused, since Layman would refuse it.

// pythonOnly finds constructs of Python's re that Go's regexp lacks:
// lookaround, named backreferences, conditionals, atomic groups, comments
// and possessive quantifiers (escaped characters blanked first).
var pythonOnly = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\(\?(=|!|<=|<!|P=|\(|>|#)|[*+?}]\+`) })

// pythonOnlyEscapes are escapes Python's re knows and Go's does not:
// backreferences, \Z, \u, \U, \N and octal \0.
const pythonOnlyEscapes = "0123456789ZuUN"

// goOnlyEscapes are escapes Go's regexp knows and Python's re refuses.
const goOnlyEscapes = "zpPQEC"

// checkTimeRegex refuses a --time-regex that Layman's Python would refuse.
func checkTimeRegex(expr string) error {
	stripped, escapes := splitEscapes(expr)
	_, err := regexp.Compile(expr)
	if err != nil {
		if pythonOnly().MatchString(stripped) || strings.ContainsAny(escapes, pythonOnlyEscapes) {
			return nil
		}
		var se *syntax.Error
		if errors.As(err, &se) {
			return invalid("time-regex", "%q is not a valid regular expression: %s: %s", expr, se.Code, se.Expr)
		}
		return invalid("time-regex", "%q is not a valid regular expression: %v", expr, err)
	}
	if i := strings.IndexAny(escapes, goOnlyEscapes); i >= 0 {
		return invalid("time-regex", "%q uses \\%c, which Layman's regular expressions (Python's re) do not accept", expr, escapes[i])
	}
	if strings.Contains(stripped, "(?<") {
		return invalid("time-regex", "%q names a group with (?<name>...); Layman's regular expressions (Python's re) need (?P<name>...)", expr)
	}
	return nil
}

// splitEscapes returns expr with every escaped character replaced by '_',
// and the escaped characters.
func splitEscapes(expr string) (stripped, escapes string) {
	var s, e strings.Builder
	for i := 0; i < len(expr); i++ {
		if expr[i] == '\\' && i+1 < len(expr) {
			s.WriteString("__")
			e.WriteByte(expr[i+1])
			i++
			continue
		}
		s.WriteByte(expr[i])
	}
	return s.String(), e.String()
}
