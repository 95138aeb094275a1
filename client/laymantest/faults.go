package laymantest

import (
	"net/http"
	"strings"
	"time"
)

// Fault is what the fault hook makes the server do with a request instead
// of (or before) serving it. The zero Fault serves the request normally.
type Fault struct {
	// Delay waits this long first (or until the client gives up).
	Delay time.Duration
	// Drop closes the connection without an answer.
	Drop bool
	// Status answers with this HTTP status and Body, e.g. 503 from a proxy.
	Status int
	// Body is sent with Status; JSON bodies get application/json, others
	// text/html.
	Body string
	// LoseAnswer serves the request, then closes the connection instead
	// of answering: the work is done but the client cannot know.
	LoseAnswer bool
}

// SetFault installs a hook consulted for every request before anything
// else (nil removes it). Not a Layman behaviour: fault injection for tests
// of proxies and networks in front of Layman. It runs on the request's goroutine and must be
// safe for concurrent use.
func (s *Server) SetFault(f func(r *http.Request) Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = f
}

// applyFault reports whether the request was consumed by a fault, and
// returns the fault.
func (s *Server) applyFault(w *recorder, r *http.Request) (bool, Fault) {
	s.mu.Lock()
	hook := s.fault
	s.mu.Unlock()
	if hook == nil {
		return false, Fault{}
	}
	f := hook(r)
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
		}
	}
	switch {
	case f.Drop:
		_ = w.hijackAndClose()
		return true, f
	case f.Status != 0:
		ct := "text/html; charset=utf-8"
		if strings.HasPrefix(strings.TrimSpace(f.Body), "{") {
			ct = "application/json"
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Connection", "close")
		w.WriteHeader(f.Status)
		_, _ = w.Write([]byte(f.Body))
		return true, f
	}
	return false, f
}
