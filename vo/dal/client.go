package dal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Version is voagent's version as sent in the User-Agent.
var Version = "0.1"

// DefaultUserAgent names voagent to services (IVOA User-Agent note style).
func DefaultUserAgent() string {
	return "voagent/" + Version + " (IVOA-user; +https://github.com/voagent/voagent)"
}

// Defaults for Options fields left zero.
const (
	DefaultConnectTimeout = 15 * time.Second
	DefaultTimeout        = 1 * time.Hour
	DefaultIdleTimeout    = 5 * time.Minute
	DefaultMaxBytes       = 8 << 30
	DefaultRetries        = 3
	DefaultBackoff        = 500 * time.Millisecond
	DefaultMaxRetryAfter  = 2 * time.Minute
	// errorBodyLimit bounds what is read of an error response.
	errorBodyLimit = 1 << 20
)

// Options configure a Client. Zero fields take the Default* values.
type Options struct {
	// HTTPClient sends the requests; nil builds one with ConnectTimeout.
	// Its Timeout should be zero: the Client enforces its own timeouts.
	HTTPClient *http.Client
	// UserAgent is sent with every request (DefaultUserAgent when empty).
	UserAgent string
	// ConnectTimeout bounds establishing a connection (ignored when
	// HTTPClient is given).
	ConnectTimeout time.Duration
	// Timeout bounds a whole request, reading the response included.
	Timeout time.Duration
	// IdleTimeout is the longest the service may stay silent: waiting for
	// the response headers, then between two reads of the body.
	IdleTimeout time.Duration
	// MaxBytes bounds the (decoded) size of a response.
	MaxBytes int64
	// Retries is how many times an idempotent request is retried; negative
	// means never.
	Retries int
	// Backoff is the wait before the first retry, doubled (with jitter)
	// for each further one.
	Backoff time.Duration
	// MaxRetryAfter caps a Retry-After the client is willing to wait; a
	// longer one fails the request with the delay in the *Error.
	MaxRetryAfter time.Duration
	// Logger receives debug messages about requests and retries (nil: none).
	Logger *slog.Logger
}

// Client sends requests to VO services. It is safe for concurrent use.
type Client struct {
	opt  Options
	http *http.Client
	log  *slog.Logger
}

// New returns a Client with the given options.
func New(opt Options) *Client {
	if opt.UserAgent == "" {
		opt.UserAgent = DefaultUserAgent()
	}
	if opt.ConnectTimeout <= 0 {
		opt.ConnectTimeout = DefaultConnectTimeout
	}
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultTimeout
	}
	if opt.IdleTimeout <= 0 {
		opt.IdleTimeout = DefaultIdleTimeout
	}
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = DefaultMaxBytes
	}
	if opt.Retries == 0 {
		opt.Retries = DefaultRetries
	} else if opt.Retries < 0 {
		opt.Retries = 0
	}
	if opt.Backoff <= 0 {
		opt.Backoff = DefaultBackoff
	}
	if opt.MaxRetryAfter <= 0 {
		opt.MaxRetryAfter = DefaultMaxRetryAfter
	}
	hc := opt.HTTPClient
	if hc == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.DialContext = (&net.Dialer{Timeout: opt.ConnectTimeout, KeepAlive: 30 * time.Second}).DialContext
		tr.TLSHandshakeTimeout = opt.ConnectTimeout
		hc = &http.Client{Transport: tr}
	}
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Client{opt: opt, http: hc, log: log}
}

// Options returns the options in effect (defaults filled in).
func (c *Client) Options() Options { return c.opt }

// Part is one part of a multipart/form-data request other than a plain
// form value: an inline TAP upload, for instance.
type Part struct {
	// Name is the form field name (the part's name).
	Name string
	// FileName, when set, is sent as the part's filename.
	FileName string
	// ContentType of the part (application/x-votable+xml for uploads).
	ContentType string
	// Open returns the content; it is called once per attempt.
	Open func() (io.ReadCloser, error)
}

// Request is one call to a service.
type Request struct {
	// Op says what is being done, for errors and logs ("TAP sync query").
	Op string
	// Method is GET (the default), POST or DELETE.
	Method string
	// URL is the endpoint; Params are added to its query for GET and
	// DELETE, and sent as the form body for POST.
	URL string
	// Params are the request parameters.
	Params url.Values
	// Parts, when set, make a POST a multipart/form-data request holding
	// Params and Parts.
	Parts []Part
	// Idempotent allows retries of a POST (e.g. a read-only query); GET and
	// DELETE are always idempotent.
	Idempotent bool
	// NoRedirect returns a 3xx response as it is instead of following it
	// (UWS job creation and deletion).
	NoRedirect bool
	// MaxBytes overrides the client's response size limit when positive.
	MaxBytes int64
	// HasMaxRec and MaxRec record the MAXREC the caller sent, so that an
	// overflow can be told apart from the caller's own limit.
	HasMaxRec bool
	MaxRec    int64
}

func (r *Request) method() string {
	if r.Method == "" {
		return http.MethodGet
	}
	return r.Method
}

func (r *Request) idempotent() bool {
	m := r.method()
	return r.Idempotent || m == http.MethodGet || m == http.MethodHead || m == http.MethodDelete
}

func (r *Request) op() string {
	if r.Op != "" {
		return r.Op
	}
	return r.method() + " request"
}

// Response is a response with a status below 400, its body guarded by the
// client's timeouts and size limit. Close it.
type Response struct {
	// Req is the request answered.
	Req *Request
	// URL is the URL finally answered (after redirects).
	URL string
	// StatusCode and Header are the HTTP status and headers.
	StatusCode int
	Header     http.Header
	// Body reads the response; read errors are *Error values.
	Body io.ReadCloser
}

// Location resolves the Location header of a redirect against the request URL.
func (r *Response) Location() (*url.URL, error) {
	loc := r.Header.Get("Location")
	if loc == "" {
		return nil, r.fail(0, fmt.Errorf("%w: HTTP %d without a Location header", ErrInvalid, r.StatusCode))
	}
	base, err := url.Parse(r.URL)
	if err != nil {
		return nil, r.fail(0, err)
	}
	u, err := base.Parse(loc)
	if err != nil {
		return nil, r.fail(0, fmt.Errorf("%w: bad Location %q: %w", ErrInvalid, loc, err))
	}
	return u, nil
}

// Close closes the body and releases the request's timers.
func (r *Response) Close() error { return r.Body.Close() }

// fail builds an *Error about this response.
func (r *Response) fail(status int, err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Op: r.Req.op(), URL: r.Req.URL, StatusCode: status, Err: err}
}

// Do sends req and returns the response when its status is below 400. An
// HTTP error becomes an *Error carrying the service's message (from an
// error VOTable, a text or an HTML body). Idempotent requests are retried as
// described in the package documentation.
func (c *Client) Do(ctx context.Context, req *Request) (*Response, error) {
	if _, err := url.Parse(req.URL); err != nil || req.URL == "" {
		return nil, &Error{Op: req.op(), URL: req.URL, Err: fmt.Errorf("bad service URL %q", req.URL)}
	}
	attempts := 1
	if req.idempotent() {
		attempts += c.opt.Retries
	}
	backoff := c.opt.Backoff
	for attempt := 1; ; attempt++ {
		resp, err := c.once(ctx, req)
		if err == nil {
			return resp, nil
		}
		var e *Error
		if !errors.As(err, &e) || attempt >= attempts || !retryable(e) || ctx.Err() != nil {
			return nil, err
		}
		wait := backoff + rand.N(backoff/2+1)
		backoff *= 2
		if e.RetryAfter > 0 {
			if e.RetryAfter > c.opt.MaxRetryAfter {
				return nil, err
			}
			wait = e.RetryAfter
		}
		c.log.Debug("retrying VO request", "op", req.op(), "url", req.URL, "attempt", attempt, "wait", wait, "err", err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, &Error{Op: req.op(), URL: req.URL, Err: fmt.Errorf("waiting to retry after %w: %w", err, ctx.Err())}
		case <-t.C:
		}
	}
}

// retryable: network failures and the statuses of an overloaded or
// restarting service. Timeouts are not retried: a service that hung once
// most likely hangs again, and the caller would wait several times as long.
func retryable(e *Error) bool {
	switch e.StatusCode {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	case 0:
		return !errors.Is(e.Err, ErrTooLarge) && !errors.Is(e.Err, ErrInvalid) && !errors.Is(e.Err, ErrTimeout) &&
			!errors.Is(e.Err, context.Canceled)
	}
	return false
}

// once sends one attempt.
func (c *Client) once(ctx context.Context, req *Request) (*Response, error) {
	fail := func(status int, err error) *Error {
		return &Error{Op: req.op(), URL: req.URL, StatusCode: status, Err: err}
	}
	g := newGuard(ctx, c.opt.Timeout, c.opt.IdleTimeout)
	hreq, err := c.build(g.ctx, req)
	if err != nil {
		g.release()
		return nil, fail(0, err)
	}
	hc := c.http
	if req.NoRedirect {
		cp := *hc
		cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		hc = &cp
	}
	c.log.Debug("VO request", "op", req.op(), "method", hreq.Method, "url", hreq.URL.String())
	hresp, err := hc.Do(hreq)
	if err != nil {
		err = g.cause(err) // before release, which cancels the guard's context
		g.release()
		return nil, fail(0, err)
	}
	g.touch()
	limit := c.opt.MaxBytes
	if req.MaxBytes > 0 {
		limit = req.MaxBytes
	}
	body := &guardedBody{rc: hresp.Body, g: g, left: limit, limit: limit}
	resp := &Response{Req: req, URL: hresp.Request.URL.String(), StatusCode: hresp.StatusCode, Header: hresp.Header, Body: body}
	body.resp = resp
	if hresp.StatusCode < 400 {
		return resp, nil
	}
	defer resp.Close()
	e := errorFromBody(resp)
	e.RetryAfter = retryAfter(hresp.Header.Get("Retry-After"), time.Now())
	return nil, e
}

// build makes the HTTP request of one attempt.
func (c *Client) build(ctx context.Context, req *Request) (*http.Request, error) {
	method := req.method()
	var body io.Reader
	ctype := ""
	target := req.URL
	switch {
	case method != http.MethodPost:
		if len(req.Params) > 0 {
			u, err := url.Parse(req.URL)
			if err != nil {
				return nil, err
			}
			q := u.Query()
			for k, vs := range req.Params {
				for _, v := range vs {
					q.Add(k, v)
				}
			}
			u.RawQuery = q.Encode()
			target = u.String()
		}
	case len(req.Parts) > 0:
		pr, pw := io.Pipe()
		mw := multipart.NewWriter(pw)
		ctype = mw.FormDataContentType()
		go func() { pw.CloseWithError(writeMultipart(mw, req)) }()
		body = pr
	default:
		body = strings.NewReader(req.Params.Encode())
		ctype = "application/x-www-form-urlencoded"
	}
	hreq, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, err
	}
	if ctype != "" {
		hreq.Header.Set("Content-Type", ctype)
	}
	hreq.Header.Set("User-Agent", c.opt.UserAgent)
	hreq.Header.Set("Accept", "application/x-votable+xml, text/xml;q=0.9, */*;q=0.5")
	return hreq, nil
}

func writeMultipart(mw *multipart.Writer, req *Request) error {
	for k, vs := range req.Params {
		for _, v := range vs {
			if err := mw.WriteField(k, v); err != nil {
				return err
			}
		}
	}
	for _, p := range req.Parts {
		h := make(textproto.MIMEHeader)
		disp := fmt.Sprintf(`form-data; name=%q`, p.Name)
		if p.FileName != "" {
			disp += fmt.Sprintf(`; filename=%q`, p.FileName)
		}
		h.Set("Content-Disposition", disp)
		ct := p.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		h.Set("Content-Type", ct)
		w, err := mw.CreatePart(h)
		if err != nil {
			return err
		}
		rc, err := p.Open()
		if err != nil {
			return fmt.Errorf("opening upload part %q: %w", p.Name, err)
		}
		_, err = io.Copy(w, rc)
		rc.Close()
		if err != nil {
			return fmt.Errorf("sending upload part %q: %w", p.Name, err)
		}
	}
	return mw.Close()
}

// retryAfter parses a Retry-After header: seconds or an HTTP date.
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(h); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}
