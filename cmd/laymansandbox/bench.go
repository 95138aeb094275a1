package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/laymanctl/laymanctl/auth"
	"github.com/laymanctl/laymanctl/auth/authtest"
	"github.com/laymanctl/laymanctl/client/atomicfile"
	"github.com/laymanctl/laymanctl/client/laymantest"
	"github.com/laymanctl/laymanctl/cmd/cli"
	"github.com/laymanctl/laymanctl/keyring"
)

// benchProfile is the laymanctl profile whose stored token set the refresh
// race starts from.
const benchProfile = "default"

// benchServe runs what .ci/bench measures laymanctl against: an
// authorization server and two fake Laymans sharing one validator, "small"
// (a typical list, the upload target, the refresh race) and "big" (the
// --all figure). Once ready it writes shell assignments to --env-file; a
// control listener on its own port serves what the product must not: the
// refresh count and a fresh expired token set for the next race.
func benchServe(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench-serve", flag.ContinueOnError)
	dir := fs.String("dir", "", "directory for the token files and the env file (required)")
	bigLayers := fs.Int("layers", 20000, "layers seeded in the big fake Layman")
	smallLayers := fs.Int("small-layers", 50, "layers seeded in the small fake Layman")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("bench-serve needs --dir")
	}
	b, err := startBench(*dir)
	if err != nil {
		return err
	}
	defer b.close()
	b.small.SeedLayers("bench", *smallLayers)
	b.big.SeedLayers("bench", *bigLayers)
	if err := b.writeExpiredTokenSet(); err != nil {
		return err
	}
	control, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("control listener: %w", err)
	}
	hs := &http.Server{Handler: b.controlRoutes(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(control) }()
	defer hs.Close()
	if err := b.writeEnv(filepath.Join(*dir, "env"), "http://"+control.Addr().String()); err != nil {
		return err
	}
	<-ctx.Done()
	return nil
}

type benchServers struct {
	dir        string
	auth       *authtest.Server
	small, big *laymantest.Server
	// tokenStore is laymanctl's file store under XDG_STATE_HOME=dir.
	tokenStore keyring.Store
}

func startBench(dir string) (*benchServers, error) {
	as, err := startAuth("")
	if err != nil {
		return nil, err
	}
	b := &benchServers{dir: dir, auth: as}
	static, err := b.writeStaticToken()
	if err != nil {
		b.close()
		return nil, err
	}
	// One shared validator, so each token is introspected once per server
	// cache, as Layman does.
	v := benchValidator{
		static:     laymantest.StaticTokens{static: {Username: analyst, Sub: analyst}},
		introspect: introspection(as),
	}
	for _, s := range []**laymantest.Server{&b.small, &b.big} {
		// No processing polls: an upload is COMPLETE once its data arrived.
		ls, err := laymantest.Start(laymantest.Options{Validator: v, ProcessingPolls: -1})
		if err != nil {
			b.close()
			return nil, fmt.Errorf("starting a fake Layman: %w", err)
		}
		ls.AddUser(analyst, laymantest.WithSub(analyst))
		*s = ls
	}
	if b.tokenStore, err = keyring.NewFile(filepath.Join(dir, "state", "laymanctl", "tokens")); err != nil {
		b.close()
		return nil, err
	}
	return b, nil
}

func (b *benchServers) close() {
	for _, s := range []*laymantest.Server{b.small, b.big} {
		if s != nil {
			s.Close()
		}
	}
	b.auth.Close()
}

// writeStaticToken makes the token curl and LAYMAN_ACCESS_TOKEN use and
// writes it to dir/token and, as a curl header line, to dir/bearer.header;
// it is never printed.
func (b *benchServers) writeStaticToken() (string, error) {
	raw := make([]byte, 24)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	tok := hex.EncodeToString(raw)
	if err := os.WriteFile(filepath.Join(b.dir, "token"), []byte(tok), 0o600); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(b.dir, "bearer.header"), []byte("Authorization: Bearer "+tok+"\n"), 0o600); err != nil {
		return "", err
	}
	return tok, nil
}

// writeExpiredTokenSet stores a fresh token set for benchProfile whose
// access token laymanctl sees as expired, so that its next command must
// refresh.
func (b *benchServers) writeExpiredTokenSet() error {
	ts, err := b.auth.IssueToken(cli.DefaultClientID, analyst, "read write")
	if err != nil {
		return err
	}
	ts.Expiry = time.Now().Add(-time.Minute)
	// Bound like a set from auth login, so the CLI sends it to this server only.
	ts.Server, ts.TokenURL = b.small.URL, b.auth.Endpoints().TokenURL
	return auth.SaveTokenSet(b.tokenStore, benchProfile, ts)
}

func (b *benchServers) writeEnv(path, controlURL string) error {
	env := fmt.Sprintf("LAYMAN_URL=%s\nLAYMAN_BIG_URL=%s\nAUTH_URL=%s\nCONTROL_URL=%s\n",
		b.small.URL, b.big.URL, b.auth.BaseURL(), controlURL)
	// Replaced atomically: the script polls for the file.
	return atomicfile.WriteFile(path, []byte(env), 0o600)
}

// controlRoutes: GET /refreshes counts successful refresh grants so far;
// GET /requests counts the requests the small fake Layman received; POST
// /expired-token stores a new expired token set.
func (b *benchServers) controlRoutes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /requests", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, strconv.Itoa(b.small.CountRequests("", "/"))+"\n")
	})
	mux.HandleFunc("GET /refreshes", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, strconv.Itoa(b.auth.Refreshes())+"\n")
	})
	mux.HandleFunc("POST /expired-token", func(w http.ResponseWriter, _ *http.Request) {
		if err := b.writeExpiredTokenSet(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}

// benchValidator accepts the static token without a round trip and
// introspects the rest (the refreshed tokens of the race).
type benchValidator struct {
	static     laymantest.StaticTokens
	introspect *laymantest.IntrospectionValidator
}

func (v benchValidator) Validate(ctx context.Context, token string) (laymantest.Identity, error) {
	if id, ok := v.static[token]; ok {
		return id, nil
	}
	return v.introspect.Validate(ctx, token)
}
