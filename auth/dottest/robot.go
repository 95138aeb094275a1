package dottest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"time"
)

// RobotTimeout bounds one robot login.
const RobotTimeout = 60 * time.Second

// Robot returns a browser for laymanctl's login that logs in as the user and
// approves the consent form, like a person would; see RobotLogin.
func (d *DOT) Robot(username, password string) func(authURL string) error {
	return func(authURL string) error {
		ctx, cancel := context.WithTimeout(context.Background(), RobotTimeout)
		defer cancel()
		return RobotLogin(ctx, authURL, username, password)
	}
}

// RobotLogin does what a person does with the authorization URL: opens it,
// signs in at the login form, allows access on the consent form, and lets the
// browser follow the final redirect to the client's loopback listener. It
// returns an error when a page is not what a person expects or when the
// listener answers with an error status.
func RobotLogin(ctx context.Context, authURL, username, password string) error {
	r, err := newRobot(authURL, username, password)
	if err != nil {
		return err
	}
	resp, err := r.run(ctx, authURL)
	if err != nil {
		return err
	}
	return r.deliver(ctx, resp)
}

// RobotRedirect logs in like RobotLogin but stops where a browser on
// another machine would: it returns the address of the redirect to the
// client's listener instead of opening it, as a person copies it from the
// address bar.
func RobotRedirect(ctx context.Context, authURL, username, password string) (string, error) {
	r, err := newRobot(authURL, username, password)
	if err != nil {
		return "", err
	}
	resp, err := r.run(ctx, authURL)
	if err != nil {
		return "", err
	}
	loc, err := resp.Location()
	if err != nil {
		return "", fmt.Errorf("robot: redirect without a location: %w", err)
	}
	return loc.String(), nil
}

func newRobot(authURL, username, password string) (*robot, error) {
	start, err := url.Parse(authURL)
	if err != nil {
		return nil, fmt.Errorf("robot: authorization URL: %w", err)
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, fmt.Errorf("robot: %w", err)
	}
	// Redirects within the portal are followed; the one that leaves it is the
	// redirect to the client, delivered separately below.
	client := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if req.URL.Host != start.Host {
			return http.ErrUseLastResponse
		}
		if len(via) >= 10 {
			return errors.New("too many redirects")
		}
		return nil
	}}
	return &robot{client: client, username: username, password: password}, nil
}

type robot struct {
	client             *http.Client
	username, password string
	signedIn           bool
}

// maxPages bounds the walk: authorize, login, consent, and the redirect out.
const maxPages = 6

// run walks the portal's pages and returns the redirect out of it, its
// body closed.
func (r *robot) run(ctx context.Context, authURL string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
	if err != nil {
		return nil, fmt.Errorf("robot: %w", err)
	}
	for range maxPages {
		resp, err := r.client.Do(req)
		if err != nil {
			return nil, fmt.Errorf("robot: %w", err)
		}
		if isRedirect(resp.StatusCode) {
			resp.Body.Close()
			return resp, nil
		}
		page, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("robot: read %s: %w", resp.Request.URL.Path, err)
		}
		if req, err = r.next(ctx, resp, string(page)); err != nil {
			return nil, err
		}
	}
	return nil, fmt.Errorf("robot: no redirect to the client after %d pages", maxPages)
}

// next fills in the form the page shows.
func (r *robot) next(ctx context.Context, resp *http.Response, page string) (*http.Request, error) {
	at := resp.Request.URL
	if f, ok := findForm(page, "login-form"); ok {
		if r.signedIn {
			return nil, fmt.Errorf("robot: the portal rejected the credentials of %q", r.username)
		}
		r.signedIn = true
		f.values.Set("username", r.username)
		f.values.Set("password", r.password)
		return post(ctx, at, f)
	}
	if f, ok := findForm(page, "authorizationForm"); ok {
		f.values.Set("allow", "Authorize")
		return post(ctx, at, f)
	}
	if msg := pageError(page); msg != "" {
		return nil, fmt.Errorf("robot: the portal shows %q at %s", msg, at.Path)
	}
	return nil, fmt.Errorf("robot: unexpected page at %s (HTTP %d)", at.Path, resp.StatusCode)
}

func post(ctx context.Context, at *url.URL, f form) (*http.Request, error) {
	target, err := at.Parse(f.action) // an empty action posts back to the page's own URL
	if err != nil {
		return nil, fmt.Errorf("robot: form action: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target.String(), strings.NewReader(f.values.Encode()))
	if err != nil {
		return nil, fmt.Errorf("robot: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	// Django checks the Referer only over HTTPS, but a browser sends it anyway.
	req.Header.Set("Referer", at.String())
	return req, nil
}

// deliver follows the redirect out of the portal to the client's listener.
func (r *robot) deliver(ctx context.Context, resp *http.Response) error {
	loc, err := resp.Location()
	if err != nil {
		return fmt.Errorf("robot: redirect without a location: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, loc.String(), nil)
	if err != nil {
		return fmt.Errorf("robot: %w", err)
	}
	got, err := r.client.Do(req)
	if err != nil {
		return fmt.Errorf("robot: open the redirect to %s%s: %w", loc.Host, loc.Path, err)
	}
	defer got.Body.Close()
	io.Copy(io.Discard, got.Body)
	if got.StatusCode >= 400 {
		return fmt.Errorf("robot: %s%s answered HTTP %d", loc.Host, loc.Path, got.StatusCode)
	}
	return nil
}

func isRedirect(status int) bool {
	return status >= 300 && status < 400
}
