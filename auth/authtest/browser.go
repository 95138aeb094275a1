package authtest

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/laymanctl/laymanctl/auth"
)

// Page is what the loopback listener answered the fake browser.
type Page struct {
	Status int
	Body   string
}

// Browser is the fake browser of login tests: it loads the authorization
// URL at the fake server (which consents at once) and follows the redirect to
// the CLI's loopback listener, as a person's browser would.
type Browser struct {
	hc     *http.Client
	visits sync.WaitGroup // Opens in flight, awaited by LastPage

	mu     sync.Mutex
	opened []string
	pages  []Page
}

var _ auth.Browser = (*Browser)(nil)

// Browser returns a fresh fake browser.
func (s *Server) Browser() *Browser {
	return &Browser{hc: &http.Client{
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Open visits the authorization URL and delivers the redirect to the
// listener. It fails when the server does not redirect or the redirect does
// not lead to a loopback address.
func (b *Browser) Open(authorizationURL string) error {
	b.visits.Add(1)
	defer b.visits.Done()
	b.mu.Lock()
	b.opened = append(b.opened, authorizationURL)
	b.mu.Unlock()

	resp, err := b.hc.Get(authorizationURL)
	if err != nil {
		return fmt.Errorf("fake browser: %w", err)
	}
	_ = drain(resp)
	if resp.StatusCode != http.StatusFound {
		return fmt.Errorf("fake browser: authorization endpoint answered %s, not a redirect", resp.Status)
	}
	callback, err := resp.Location()
	if err != nil {
		return fmt.Errorf("fake browser: %w", err)
	}
	if ip := net.ParseIP(callback.Hostname()); callback.Scheme != "http" || ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("fake browser: redirect to %s is not a loopback listener", callback.Redacted())
	}
	return b.visit(callback)
}

// Visit loads a URL as the browser would, e.g. a hand-made callback.
func (b *Browser) Visit(u string) error {
	parsed, err := url.Parse(u)
	if err != nil {
		return fmt.Errorf("fake browser: %w", err)
	}
	return b.visit(parsed)
}

func (b *Browser) visit(u *url.URL) error {
	resp, err := b.hc.Get(u.String())
	if err != nil {
		return fmt.Errorf("fake browser: %w", err)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("fake browser: reading the page: %w", err)
	}
	b.mu.Lock()
	b.pages = append(b.pages, Page{Status: resp.StatusCode, Body: string(body)})
	b.mu.Unlock()
	return nil
}

func drain(resp *http.Response) error {
	defer resp.Body.Close()
	_, err := io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return err
}

// Opened lists the URLs the browser was asked to open.
func (b *Browser) Opened() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.opened...)
}

// LastPage is the listener's latest answer, once every Open in progress has
// finished; ok is false when there is none.
func (b *Browser) LastPage() (p Page, ok bool) {
	b.visits.Wait()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.pages) == 0 {
		return Page{}, false
	}
	return b.pages[len(b.pages)-1], true
}

// MustNotOpen is a browser whose use fails the test, for --no-browser and
// headless cases.
func MustNotOpen(t testing.TB) auth.Browser { return forbiddenBrowser{t} }

type forbiddenBrowser struct{ t testing.TB }

var errForbiddenBrowser = errors.New("the browser must not be opened")

func (f forbiddenBrowser) Open(string) error {
	f.t.Errorf("authtest: %v", errForbiddenBrowser)
	return errForbiddenBrowser
}
