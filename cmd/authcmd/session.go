package authcmd

import (
	"context"
	"errors"
	"fmt"

	"github.com/laymanctl/laymanctl/cmd/cli"
)

// whoAmI asks Layman whom the new access token belongs to and reserves a
// username (want, or one Layman chooses) when there is none yet.
func whoAmI(ctx context.Context, f *cli.Factory, server, accessToken, want string) (string, error) {
	c, err := laymanClient(f, server, accessToken)
	if err != nil {
		return "", err
	}
	u, err := c.CurrentUser.Get(ctx)
	if errors.Is(err, errTokenRefused) {
		return "", &cli.ExitError{Code: cli.ExitAuth, Err: fmt.Errorf("%s refused the new access token", server),
			Hint: "Check that --auth-url names the authorization server this Layman server trusts and that the token has the scope read."}
	}
	if err != nil {
		return "", fmt.Errorf("asking %s who is logged in: %w", server, err)
	}
	if !u.Authenticated {
		return "", &cli.ExitError{Code: cli.ExitAuth, Err: errors.New("the Layman server does not accept tokens from this authorization server"),
			Hint: "Check --auth-url: it must name the authorization server " + server + " is configured with."}
	}
	if u.Username != "" {
		if want != "" && want != u.Username {
			fmt.Fprintf(f.IO.ErrOut, "You already have the Layman username %s; --username %s is ignored.\n", u.Username, want)
		}
		return u.Username, nil
	}
	u, err = c.CurrentUser.ReserveUsername(ctx, want)
	if err != nil {
		return "", fmt.Errorf("reserving a Layman username: %w", err)
	}
	if u.Username == "" {
		return "", errors.New("reserving a Layman username: the server answered without one")
	}
	return u.Username, nil
}
