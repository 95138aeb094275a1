package config

import (
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	"github.com/laymanctl/laymanctl/client"
)

// GenerationCache remembers each server's API generation in the user's cache
// directory so that commands need no version probe (client.GenerationCache).
type GenerationCache struct{ Path string }

type generationEntry struct {
	Generation int       `json:"generation"`
	Probed     time.Time `json:"probed"`
}

// DefaultGenerationCache lives under os.UserCacheDir()/laymanctl.
func DefaultGenerationCache() *GenerationCache {
	dir, err := userDir("XDG_CACHE_HOME", ".cache", os.UserCacheDir)
	if err != nil {
		return &GenerationCache{}
	}
	return &GenerationCache{Path: filepath.Join(dir, "laymanctl", "generations.json")}
}

func (c *GenerationCache) read() map[string]generationEntry {
	m := map[string]generationEntry{}
	if c.Path == "" {
		return m
	}
	if data, err := os.ReadFile(c.Path); err == nil {
		// A damaged cache is only a lost probe: start afresh.
		_ = json.Unmarshal(data, &m)
	}
	return m
}

// Load implements client.GenerationCache.
func (c *GenerationCache) Load(server string) (client.Generation, time.Time, bool) {
	e, ok := c.read()[server]
	return client.Generation(e.Generation), e.Probed, ok
}

// Store implements client.GenerationCache.
func (c *GenerationCache) Store(server string, g client.Generation, probed time.Time) error {
	if c.Path == "" {
		return nil
	}
	m := c.read()
	m[server] = generationEntry{Generation: int(g), Probed: probed}
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return writeFile(c.Path, data)
}
