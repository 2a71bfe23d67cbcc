package handlers

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"time"
)

// maxTableBytes bounds a table fetched for a SAMP message.
const maxTableBytes = 2 << 30

// open returns the content at a URL that a SAMP message named: file: URLs
// (all the forms TOPCAT and astropy send) and http(s). The caller closes it.
func open(ctx context.Context, raw string) (io.ReadCloser, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("bad url %q: %w", raw, err)
	}
	switch u.Scheme {
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return nil, fmt.Errorf("url %q: file on another host", raw)
		}
		p := u.Path
		if p == "" {
			p = u.Opaque // file:relative
		}
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		return struct {
			io.Reader
			io.Closer
		}{io.LimitReader(f, maxTableBytes), f}, nil
	case "http", "https":
		ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
		if err != nil {
			cancel()
			return nil, err
		}
		req.Header.Set("User-Agent", "voagent")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			cancel()
			return nil, fmt.Errorf("fetching %s: %w", raw, err)
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			cancel()
			return nil, fmt.Errorf("fetching %s: HTTP %s", raw, resp.Status)
		}
		return struct {
			io.Reader
			io.Closer
		}{io.LimitReader(resp.Body, maxTableBytes), closerFunc(func() error { cancel(); return resp.Body.Close() })}, nil
	}
	return nil, fmt.Errorf("url %q: scheme %q not supported", raw, u.Scheme)
}

type closerFunc func() error

func (f closerFunc) Close() error { return f() }
