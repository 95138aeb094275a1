// Package api implements `laymanctl api`, an authenticated raw request like
// `gh api`.
package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/laymanctl/laymanctl/cmd/cli"
)

// Field is one -F key=value; File means the value names a file to send.
type Field struct {
	Key, Value string
	File       bool
}

// Options are the parsed arguments of `api`.
type Options struct {
	Method  string
	Path    string
	Fields  []Field
	Headers http.Header
	// Input is a file whose content is the request body; "-" is stdin.
	Input string
}

// NewCmd builds `api`; runF replaces the run function in tests.
func NewCmd(f *cli.Factory, runF func(context.Context, *cli.Factory, *Options) error) *cobra.Command {
	if runF == nil {
		runF = Run
	}
	opts := &Options{}
	var fields, headers []string
	c := &cobra.Command{
		Use:   "api [METHOD] PATH",
		Short: "Send an authenticated request to the Layman REST API",
		Long: `Send a request to PATH below the server URL (e.g. rest/about/version) with
the active profile's credentials, and print the answer body: JSON is
pretty-printed (or filtered with --jq), anything else is copied as is.
METHOD is GET when left out.

-F key=value adds a parameter: to the query string for GET, HEAD and
DELETE, to a form body otherwise. -F key=@file sends the file, and makes the
body multipart/form-data. --input FILE (or - for stdin) sends FILE as the
body; -F parameters then go to the query string.

An answer outside 2xx is reported as Layman's error (exit code 1).`,
		Example: `  laymanctl api rest/current-user
  laymanctl api GET rest/layers -F limit=5 --jq '.[].name'
  laymanctl api POST rest/workspaces/alice/layers \
    -F file=@rivers.geojson -F title=Rivers
  laymanctl api PATCH rest/layers/UUID -F title='New title'`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 1 && methods[args[0]] {
				return cli.Usagef("%s %s: give the PATH too\nRun '%s --help' for usage.", c.CommandPath(), args[0], c.CommandPath())
			}
			if len(args) == 1 {
				return nil
			}
			return cli.ExactArgs(2, "[METHOD] PATH")(c, args)
		},
		RunE: func(c *cobra.Command, args []string) error {
			if err := opts.parse(args, fields, headers); err != nil {
				return err
			}
			return runF(c.Context(), f, opts)
		},
	}
	c.Flags().StringArrayVarP(&fields, "field", "F", nil, "add a parameter key=value, or key=@file to send a file")
	c.Flags().StringArrayVarP(&headers, "header", "H", nil, "add a request header 'Name: value'")
	c.Flags().StringVar(&opts.Input, "input", "", "send FILE as the request body (- for stdin)")
	return c
}

var methodPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z]+$`) })

// methods are those a lone argument is taken for (and refused as a PATH).
var methods = map[string]bool{http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true}

// parse checks everything that can be checked without the server.
func (o *Options) parse(args, fields, headers []string) error {
	if len(args) == 1 {
		args = []string{http.MethodGet, args[0]}
	}
	if !methodPattern().MatchString(args[0]) {
		return cli.Usagef("invalid HTTP method %q", args[0])
	}
	o.Method, o.Path = strings.ToUpper(args[0]), args[1]
	if _, err := url.Parse(o.Path); err != nil || o.Path == "" {
		return cli.Usagef("invalid PATH %q", o.Path)
	}
	o.Fields = nil
	for _, fv := range fields {
		k, v, ok := strings.Cut(fv, "=")
		if !ok || k == "" {
			return cli.Usagef("-F %q: want key=value or key=@file", fv)
		}
		fd := Field{Key: k, Value: v}
		if name, isFile := strings.CutPrefix(v, "@"); isFile {
			if err := checkFile(name); err != nil {
				return cli.Usagef("-F %s: %v", k, err)
			}
			fd.Value, fd.File = name, true
		}
		o.Fields = append(o.Fields, fd)
	}
	o.Headers = http.Header{}
	for _, h := range headers {
		name, value, ok := strings.Cut(h, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return cli.Usagef("-H %q: want 'Name: value'", h)
		}
		o.Headers.Add(name, strings.TrimSpace(value))
	}
	if o.Input != "" {
		if o.Input != "-" {
			if err := checkFile(o.Input); err != nil {
				return cli.Usagef("--input: %v", err)
			}
		}
		for _, fd := range o.Fields {
			if fd.File {
				return cli.Usagef("--input and -F %s=@file both want to be the request body", fd.Key)
			}
		}
	}
	return nil
}

func checkFile(name string) error {
	st, err := os.Stat(name)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", name)
	}
	return nil
}

// Run sends the request and prints the answer body.
func Run(ctx context.Context, f *cli.Factory, opts *Options) error {
	format := f.Flags.Output
	if format == "" || format == "table" {
		format = "json" // an API answer is data; there is no table for it
	}
	p, err := cli.NewPrinter(f.IO, format, f.Flags.JQ)
	if err != nil {
		return err
	}
	c, err := f.Client(ctx)
	if err != nil {
		return err
	}
	path, body, contentType, cleanup, err := opts.body(f.IO.In)
	if err != nil {
		return err
	}
	defer cleanup()
	req, err := c.NewRequest(ctx, opts.Method, path, body)
	if err != nil {
		return &cli.UsageError{Err: err}
	}
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for name, values := range opts.Headers {
		req.Header[name] = values
	}
	var answer bytes.Buffer
	resp, err := c.Do(req, &answer)
	if err != nil {
		return err
	}
	if answer.Len() == 0 {
		return nil
	}
	if strings.Contains(resp.Header.Get("Content-Type"), "json") || json.Valid(answer.Bytes()) {
		return p.Print(answer.Bytes(), nil)
	}
	if f.Flags.JQ != "" {
		return fmt.Errorf("--jq: the answer is %s, not JSON", resp.Header.Get("Content-Type"))
	}
	_, err = answer.WriteTo(f.IO.Out)
	return err
}

// body builds the request body and the final path. A body read from a file
// stays a file so that a retry or a token refresh can replay it.
func (o *Options) body(stdin io.Reader) (path string, body io.Reader, contentType string, cleanup func(), err error) {
	cleanup = func() {}
	path = o.Path
	params := url.Values{}
	multipartBody := false
	for _, fd := range o.Fields {
		multipartBody = multipartBody || fd.File
		if !fd.File {
			params.Add(fd.Key, fd.Value)
		}
	}
	switch {
	case o.Input == "-":
		data, err := io.ReadAll(stdin)
		if err != nil {
			return "", nil, "", cleanup, fmt.Errorf("reading the body from stdin: %w", err)
		}
		return withQuery(path, params), bytes.NewReader(data), "", cleanup, nil
	case o.Input != "":
		file, err := os.Open(o.Input)
		if err != nil {
			return "", nil, "", cleanup, err
		}
		return withQuery(path, params), file, "", func() { file.Close() }, nil
	case multipartBody:
		return o.multipart(path)
	case o.Method == http.MethodGet || o.Method == http.MethodHead || o.Method == http.MethodDelete:
		return withQuery(path, params), nil, "", cleanup, nil
	case len(params) > 0:
		return path, strings.NewReader(params.Encode()), "application/x-www-form-urlencoded", cleanup, nil
	}
	return path, nil, "", cleanup, nil
}

// multipart writes the form to a temporary file: memory stays small
// whatever the files' size, and the body can be replayed.
func (o *Options) multipart(path string) (string, io.Reader, string, func(), error) {
	tmp, err := os.CreateTemp("", "laymanctl-api-*")
	if err != nil {
		return "", nil, "", func() {}, err
	}
	cleanup := func() { tmp.Close(); os.Remove(tmp.Name()) }
	mw := multipart.NewWriter(tmp)
	for _, fd := range o.Fields {
		if !fd.File {
			if err := mw.WriteField(fd.Key, fd.Value); err != nil {
				cleanup()
				return "", nil, "", func() {}, err
			}
			continue
		}
		if err := copyFilePart(mw, fd); err != nil {
			cleanup()
			return "", nil, "", func() {}, err
		}
	}
	err = mw.Close()
	if err == nil {
		_, err = tmp.Seek(0, io.SeekStart)
	}
	if err != nil {
		cleanup()
		return "", nil, "", func() {}, fmt.Errorf("building the multipart body: %w", err)
	}
	return path, tmp, mw.FormDataContentType(), cleanup, nil
}

func copyFilePart(mw *multipart.Writer, fd Field) error {
	src, err := os.Open(fd.Value)
	if err != nil {
		return err
	}
	defer src.Close()
	part, err := mw.CreateFormFile(fd.Key, filepath.Base(fd.Value))
	if err != nil {
		return err
	}
	if _, err := io.Copy(part, src); err != nil {
		return fmt.Errorf("reading %s: %w", fd.Value, err)
	}
	return nil
}

func withQuery(path string, params url.Values) string {
	if len(params) == 0 {
		return path
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + params.Encode()
}
