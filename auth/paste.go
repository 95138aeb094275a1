package auth

import (
	"bufio"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// pasteInstructions tell the person on a remote machine what to do when
// the browser elsewhere cannot reach this machine's loopback listener.
const pasteInstructions = `When you have logged in, the browser goes to a %s page that it may fail to
load (the page is on this machine, not on the browser's). Copy that page's
whole address from the address bar and paste it here, then press Enter:
`

// readPasted reads lines from r and sends each non-empty one to lines
// until r ends. It runs until the process ends or r is closed: a blocked
// terminal read cannot be cancelled.
func readPasted(r io.Reader, lines chan<- string) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 64<<10)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			lines <- line
		}
	}
}

// parsePasted reads the redirect address a person pasted: the code, or the
// authorization server's refusal, when the state is this login's.
func parsePasted(line, state string) (callbackResult, error) {
	u, err := url.Parse(line)
	if err != nil || u.Path != callbackPath {
		return callbackResult{}, fmt.Errorf("that is not the address of the %s page; paste the whole address from the browser's address bar", callbackPath)
	}
	q := u.Query()
	if !stateMatches(q.Get("state"), state) {
		return callbackResult{}, fmt.Errorf("that address belongs to another login (its state does not match); paste the address this login led to")
	}
	if e := q.Get("error"); e != "" {
		return callbackResult{err: &AuthorizationError{Code: printable(e, 64), Description: printable(q.Get("error_description"), 300)}}, nil
	}
	if q.Get("code") == "" {
		return callbackResult{}, fmt.Errorf("that address carries no authorization code; paste the whole address")
	}
	return callbackResult{code: q.Get("code")}, nil
}
