package dottest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ChromiumPath is Debian's chromium.
const ChromiumPath = "/usr/bin/chromium"

// ChromiumTimeout bounds one login in the browser, start-up included.
const ChromiumTimeout = 90 * time.Second

// Chromium returns a browser for laymanctl's login: a headless Chromium that
// opens the authorization URL, signs in as the user, allows access, waits for
// the page the client's loopback listener shows and saves a full-page PNG
// screenshot of it to screenshotPath. It skips the test when Chromium is
// missing (fails when CI=true).
func (d *DOT) Chromium(t testing.TB, username, password, screenshotPath string) func(authURL string) error {
	t.Helper()
	if _, err := os.Stat(ChromiumPath); err != nil {
		Require(t, fmt.Errorf("dottest: %s missing (install chromium): %w", ChromiumPath, ErrUnavailable))
	}
	profile := t.TempDir()
	return func(authURL string) error {
		ctx, cancel := context.WithTimeout(context.Background(), ChromiumTimeout)
		defer cancel()
		return chromiumLogin(ctx, profile, authURL, username, password, screenshotPath)
	}
}

func chromiumLogin(ctx context.Context, profile, authURL, username, password, screenshotPath string) error {
	callback, err := redirectURI(authURL)
	if err != nil {
		return err
	}
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(ChromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox, // root in containers has no user namespaces for the sandbox
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1024, 768),
		chromedp.UserDataDir(profile),
	)
	defer cancelAlloc()
	ctx, cancelTab := chromedp.NewContext(ctx)
	defer cancelTab()

	err = chromedp.Do(ctx,
		chromedp.Navigate(authURL),
		chromedp.WaitVisible(chromedp.ID("id_username")),
		chromedp.SendKeys(chromedp.ID("id_username"), username),
		chromedp.SendKeys(chromedp.ID("id_password"), password),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.CSS(`#authorizationForm input[name="allow"]`)),
		chromedp.Click(chromedp.CSS(`#authorizationForm input[name="allow"]`)),
	)
	if err != nil {
		return fmt.Errorf("chromium: log in and allow: %w", err)
	}
	if err := waitForPage(ctx, callback); err != nil {
		return err
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return fmt.Errorf("chromium: screenshot: %w", err)
	}
	if err := os.WriteFile(screenshotPath, png, 0o644); err != nil {
		return fmt.Errorf("chromium: %w", err)
	}
	return nil
}

// waitForPage waits until the tab shows a loaded page under prefix. It asks
// again and again because a poll inside the page dies with the navigations
// that the consent form's redirect causes.
func waitForPage(ctx context.Context, prefix string) error {
	ready := fmt.Sprintf(`location.href.startsWith(%q) && document.readyState === "complete"`, prefix)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](ready)); err == nil && ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("chromium: wait for the listener's page: %w", ctx.Err())
		case <-tick.C:
		}
	}
}

// redirectURI is where the authorization URL sends the browser back to.
func redirectURI(authURL string) (string, error) {
	u, err := url.Parse(authURL)
	if err != nil {
		return "", fmt.Errorf("chromium: authorization URL: %w", err)
	}
	r := u.Query().Get("redirect_uri")
	if !strings.HasPrefix(r, "http://127.0.0.1:") {
		return "", errors.New("chromium: the authorization URL has no loopback redirect_uri")
	}
	return r, nil
}
