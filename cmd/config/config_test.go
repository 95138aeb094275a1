package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadMissingFileIsEmpty(t *testing.T) {
	c, err := Load(filepath.Join(t.TempDir(), "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Profiles) != 0 || c.CurrentProfile != "" {
		t.Fatalf("want empty config, got %+v", c)
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "config.yaml")
	c, _ := Load(path)
	p := c.EnsureProfile("prod")
	if err := p.Set("server", "https://layman.example.com"); err != nil {
		t.Fatal(err)
	}
	if err := p.Set("client_id", "laymanctl"); err != nil {
		t.Fatal(err)
	}
	c.CurrentProfile = "prod"
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("config mode %v, want 0600", st.Mode().Perm())
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temp files left behind: %v", entries)
	}
	back, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := back.Profile("prod").Get("server"); got != "https://layman.example.com" {
		t.Errorf("server = %q", got)
	}
	if back.CurrentProfile != "prod" || back.ProfileNames()[0] != "prod" {
		t.Errorf("current profile lost: %+v", back)
	}
}

func TestCorruptFileNamesFileAndLine(t *testing.T) {
	cases := map[string]string{
		"syntax":      "profiles:\n  prod:\n    server: [unclosed\n",
		"unknown key": "profiles:\n  prod:\n    sever: https://x\n",
		"bad name":    "profiles:\n  \"bad name\":\n    server: https://x\n",
		"wrong type":  "profiles: 3\n",
	}
	for name, content := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.yaml")
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path)
			if err == nil {
				t.Fatal("corrupt config accepted")
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error does not name the file: %v", err)
			}
		})
	}
	// The position of a syntax error is reported.
	path := filepath.Join(t.TempDir(), "config.yaml")
	os.WriteFile(path, []byte(cases["unknown key"]), 0o600)
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "[3:") {
		t.Errorf("error lacks line 3: %v", err)
	}
}

func TestSetValidates(t *testing.T) {
	p := &Profile{}
	for _, kv := range [][2]string{{"nope", "x"}, {"token_store", "plaintext"}, {"output", "xml"}, {"server", "ftp://x"}} {
		if err := p.Set(kv[0], kv[1]); err == nil {
			t.Errorf("Set(%q, %q) accepted", kv[0], kv[1])
		}
	}
	if err := p.Set("token_store", "file"); err != nil || p.TokenStore != "file" {
		t.Errorf("valid value refused: %v", err)
	}
}

func FuzzLoad(f *testing.F) {
	f.Add("current_profile: prod\nprofiles:\n  prod:\n    server: https://x\n")
	f.Add("profiles:\n  a: {server: 1}\n")
	f.Add(":\n- [")
	f.Add("profiles:\n  p:\n")
	f.Fuzz(func(t *testing.T, content string) {
		path := filepath.Join(t.TempDir(), "config.yaml")
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := Load(path)
		if err != nil {
			return
		}
		for _, n := range c.ProfileNames() {
			if c.Profile(n) == nil {
				t.Fatalf("profile %q loaded as nil", n)
			}
		}
	})
}

func TestValidateProfileName(t *testing.T) {
	for _, ok := range []string{"default", "prod", "a", "Prod-2.eu_west", strings.Repeat("a", 64), "9"} {
		if err := ValidateProfileName(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "-x", ".x", "_x", "a b", "a/b", "../x", "é", strings.Repeat("a", 65), "x\n"} {
		if err := ValidateProfileName(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// An alias bomb is refused before it expands, and so is an oversized file
// (review L6).
func TestLoadRefusesAliasesAndHugeFiles(t *testing.T) {
	dir := t.TempDir()
	bomb := "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
	aliases := "current_profile: default\nprofiles:\n  base: &base\n    server: https://layman.example.com\n  default: *base\n"
	huge := "current_profile: default\n" + strings.Repeat("# padding\n", MaxFileSize/10+1)
	for name, content := range map[string]string{"bomb": bomb, "aliases": aliases, "huge": huge} {
		path := filepath.Join(dir, name+".yaml")
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(path); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
}
