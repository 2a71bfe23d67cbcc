package xmlrpc

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// DefaultMaxResponse is the default limit on the size of a response body.
const DefaultMaxResponse = 32 << 20

// Client calls the methods of one XML-RPC server. It is safe for concurrent
// use.
type Client struct {
	url         string
	hc          *http.Client
	maxResponse int64
}

// ClientOption configures NewClient.
type ClientOption func(*Client)

// WithHTTPClient sets the HTTP client used for calls (by default one shared
// by all Clients of this package, with no proxy and no overall timeout:
// every call is bounded by its context).
func WithHTTPClient(hc *http.Client) ClientOption { return func(c *Client) { c.hc = hc } }

// WithMaxResponse sets the largest response body accepted, in bytes.
func WithMaxResponse(n int64) ClientOption { return func(c *Client) { c.maxResponse = n } }

// NewClient returns a client for the XML-RPC server at url.
func NewClient(url string, opts ...ClientOption) *Client {
	c := &Client{url: url, hc: defaultHTTPClient, maxResponse: DefaultMaxResponse}
	for _, o := range opts {
		o(c)
	}
	return c
}

// URL returns the server's URL.
func (c *Client) URL() string { return c.url }

// defaultHTTPClient talks to SAMP peers on the loopback interface: no proxy,
// connections kept alive, several per host as a hub calls a client from many
// goroutines at once.
var defaultHTTPClient = &http.Client{Transport: NewTransport()}

// NewTransport returns an http.Transport suited to XML-RPC on loopback: no
// proxy, short connect timeout, idle connections kept for reuse.
func NewTransport() *http.Transport {
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   32,
		IdleConnTimeout:       60 * time.Second,
		ResponseHeaderTimeout: 0, // bounded by the caller's context
		DisableCompression:    true,
	}
}

// Call invokes method with params and returns its result (a SAMP value). A
// fault from the server is returned as a *Fault; the call is abandoned when
// ctx is done.
func (c *Client) Call(ctx context.Context, method string, params ...any) (any, error) {
	var body bytes.Buffer
	if err := EncodeCall(&body, method, params); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, &body)
	if err != nil {
		return nil, fmt.Errorf("xmlrpc: calling %s at %s: %w", method, c.url, err)
	}
	req.Header.Set("Content-Type", "text/xml")
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("xmlrpc: calling %s: %w", method, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return nil, fmt.Errorf("xmlrpc: calling %s at %s: HTTP %s: %s", method, c.url, resp.Status, clip(msg))
	}
	result, err := DecodeResponse(resp.Body, c.maxResponse)
	if err != nil {
		if _, ok := err.(*Fault); ok {
			return nil, err
		}
		return nil, fmt.Errorf("xmlrpc: response to %s from %s: %w", method, c.url, err)
	}
	// Drain so that the connection can be reused.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	return result, nil
}
