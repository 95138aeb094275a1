package laymantest

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// Options configure a fake Layman. The zero value is a 3.x server with no
// valid token, on 127.0.0.1 with a temporary data directory.
type Options struct {
	// Generation is the REST API generation: 2 (workspace URLs, version
	// 2.4.0) or 3 (UUID URLs, version 3.0.0-dev). 0 means 3.
	Generation int
	// Version overrides the version /rest/about/version reports.
	Version string
	// URLs picks the URL set of a generation-3 server among the master
	// builds that all report 3.0.0-dev; "" is current master.
	URLs URLSet
	// Validator checks bearer tokens; nil accepts none.
	Validator TokenValidator
	// Addr is the listen address; "" means 127.0.0.1:0.
	Addr string
	// DataDir is where uploaded files are stored and chunks assembled;
	// "" means a temporary directory removed on Close.
	DataDir string
	// ProcessingPolls is how many GETs of a publication see UPDATING after
	// a POST or PATCH (or after the last chunk) before the final status.
	// 0 means 1; negative means none.
	ProcessingPolls int
	// Clock is the time source for updated_at and the upload inactivity
	// timer; nil means time.Now.
	Clock func() time.Time
	// InactivityTimeout is UPLOAD_MAX_INACTIVITY_TIME; 0 means 300 s.
	InactivityTimeout time.Duration
	// MaxChunks is the largest accepted resumableTotalChunks; 0 means 999.
	MaxChunks int
	// GrantDeleteOtherUser lists the users and roles allowed to delete
	// another user (Layman's GRANT_DELETE_OTHER_USER); anyone may delete
	// themselves.
	GrantDeleteOtherUser []string
	// GrantPublishInPublicWorkspace and GrantCreatePublicWorkspace are
	// Layman's GRANT_PUBLISH_IN_PUBLIC_WORKSPACE and
	// GRANT_CREATE_PUBLIC_WORKSPACE (users and roles; anonymous requests
	// pass only with EVERYONE). nil means EVERYONE, as in Layman's own
	// .env files and reallayman; an empty slice means nobody.
	GrantPublishInPublicWorkspace []string
	GrantCreatePublicWorkspace    []string
	// WFSMaxFeatures caps the features of one GetFeature answer; 0 means
	// DefaultWFSMaxFeatures.
	WFSMaxFeatures int
	// Strict makes New fail the test at cleanup when a request reached a
	// route or method the fake does not implement.
	Strict bool
}

// Request is one request the fake received, as tests inspect it. The
// token itself is never kept here.
type Request struct {
	Method        string
	Path          string
	RawQuery      string
	HasBearer     bool
	Authenticated bool
	Username      string // Layman username the token resolved to, if any
	Status        int    // 0 when the connection was dropped
	Fault         bool   // answered by the fault hook
}

// Server is an in-process fake Layman.
type Server struct {
	// URL is the base URL, e.g. http://127.0.0.1:41234 (no trailing slash).
	URL string

	opts       Options
	validator  TokenValidator
	clock      func() time.Time
	httpServer *httptest.Server
	dataDir    string
	ownDataDir bool
	users      *userStore
	routes     routeTable

	mu            sync.Mutex
	store         *publicationStore
	requests      []Request
	unexpected    []string
	fault         func(*http.Request) Fault
	seenTokens    map[string]struct{}
	invalidTokens map[string]struct{}
	closeOnce     sync.Once
	assembling    sync.WaitGroup // chunk assemblies in flight
}

// New starts a fake Layman for a test and closes it in t.Cleanup. With
// Options.Strict, requests to routes the fake does not implement fail t.
func New(t testing.TB, o Options) *Server {
	t.Helper()
	s, err := Start(o)
	if err != nil {
		t.Fatalf("laymantest: %v", err)
	}
	t.Cleanup(func() {
		s.Close()
		if !o.Strict {
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if len(s.unexpected) > 0 {
			t.Errorf("laymantest: requests to routes the fake does not implement: %s", strings.Join(s.unexpected, ", "))
		}
	})
	return s
}

// Start starts a fake Layman outside tests (sandbox commands, benchmarks).
// Call Close when done.
func Start(o Options) (*Server, error) {
	o = withDefaults(o)
	if o.Generation != 2 && o.Generation != 3 {
		return nil, fmt.Errorf("unsupported API generation %d", o.Generation)
	}
	s := &Server{
		opts:          o,
		validator:     o.Validator,
		clock:         o.Clock,
		users:         newUserStore(),
		store:         newPublicationStore(),
		seenTokens:    map[string]struct{}{},
		invalidTokens: map[string]struct{}{},
	}
	if s.validator == nil {
		s.validator = StaticTokens{}
	}
	s.dataDir = o.DataDir
	if s.dataDir == "" {
		dir, err := os.MkdirTemp("", "laymantest-")
		if err != nil {
			return nil, fmt.Errorf("data dir: %w", err)
		}
		s.dataDir, s.ownDataDir = dir, true
	}
	s.routes = s.buildRoutes()
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		if s.ownDataDir {
			_ = os.RemoveAll(s.dataDir)
		}
		return nil, fmt.Errorf("listen: %w", err)
	}
	s.httpServer = &httptest.Server{Listener: ln, Config: &http.Server{Handler: s}}
	s.httpServer.Start()
	s.URL = s.httpServer.URL
	return s, nil
}

func withDefaults(o Options) Options {
	if o.Generation == 0 {
		o.Generation = 3
	}
	if o.Version == "" {
		o.Version = map[int]string{2: "2.4.0", 3: "3.0.0-dev"}[o.Generation]
	}
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	if o.ProcessingPolls == 0 {
		o.ProcessingPolls = 1
	} else if o.ProcessingPolls < 0 {
		o.ProcessingPolls = 0
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.InactivityTimeout == 0 {
		o.InactivityTimeout = 300 * time.Second
	}
	if o.WFSMaxFeatures == 0 {
		o.WFSMaxFeatures = DefaultWFSMaxFeatures
	}
	if o.MaxChunks == 0 {
		o.MaxChunks = 999
	}
	return o
}

// Close stops the server and removes a temporary data directory.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.httpServer.CloseClientConnections()
		s.httpServer.Close()
		s.assembling.Wait()
		if s.ownDataDir {
			_ = os.RemoveAll(s.dataDir)
		}
	})
}

// DataDir is where the server keeps uploaded files.
func (s *Server) DataDir() string { return s.dataDir }

// Requests returns the requests received so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ResetRequests forgets the recorded requests.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

// CountRequests counts recorded requests with method ("" for any) whose
// path starts with pathPrefix.
func (s *Server) CountRequests(method, pathPrefix string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if (method == "" || r.Method == method) && strings.HasPrefix(r.Path, pathPrefix) {
			n++
		}
	}
	return n
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &recorder{ResponseWriter: w}
	entry := Request{
		Method:    r.Method,
		Path:      r.URL.Path,
		RawQuery:  r.URL.RawQuery,
		HasBearer: strings.HasPrefix(r.Header.Get(authzHeader), "Bearer "),
	}
	defer func() {
		entry.Status = rec.status
		s.mu.Lock()
		s.requests = append(s.requests, entry)
		s.mu.Unlock()
	}()
	consumed, fault := s.applyFault(rec, r)
	if consumed {
		entry.Fault = true
		return
	}
	if fault.LoseAnswer {
		entry.Fault = true
		real := rec
		rec = &recorder{ResponseWriter: httptest.NewRecorder()}
		defer func() { _ = real.hijackAndClose() }()
	}
	h, known := s.routes.match(r.Method, r.URL.Path)
	if h == nil {
		s.noteUnexpected(r)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if known {
			rec.WriteHeader(http.StatusMethodNotAllowed)
			_, _ = rec.Write([]byte(flaskMethodNotAllowed))
			return
		}
		rec.WriteHeader(http.StatusNotFound)
		_, _ = rec.Write([]byte(flaskNotFound))
		return
	}
	a := &actor{}
	if !unauthenticated[strings.TrimSuffix(r.URL.Path, "/")] {
		var lerr *laymanError
		var err error
		if a, lerr, err = s.authenticate(r); err != nil {
			http.Error(rec, "Internal Server Error", http.StatusInternalServerError)
			return
		}
		if lerr != nil {
			writeError(rec, lerr)
			return
		}
	}
	entry.Authenticated, entry.Username = a.authenticated, a.username
	if lerr := h.serve(rec, r, a); lerr != nil {
		writeError(rec, lerr)
	}
}

func (s *Server) noteUnexpected(r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unexpected = append(s.unexpected, r.Method+" "+r.URL.Path)
}

// recorder keeps the status for the request log; it still lets the fault
// hook hijack the connection.
type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *recorder) hijackAndClose() error {
	hj, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		return errors.New("response writer cannot hijack")
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return fmt.Errorf("hijack: %w", err)
	}
	return conn.Close()
}

func (s *Server) now() time.Time { return s.clock().UTC() }
