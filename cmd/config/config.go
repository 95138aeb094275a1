// Package config reads and writes laymanctl's YAML configuration: named
// profiles, each one Layman server with its authorization server.
package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/laymanctl/laymanctl/client/atomicfile"
)

// DefaultProfile is used when neither --profile, LAYMAN_PROFILE nor the
// file names one.
const DefaultProfile = "default"

// Profile is one Layman server and how to log in to it.
type Profile struct {
	Server        string `yaml:"server,omitempty"`
	AuthURL       string `yaml:"auth_url,omitempty"`
	AuthorizeURL  string `yaml:"authorize_url,omitempty"`
	TokenURL      string `yaml:"token_url,omitempty"`
	RevokeURL     string `yaml:"revoke_url,omitempty"`
	IntrospectURL string `yaml:"introspect_url,omitempty"`
	ClientID      string `yaml:"client_id,omitempty"`
	Scopes        string `yaml:"scopes,omitempty"`
	TokenStore    string `yaml:"token_store,omitempty"`
	Output        string `yaml:"output,omitempty"`
	CAFile        string `yaml:"ca_file,omitempty"`
	// Anonymous "true" sends no credential: public data without a login.
	Anonymous string `yaml:"anonymous,omitempty"`
	// InsecureHTTP allows plain HTTP to hosts other than loopback.
	InsecureHTTP bool `yaml:"insecure_http,omitempty"`
	// API pins the server's API generation, "2" or "3"; "" or "auto"
	// asks the server (/rest/about/version).
	API string `yaml:"api,omitempty"`
}

// Config is the whole file.
type Config struct {
	CurrentProfile string              `yaml:"current_profile,omitempty"`
	Profiles       map[string]*Profile `yaml:"profiles,omitempty"`

	path string
}

// MaxFileSize bounds the configuration file: a few profiles take a few KiB.
const MaxFileSize = 64 << 10

// Load reads the file at path; a missing file is an empty configuration.
// The file is refused when over MaxFileSize or when it uses YAML anchors or
// aliases, which nothing in it needs and which can make a small file expand
// without bound (LAYMAN_CONFIG may name a file someone else wrote).
func Load(path string) (*Config, error) {
	c := &Config{path: path}
	data, err := readCapped(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, fmt.Errorf("config file %s is invalid: %s", path, yaml.FormatError(err, false, false))
	}
	for _, doc := range file.Docs {
		if doc.Body == nil {
			continue
		}
		if n := findAlias(doc.Body); n != nil {
			return nil, fmt.Errorf("config file %s is invalid: line %d: YAML anchors and aliases are not accepted", path, n.GetToken().Position.Line)
		}
		if err := yaml.NodeToValue(doc.Body, c, yaml.DisallowUnknownField()); err != nil {
			return nil, fmt.Errorf("config file %s is invalid: %s", path, yaml.FormatError(err, false, false))
		}
	}
	for name := range c.Profiles {
		if err := ValidateProfileName(name); err != nil {
			return nil, fmt.Errorf("config file %s is invalid: %w", path, err)
		}
		if c.Profiles[name] == nil {
			c.Profiles[name] = &Profile{}
		}
	}
	return c, nil
}

// File is the path the configuration was loaded from.
func (c *Config) File() string { return c.path }

// ValidateProfileName keeps profile names usable as keychain items and
// lock-file names: a letter or digit, then letters, digits, '.', '_' or
// '-', at most 64 in all. (Checked by hand: a bounded regexp costs start-up
// time in every invocation.)
func ValidateProfileName(name string) error {
	ok := len(name) > 0 && len(name) <= 64 && name[0] != '.' && name[0] != '_' && name[0] != '-'
	for _, r := range name {
		ok = ok && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-')
	}
	if !ok {
		return fmt.Errorf("invalid profile name %q: use letters, digits, '.', '_' and '-' (at most 64)", name)
	}
	return nil
}

// Profile returns the named profile, or nil when the file has none of that name.
func (c *Config) Profile(name string) *Profile {
	return c.Profiles[name]
}

// EnsureProfile returns the named profile, adding an empty one if needed.
func (c *Config) EnsureProfile(name string) *Profile {
	if c.Profiles == nil {
		c.Profiles = map[string]*Profile{}
	}
	if c.Profiles[name] == nil {
		c.Profiles[name] = &Profile{}
	}
	return c.Profiles[name]
}

// ProfileNames lists the profiles in sorted order.
func (c *Config) ProfileNames() []string {
	names := make([]string, 0, len(c.Profiles))
	for n := range c.Profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Save writes the file atomically (temp file + rename) with mode 0600.
func (c *Config) Save() error {
	data, err := yaml.Marshal(c)
	if err != nil {
		return err
	}
	return writeFile(c.path, data)
}

// writeFile replaces a file of laymanctl's own, creating its directory.
func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, data, 0o600)
}

// Keys are the profile settings `config get|set` know, in display order.
var Keys = []string{"server", "auth_url", "authorize_url", "token_url", "revoke_url", "introspect_url", "client_id", "scopes", "token_store", "output", "ca_file", "anonymous", "api"}

func (p *Profile) field(key string) (*string, error) {
	switch key {
	case "server":
		return &p.Server, nil
	case "auth_url":
		return &p.AuthURL, nil
	case "authorize_url":
		return &p.AuthorizeURL, nil
	case "token_url":
		return &p.TokenURL, nil
	case "revoke_url":
		return &p.RevokeURL, nil
	case "introspect_url":
		return &p.IntrospectURL, nil
	case "client_id":
		return &p.ClientID, nil
	case "scopes":
		return &p.Scopes, nil
	case "token_store":
		return &p.TokenStore, nil
	case "output":
		return &p.Output, nil
	case "ca_file":
		return &p.CAFile, nil
	case "anonymous":
		return &p.Anonymous, nil
	case "api":
		return &p.API, nil
	}
	return nil, fmt.Errorf("unknown key %q: known keys are %s", key, strings.Join(Keys, ", "))
}

// Get returns a setting by key.
func (p *Profile) Get(key string) (string, error) {
	f, err := p.field(key)
	if err != nil {
		return "", err
	}
	return *f, nil
}

// Set changes a setting by key after checking the value.
func (p *Profile) Set(key, value string) error {
	f, err := p.field(key)
	if err != nil {
		return err
	}
	if err := validateValue(key, value); err != nil {
		return err
	}
	*f = value
	return nil
}

func validateValue(key, value string) error {
	switch key {
	case "token_store":
		if value != "" && value != "keyring" && value != "file" {
			return fmt.Errorf("token_store must be keyring or file, not %q", value)
		}
	case "anonymous":
		if value != "" && value != "true" && value != "false" {
			return fmt.Errorf("anonymous must be true or false, not %q", value)
		}
	case "api":
		if value != "" && value != "auto" && value != "2" && value != "3" {
			return fmt.Errorf("api must be 2 (Layman 2.x), 3 (Layman 3.x) or auto, not %q", value)
		}
	case "output":
		if value != "" && value != "table" && value != "wide" && value != "json" && value != "yaml" {
			return fmt.Errorf("output must be table, wide, json or yaml, not %q", value)
		}
	case "server", "auth_url", "authorize_url", "token_url", "revoke_url", "introspect_url":
		if value != "" && !strings.HasPrefix(value, "https://") && !strings.HasPrefix(value, "http://") {
			return fmt.Errorf("%s must be an http:// or https:// URL, not %q", key, value)
		}
		// A password would sit in the file in plain text; a query or a
		// fragment is not part of a server's base address (an OAuth2
		// endpoint may have a query, RFC 6749 section 3.1).
		u, err := url.Parse(value)
		base := key == "server" || key == "auth_url"
		if base && (err != nil || NotBase(u)) {
			return fmt.Errorf("%s must be an http(s) URL without credentials, query or fragment", key)
		}
		if err != nil || u.User != nil || u.Fragment != "" {
			return fmt.Errorf("%s must be an http(s) URL without credentials or fragment", key)
		}
	}
	return nil
}

// NotBase reports whether u holds what a server's base address cannot:
// credentials (a password in plain text), a query or a fragment.
func NotBase(u *url.URL) bool {
	return u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != ""
}

// ParseBase parses a server's base address: an absolute http(s) URL with
// nothing NotBase refuses. It reports false for anything else.
func ParseBase(s string) (*url.URL, bool) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || NotBase(u) {
		return u, false
	}
	return u, true
}

// userDir is std (os.UserConfigDir, os.UserCacheDir), except that a relative
// XDG variable is ignored, as the XDG spec says, instead of failing:
// ~/homeSub is used.
func userDir(env, homeSub string, std func() (string, error)) (string, error) {
	if v := os.Getenv(env); v != "" && !filepath.IsAbs(v) && runtime.GOOS != "windows" && runtime.GOOS != "darwin" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(home, homeSub), nil
	}
	return std()
}

func readCapped(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%s is larger than %d KiB; a configuration file is a few profiles", path, MaxFileSize>>10)
	}
	return data, nil
}

// findAlias returns the first anchor or alias node under n.
func findAlias(n ast.Node) ast.Node {
	var found ast.Node
	ast.Walk(visitFunc(func(n ast.Node) bool {
		if t := n.Type(); found == nil && (t == ast.AnchorType || t == ast.AliasType) {
			found = n
		}
		return found == nil
	}), n)
	return found
}

type visitFunc func(ast.Node) bool

func (f visitFunc) Visit(n ast.Node) ast.Visitor {
	if f(n) {
		return f
	}
	return nil
}
