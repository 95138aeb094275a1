package authcmd

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/laymanctl/laymanctl/auth"
	"github.com/laymanctl/laymanctl/cmd/cli"
)

// maxSecret bounds what is read from stdin for a client secret.
const maxSecret = 4 << 10

// clientSecret is a confidential client's secret: from stdin with
// --client-secret-stdin (never a flag, which would show in `ps` and shell
// history), else LAYMAN_CLIENT_SECRET, else none (a public client).
func (o *LoginOptions) clientSecret() (string, error) {
	ios := o.Factory.IO
	if !o.ClientSecretStdin {
		return o.Factory.Env(auth.EnvClientSecret), nil
	}
	var line string
	if file, ok := ios.In.(*os.File); ok && ios.InTTY {
		fmt.Fprint(ios.ErrOut, "Client secret: ")
		b, err := term.ReadPassword(int(file.Fd()))
		fmt.Fprintln(ios.ErrOut)
		if err != nil {
			return "", fmt.Errorf("reading the client secret: %w", err)
		}
		line = string(b)
	} else {
		var err error
		line, err = bufio.NewReader(io.LimitReader(ios.In, maxSecret)).ReadString('\n')
		if err != nil && err != io.EOF {
			return "", fmt.Errorf("reading the client secret from stdin: %w", err)
		}
	}
	secret := strings.TrimSpace(line)
	if secret == "" {
		return "", cli.Usagef("--client-secret-stdin: stdin gave no secret")
	}
	return secret, nil
}
