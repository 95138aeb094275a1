package cli

import (
	"strings"

	"github.com/laymanctl/laymanctl/auth"
	"github.com/laymanctl/laymanctl/cmd/config"
)

// Where a setting's effective value comes from, as `config get` and
// `config list` show it.
const (
	FromFlag    = "flag"
	FromEnv     = "env"
	FromFile    = "file"
	FromDefault = "default"
	FromUnset   = "unset"
)

// Setting is a profile key's effective value and its origin; Source is
// FromFlag, FromEnv (Name names the flag or variable), FromFile,
// FromDefault or FromUnset.
type Setting struct {
	Key    string `json:"key"`
	Value  string `json:"value"`
	Source string `json:"source"`
	Name   string `json:"name,omitempty"`
}

// Origin reads as "env LAYMAN_SERVER", "flag --output", "file" or "default".
func (s Setting) Origin() string {
	if s.Name != "" {
		return s.Source + " " + s.Name
	}
	return s.Source
}

// Setting resolves key as the commands do: a global flag, then its
// environment variable, then the profile, then laymanctl's default. (For
// auth_url and client_id the profile comes before the variable: the
// variables exist for CI jobs without a configuration file.)
func (f *Factory) Setting(key string) (Setting, error) {
	if _, err := (&config.Profile{}).Get(key); err != nil {
		return Setting{}, &UsageError{Err: err}
	}
	// The profile is read only when no flag or variable decides: `auth login
	// --profile new --server URL` names a profile that does not exist yet.
	var profileErr error
	flag := func(name, v string) func() (Setting, bool) {
		return func() (Setting, bool) { return Setting{Value: v, Source: FromFlag, Name: name}, v != "" }
	}
	env := func(name string) func() (Setting, bool) {
		return func() (Setting, bool) {
			v := f.Env(name)
			return Setting{Value: v, Source: FromEnv, Name: name}, v != ""
		}
	}
	fromFile := func() (Setting, bool) {
		_, p, err := f.Profile()
		if err != nil {
			profileErr = err
			return Setting{}, true
		}
		file, _ := p.Get(key)
		return Setting{Value: file, Source: FromFile}, file != ""
	}
	def := func(v string) func() (Setting, bool) {
		return func() (Setting, bool) { return Setting{Value: v, Source: FromDefault}, true }
	}
	var order []func() (Setting, bool)
	switch key {
	case "server":
		order = append(order, flag("--server", f.Flags.Server), env("LAYMAN_SERVER"), fromFile)
	case "output":
		order = append(order, flag("--output", f.Flags.Output), fromFile, def("table"))
	case "ca_file":
		order = append(order, flag("--ca-file", f.Flags.CAFile), fromFile)
	case "token_store":
		order = append(order, env("LAYMAN_TOKEN_STORE"), fromFile, def("keyring"))
	case "auth_url":
		order = append(order, fromFile, env("LAYMAN_AUTH_URL"))
	case "client_id":
		order = append(order, fromFile, env(auth.EnvClientID), def(DefaultClientID))
	case "anonymous":
		set := ""
		if f.Flags.Anonymous {
			set = "true"
		}
		order = append(order, flag("--anonymous", set), env("LAYMAN_ANONYMOUS"), fromFile, def("false"))
	case "api":
		order = append(order, env("LAYMAN_API"), fromFile, def("auto"))
	case "scopes":
		order = append(order, fromFile, def(strings.Join(DefaultScopes, " ")))
	default:
		order = append(order, fromFile)
	}
	for _, try := range order {
		if s, ok := try(); ok {
			if profileErr != nil {
				return Setting{}, profileErr
			}
			s.Key = key
			return s, nil
		}
	}
	return Setting{Key: key, Source: FromUnset}, nil
}

// Settings resolves every key of config.Keys of an existing profile.
func (f *Factory) Settings() ([]Setting, error) {
	if _, _, err := f.Profile(); err != nil {
		return nil, err
	}
	var all []Setting
	for _, k := range config.Keys {
		s, err := f.Setting(k)
		if err != nil {
			return nil, err
		}
		all = append(all, s)
	}
	return all, nil
}
