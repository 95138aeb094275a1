package keyring

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidKey is returned when a key (profile name) is not a safe name.
var ErrInvalidKey = errors.New("invalid profile name")

// maxKeyLen keeps keys short enough for every keychain's item name and for
// file names on every platform.
const maxKeyLen = 64

// windowsDeviceNames are refused everywhere so that a profile made on Linux
// still works when its files are copied to Windows.
var windowsDeviceNames = map[string]bool{
	"CON": true, "PRN": true, "AUX": true, "NUL": true,
	"COM1": true, "COM2": true, "COM3": true, "COM4": true, "COM5": true,
	"COM6": true, "COM7": true, "COM8": true, "COM9": true,
	"LPT1": true, "LPT2": true, "LPT3": true, "LPT4": true, "LPT5": true,
	"LPT6": true, "LPT7": true, "LPT8": true, "LPT9": true,
}

// ValidateKey reports whether key can name a stored token set in every
// store: 1 to 64 ASCII letters, digits, '.', '_' or '-', starting with a
// letter or digit (so it is never hidden, never "..", and never collides with
// the file store's temporary files, which start with a dot).
func ValidateKey(key string) error {
	if key == "" || len(key) > maxKeyLen {
		return fmt.Errorf("%w %q: must be 1 to %d characters", ErrInvalidKey, key, maxKeyLen)
	}
	for i, r := range key {
		alnum := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		if alnum || i > 0 && (r == '.' || r == '_' || r == '-') {
			continue
		}
		return fmt.Errorf("%w %q: use letters, digits, '.', '_' or '-', starting with a letter or digit", ErrInvalidKey, key)
	}
	if base, _, _ := strings.Cut(key, "."); windowsDeviceNames[strings.ToUpper(base)] {
		return fmt.Errorf("%w %q: reserved device name on Windows", ErrInvalidKey, key)
	}
	return nil
}
