// Command robot is a browser for laymanctl's CLI-level tests: set
// LAYMAN_BROWSER to its path and it logs in at the test portal with
// ROBOT_USERNAME and ROBOT_PASSWORD, approves the consent form and follows the
// redirect to the CLI's loopback listener. The URL is its last argument.
//
// The CLI may start it without waiting, so it reports to the file named by
// ROBOT_LOG (if set) as well as to stderr, and exits 1 on failure.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/laymanctl/laymanctl/auth/dottest"
)

func main() {
	err := run()
	report(err)
	if err != nil {
		os.Exit(1)
	}
}

func run() error {
	if len(os.Args) < 2 {
		return errors.New("usage: robot AUTHORIZATION_URL")
	}
	user, password := os.Getenv("ROBOT_USERNAME"), os.Getenv("ROBOT_PASSWORD")
	if user == "" || password == "" {
		return errors.New("ROBOT_USERNAME and ROBOT_PASSWORD must be set")
	}
	ctx, cancel := context.WithTimeout(context.Background(), dottest.RobotTimeout)
	defer cancel()
	return dottest.RobotLogin(ctx, os.Args[len(os.Args)-1], user, password)
}

func report(err error) {
	line := "robot: logged in\n"
	if err != nil {
		line = fmt.Sprintf("%v\n", err)
	}
	if path := os.Getenv("ROBOT_LOG"); path != "" {
		if f, ferr := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600); ferr == nil {
			f.WriteString(line)
			f.Close()
		}
	}
	// A detached robot may have no stderr left; the log file above is what counts then.
	fmt.Fprint(os.Stderr, line)
}
