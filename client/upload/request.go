package upload

import (
	"context"
	"io"
	"net/http"

	"github.com/laymanctl/laymanctl/client"
)

// newFormRequest builds a request whose body is f, replayable through
// GetBody (Layman's 403/32 answer makes the transport refresh the token and
// send the request again).
func newFormRequest(ctx context.Context, c *client.Client, method, path string, f *form) (*http.Request, error) {
	req, err := c.NewRequest(ctx, method, path, nil)
	if err != nil {
		return nil, err
	}
	n, err := f.contentLength()
	if err != nil {
		return nil, err
	}
	body, err := f.open()
	if err != nil {
		return nil, err
	}
	req.Body, req.ContentLength = body, n
	req.GetBody = func() (io.ReadCloser, error) { return f.open() }
	req.Header.Set("Content-Type", f.contentType())
	req.Header.Set("Accept", "application/json")
	return req, nil
}

// sendForm sends f and decodes the JSON answer into v.
func sendForm(ctx context.Context, c *client.Client, method, path string, f *form, v any) error {
	req, err := newFormRequest(ctx, c, method, path, f)
	if err != nil {
		return err
	}
	_, err = c.Do(req, v)
	return err
}
