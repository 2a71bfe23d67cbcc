package agent

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"

	"github.com/voagent/voagent/vo/dal"
)

// maxTableBytes bounds a table read for a SAMP message or a request.
const maxTableBytes = 2 << 30

// localPath is the path of a file: URL on this host, in every form TOPCAT
// and astropy send (file:///p, file://localhost/p, file:/p, file:p).
func localPath(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("bad url %q: %w", raw, err)
	}
	if u.Scheme != "file" {
		return "", fmt.Errorf("url %q is not a file: URL", raw)
	}
	if u.Host != "" && u.Host != "localhost" {
		return "", fmt.Errorf("url %q: file on another host", raw)
	}
	p := u.Path
	if p == "" {
		p = u.Opaque // file:relative
	}
	return p, nil
}

// open returns the content at a URL a message or request named: a file:
// URL on this host (a regular file only) or an http(s) URL fetched with the
// agent's VO client (its timeouts, retries and size limit). The caller
// closes it.
func (a *Agent) open(ctx context.Context, raw string) (io.ReadCloser, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("bad url %q: %w", raw, err)
	}
	switch u.Scheme {
	case "file":
		p, err := localPath(raw)
		if err != nil {
			return nil, err
		}
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !info.Mode().IsRegular() {
			return nil, fmt.Errorf("url %q: %s is not a regular file", raw, p)
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
		resp, err := a.dal.Do(ctx, &dal.Request{Op: "reading a table", URL: raw, MaxBytes: maxTableBytes})
		if err != nil {
			return nil, err
		}
		return resp.Body, nil
	}
	return nil, fmt.Errorf("url %q: scheme %q not supported", raw, u.Scheme)
}
