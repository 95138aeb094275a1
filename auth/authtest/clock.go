package authtest

import (
	"sync"
	"time"
)

// Clock is the fake server's notion of time: wall time shifted by Advance, or
// a frozen instant when made with NewClock. It satisfies auth.Clock, so a test
// can share it with the code under test.
type Clock struct {
	mu     sync.Mutex
	frozen bool
	now    time.Time // the frozen instant
	offset time.Duration
}

// NewClock returns a clock frozen at start; only Advance moves it.
func NewClock(start time.Time) *Clock { return &Clock{frozen: true, now: start} }

// WallClock returns a clock that follows real time plus whatever Advance adds,
// for programs (a sandbox) where tokens should also expire on their own.
func WallClock() *Clock { return &Clock{} }

// Now is the current fake time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen {
		return c.now
	}
	return time.Now().Add(c.offset)
}

// Advance moves the clock forward by d, e.g. past a token's expiry.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.offset += d
}
