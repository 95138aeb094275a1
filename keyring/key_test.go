package keyring

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateKey(t *testing.T) {
	valid := []string{"default", "a", "Work-2", "prod.eu_1", strings.Repeat("x", 64), "console"}
	for _, key := range valid {
		if err := ValidateKey(key); err != nil {
			t.Errorf("ValidateKey(%q) = %v, want nil", key, err)
		}
	}
	invalid := []string{
		"", strings.Repeat("x", 65), ".", "..", ".hidden", "-flag", "_x",
		"a/b", `a\b`, "../up", "with space", "tab\t", "nul\x00", "ž", "a:b",
		"CON", "nul.json", "com1",
	}
	for _, key := range invalid {
		if err := ValidateKey(key); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("ValidateKey(%q) = %v, want ErrInvalidKey", key, err)
		}
	}
}
