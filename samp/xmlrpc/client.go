package xmlrpc

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/url"
	"strconv"

	"github.com/valyala/fasthttp"
)

// DefaultMaxResponse is the default limit on the size of a response body.
const DefaultMaxResponse = 32 << 20

// Client calls the methods of one XML-RPC server. It is safe for concurrent
// use.
type Client struct {
	url         string
	addr        string // host:port to dial
	head        []byte // request line and headers up to "Content-Length: "
	badURL      error
	tr          *Transport
	maxResponse int64
}

// ClientOption configures NewClient.
type ClientOption func(*Client)

// WithTransport sets the Transport (connection pool) used for calls; by
// default one shared by all Clients of this package.
func WithTransport(t *Transport) ClientOption { return func(c *Client) { c.tr = t } }

// WithMaxResponse sets the largest response body accepted, in bytes.
func WithMaxResponse(n int64) ClientOption { return func(c *Client) { c.maxResponse = n } }

// NewClient returns a client for the XML-RPC server at rawURL, an http URL.
// A URL that cannot be used makes every call fail with an error naming it.
func NewClient(rawURL string, opts ...ClientOption) *Client {
	c := &Client{url: rawURL, tr: defaultTransport, maxResponse: DefaultMaxResponse}
	for _, o := range opts {
		o(c)
	}
	u, err := url.Parse(rawURL)
	switch {
	case err != nil:
		c.badURL = err
	case u.Scheme != "http":
		c.badURL = fmt.Errorf("XML-RPC URL %q: only http is supported", rawURL)
	case u.Host == "":
		c.badURL = fmt.Errorf("XML-RPC URL %q has no host", rawURL)
	default:
		c.addr = u.Host
		if u.Port() == "" {
			c.addr = net.JoinHostPort(u.Hostname(), "80")
		}
		c.head = []byte("POST " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host +
			"\r\nUser-Agent: voagent\r\nContent-Type: text/xml\r\nContent-Length: ")
	}
	return c
}

// URL returns the server's URL.
func (c *Client) URL() string { return c.url }

// Call invokes method with params and returns its result (a SAMP value). A
// fault from the server is returned as a *Fault; the call is abandoned when
// ctx is done.
func (c *Client) Call(ctx context.Context, method string, params ...any) (any, error) {
	if c.badURL != nil {
		return nil, fmt.Errorf("xmlrpc: calling %s: %w", method, c.badURL)
	}
	body := bufPool.Get().(*bytes.Buffer)
	defer bufPool.Put(body)
	body.Reset()
	if err := EncodeCall(body, method, params); err != nil {
		return nil, err
	}
	req := bufPool.Get().(*bytes.Buffer)
	defer bufPool.Put(req)
	req.Reset()
	req.Write(c.head)
	req.WriteString(strconv.Itoa(body.Len()))
	req.WriteString("\r\n\r\n")
	req.Write(body.Bytes())

	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseResponse(resp)
	if err := c.tr.roundTrip(ctx, c.addr, req.Bytes(), resp, int(c.maxResponse)); err != nil {
		return nil, fmt.Errorf("xmlrpc: calling %s at %s: %w", method, c.url, err)
	}
	if code := resp.StatusCode(); code != fasthttp.StatusOK {
		return nil, fmt.Errorf("xmlrpc: calling %s at %s: HTTP %d %s: %s", method, c.url, code,
			fasthttp.StatusMessage(code), clip(resp.Body()))
	}
	result, err := DecodeResponse(bytes.NewReader(resp.Body()), c.maxResponse)
	if err != nil {
		if _, ok := err.(*Fault); ok {
			return nil, err
		}
		return nil, fmt.Errorf("xmlrpc: response to %s from %s: %w", method, c.url, err)
	}
	return result, nil
}
