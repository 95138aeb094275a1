package client

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"
)

// Ref names a publication either by UUID or by workspace and name. The
// client resolves it to what the server's generation needs.
type Ref struct {
	UUID      string
	Workspace string
	Name      string
}

// Limits from Layman's documentation (doc/rest.md, error 56).
const (
	MaxWorkspaceLen = 59
	MaxNameLen      = 210
)

var (
	uuidPattern = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	})
	workspacePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`) })
)

// IsUUID reports whether s is a UUID in the 8-4-4-4-12 form Layman gives.
func IsUUID(s string) bool { return uuidPattern().MatchString(s) }

// ParseRef reads a UUID (8-4-4-4-12 hexadecimal digits) or workspace:name.
func ParseRef(s string) (Ref, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Ref{}, fmt.Errorf("empty publication reference: want a UUID or workspace:name")
	}
	if IsUUID(s) {
		return Ref{UUID: strings.ToLower(s)}, nil
	}
	ws, name, ok := strings.Cut(s, ":")
	if !ok {
		return Ref{}, fmt.Errorf("invalid publication reference %q: want a UUID (8-4-4-4-12 hexadecimal digits) or workspace:name", s)
	}
	if err := ValidateWorkspace(ws); err != nil {
		return Ref{}, fmt.Errorf("invalid publication reference %q: %w", s, err)
	}
	if err := ValidateName(name); err != nil {
		return Ref{}, fmt.Errorf("invalid publication reference %q: %w", s, err)
	}
	if strings.Contains(name, ":") {
		// Layman slugifies names, so no publication has one with a colon.
		return Ref{}, fmt.Errorf("invalid publication reference %q: want workspace:name with one colon", s)
	}
	return Ref{Workspace: ws, Name: name}, nil
}

// String gives workspace:name when known, otherwise the UUID.
func (r Ref) String() string {
	if r.Workspace != "" {
		return r.Workspace + ":" + r.Name
	}
	return r.UUID
}

// ValidateWorkspace checks a workspace or username the way Layman does.
func ValidateWorkspace(ws string) error {
	switch {
	case ws == "":
		return fmt.Errorf("workspace is empty")
	case len(ws) > MaxWorkspaceLen:
		return fmt.Errorf("workspace %q is %d characters long; at most %d are allowed", ws, len(ws), MaxWorkspaceLen)
	case !workspacePattern().MatchString(ws):
		return fmt.Errorf("workspace %q is not valid: it must start with a lowercase letter and contain only lowercase letters, digits and single underscores between them (^[a-z][a-z0-9]*(_[a-z0-9]+)*$)", ws)
	}
	return nil
}

// ValidateName checks a publication name: non-empty, at most MaxNameLen
// characters (Layman counts characters, not bytes).
func ValidateName(name string) error {
	if name == "" {
		return fmt.Errorf("publication name is empty")
	}
	if n := utf8.RuneCountInString(name); n > MaxNameLen {
		return fmt.Errorf("publication name is %d characters long; at most %d are allowed", n, MaxNameLen)
	}
	return nil
}
