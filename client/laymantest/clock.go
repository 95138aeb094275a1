package laymantest

import (
	"sync"
	"time"
)

// ManualClock is a clock that moves only when a test says so, for
// Options.Clock (the upload inactivity timer) and the client's own.
type ManualClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewManualClock starts at a fixed time.
func NewManualClock() *ManualClock {
	return &ManualClock{now: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}
}

// Now is the clock's time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
