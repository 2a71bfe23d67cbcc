// Package connection is a registered client's link to a SAMP hub over the
// Standard Profile: one method per hub operation (SAMP 1.3 §3.10), each bounded
// by a context, plus the client's callable endpoint, an XML-RPC server on
// 127.0.0.1 that checks the private key on every callback and passes
// notifications, calls and responses to a Callable.
//
// It keeps no state beyond the registration: re-declaring after a hub restart,
// client tracking and message dispatch belong to package connector.
package connection

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/voagent/voagent/samp/profile"
	"github.com/voagent/voagent/samp/xmlrpc"
)

// DefaultCallTimeout bounds a hub call whose context has no deadline.
const DefaultCallTimeout = 30 * time.Second

// DefaultMaxMessageBytes bounds the size of a hub response and of a callback
// request.
const DefaultMaxMessageBytes = 16 << 20

// Callable receives the callbacks of the hub. Methods must return quickly:
// a call is answered later with Conn.Reply. An error becomes an XML-RPC fault
// to the hub.
type Callable interface {
	ReceiveNotification(ctx context.Context, senderID string, msg Message) error
	ReceiveCall(ctx context.Context, senderID, msgID string, msg Message) error
	ReceiveResponse(ctx context.Context, responderID, msgTag string, resp Response) error
}

// Options configures Register and Ping. The zero value is usable.
type Options struct {
	// Logger receives debug logs (default: discard).
	Logger *slog.Logger
	// Transport makes the calls to the hub (default: xmlrpc's shared one).
	Transport *xmlrpc.Transport
	// MaxMessageBytes bounds hub responses and callback requests
	// (default DefaultMaxMessageBytes).
	MaxMessageBytes int64
	// CallTimeout bounds hub calls whose context has no deadline
	// (default DefaultCallTimeout).
	CallTimeout time.Duration
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.MaxMessageBytes <= 0 {
		o.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if o.CallTimeout <= 0 {
		o.CallTimeout = DefaultCallTimeout
	}
	return o
}

func (o Options) client(url string) *xmlrpc.Client {
	opts := []xmlrpc.ClientOption{xmlrpc.WithMaxResponse(o.MaxMessageBytes)}
	if o.Transport != nil {
		opts = append(opts, xmlrpc.WithTransport(o.Transport))
	}
	return xmlrpc.NewClient(url, opts...)
}

// Conn is a client registered with a hub. Its methods are safe for
// concurrent use.
type Conn struct {
	opts    Options
	hub     *xmlrpc.Client
	lock    profile.LockInfo
	reg     RegInfo
	mu      sync.Mutex
	srv     *xmlrpc.Server
	cbURL   string
	closed  bool
	closeCh chan struct{}
}

// Ping calls samp.hub.ping on the hub at hubURL without registering: the way
// to tell a live hub from a stale lockfile.
func Ping(ctx context.Context, hubURL string, opts Options) error {
	opts = opts.withDefaults()
	ctx, cancel := withDefaultTimeout(ctx, opts.CallTimeout)
	defer cancel()
	if _, err := opts.client(hubURL).Call(ctx, "samp.hub.ping"); err != nil {
		return fmt.Errorf("pinging SAMP hub at %s: %w", hubURL, err)
	}
	return nil
}

// Register registers a new client with the hub described by lock.
func Register(ctx context.Context, lock *profile.LockInfo, opts Options) (*Conn, error) {
	opts = opts.withDefaults()
	c := &Conn{opts: opts, hub: opts.client(lock.XMLRPCURL), lock: *lock, closeCh: make(chan struct{})}
	ctx, cancel := withDefaultTimeout(ctx, opts.CallTimeout)
	defer cancel()
	v, err := c.hub.Call(ctx, "samp.hub.register", lock.Secret)
	if err != nil {
		return nil, fmt.Errorf("registering with SAMP hub at %s: %w", lock.XMLRPCURL, err)
	}
	c.reg, err = regInfoFromValue(v)
	if err != nil {
		return nil, fmt.Errorf("registering with SAMP hub at %s: %w", lock.XMLRPCURL, err)
	}
	opts.Logger.Debug("registered with SAMP hub", "hub", lock.XMLRPCURL, "self-id", c.reg.SelfID, "hub-id", c.reg.HubID)
	return c, nil
}

// RegInfo returns the registration information.
func (c *Conn) RegInfo() RegInfo { return c.reg }

// SelfID returns this client's public id.
func (c *Conn) SelfID() string { return c.reg.SelfID }

// HubID returns the hub's own client id.
func (c *Conn) HubID() string { return c.reg.HubID }

// HubURL returns the hub's XML-RPC URL.
func (c *Conn) HubURL() string { return c.lock.XMLRPCURL }

// Lock returns the lockfile content this connection was made from.
func (c *Conn) Lock() profile.LockInfo { return c.lock }

// CallbackURL returns the URL of the callable endpoint, "" until Serve.
func (c *Conn) CallbackURL() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cbURL
}

// Done is closed when Close (or Unregister) has been called.
func (c *Conn) Done() <-chan struct{} { return c.closeCh }

func withDefaultTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d)
}

// call invokes samp.hub.<method> with the private key first.
func (c *Conn) call(ctx context.Context, method string, args ...any) (any, error) {
	ctx, cancel := withDefaultTimeout(ctx, c.opts.CallTimeout)
	defer cancel()
	params := make([]any, 0, 1+len(args))
	params = append(params, c.reg.PrivateKey)
	params = append(params, args...)
	v, err := c.hub.Call(ctx, "samp.hub."+method, params...)
	if err != nil {
		return nil, fmt.Errorf("SAMP hub %s: %w", method, err)
	}
	return v, nil
}

// Ping pings the hub.
func (c *Conn) Ping(ctx context.Context) error {
	ctx, cancel := withDefaultTimeout(ctx, c.opts.CallTimeout)
	defer cancel()
	if _, err := c.hub.Call(ctx, "samp.hub.ping"); err != nil {
		return fmt.Errorf("SAMP hub ping: %w", err)
	}
	return nil
}

// Unregister unregisters from the hub and closes the callable endpoint. The
// endpoint is closed even when the hub call fails.
func (c *Conn) Unregister(ctx context.Context) error {
	_, err := c.call(ctx, "unregister")
	c.Close()
	return err
}

// Close stops the callable endpoint without telling the hub (for when the hub
// is gone). It is idempotent.
func (c *Conn) Close() {
	c.mu.Lock()
	srv := c.srv
	already := c.closed
	c.closed = true
	c.mu.Unlock()
	if already {
		return
	}
	close(c.closeCh)
	if srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := srv.Close(ctx); err != nil {
			c.opts.Logger.Debug("closing the SAMP callback server", "err", err)
		}
	}
}

// SetXmlrpcCallback tells the hub where to send callbacks. Serve calls it.
func (c *Conn) SetXmlrpcCallback(ctx context.Context, url string) error {
	_, err := c.call(ctx, "setXmlrpcCallback", url)
	return err
}

// DeclareMetadata declares this client's metadata (samp.name...).
func (c *Conn) DeclareMetadata(ctx context.Context, meta map[string]any) error {
	_, err := c.call(ctx, "declareMetadata", nonNilMap(meta))
	return err
}

// GetMetadata returns the metadata of client id.
func (c *Conn) GetMetadata(ctx context.Context, id string) (map[string]any, error) {
	v, err := c.call(ctx, "getMetadata", id)
	if err != nil {
		return nil, err
	}
	return asMap(v, "getMetadata")
}

// DeclareSubscriptions declares the MTypes (or patterns) this client
// receives: pattern -> annotation map.
func (c *Conn) DeclareSubscriptions(ctx context.Context, subs map[string]any) error {
	_, err := c.call(ctx, "declareSubscriptions", nonNilMap(subs))
	return err
}

// GetSubscriptions returns the subscriptions of client id.
func (c *Conn) GetSubscriptions(ctx context.Context, id string) (map[string]any, error) {
	v, err := c.call(ctx, "getSubscriptions", id)
	if err != nil {
		return nil, err
	}
	return asMap(v, "getSubscriptions")
}

// GetRegisteredClients returns the ids of the other registered clients
// (the hub's own id included, this client's excluded).
func (c *Conn) GetRegisteredClients(ctx context.Context) ([]string, error) {
	v, err := c.call(ctx, "getRegisteredClients")
	if err != nil {
		return nil, err
	}
	return asStrings(v, "getRegisteredClients")
}

// GetSubscribedClients returns the clients subscribed to mtype, with their
// subscription annotations.
func (c *Conn) GetSubscribedClients(ctx context.Context, mtype string) (map[string]any, error) {
	v, err := c.call(ctx, "getSubscribedClients", mtype)
	if err != nil {
		return nil, err
	}
	return asMap(v, "getSubscribedClients")
}

// Notify sends msg to recipient without expecting a response.
func (c *Conn) Notify(ctx context.Context, recipientID string, msg Message) error {
	_, err := c.call(ctx, "notify", recipientID, msg.Map())
	return err
}

// NotifyAll sends msg to every subscribed client and returns their ids.
func (c *Conn) NotifyAll(ctx context.Context, msg Message) ([]string, error) {
	v, err := c.call(ctx, "notifyAll", msg.Map())
	if err != nil {
		return nil, err
	}
	return asStrings(v, "notifyAll")
}

// Call sends msg to recipient; the response comes back later through
// Callable.ReceiveResponse with msgTag. It returns the hub's msg-id.
func (c *Conn) Call(ctx context.Context, recipientID, msgTag string, msg Message) (string, error) {
	v, err := c.call(ctx, "call", recipientID, msgTag, msg.Map())
	if err != nil {
		return "", err
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("SAMP hub call: msg-id is a %s, not a string", kind(v))
	}
	return s, nil
}

// CallAll sends msg to every subscribed client; responses come back through
// Callable.ReceiveResponse with msgTag. It returns recipient id -> msg-id.
func (c *Conn) CallAll(ctx context.Context, msgTag string, msg Message) (map[string]string, error) {
	v, err := c.call(ctx, "callAll", msgTag, msg.Map())
	if err != nil {
		return nil, err
	}
	m, err := asMap(v, "callAll")
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		s, _ := v.(string)
		out[k] = s
	}
	return out, nil
}

// CallAndWait sends msg to recipient and waits, in the hub, for the response.
// timeout is passed to the hub (rounded up to whole seconds, at least 1: an
// unbounded wait is never requested); the HTTP request itself is bounded by
// ctx and timeout plus a grace period.
func (c *Conn) CallAndWait(ctx context.Context, recipientID string, msg Message, timeout time.Duration) (Response, error) {
	secs := callTimeoutSecs(timeout, c.opts.CallTimeout)
	ctx, cancel := context.WithTimeout(ctx, time.Duration(secs)*time.Second+5*time.Second)
	defer cancel()
	v, err := c.call(ctx, "callAndWait", recipientID, msg.Map(), strconv.Itoa(secs))
	if err != nil {
		return Response{}, err
	}
	r, err := ResponseFromValue(v)
	if err != nil {
		return Response{}, fmt.Errorf("SAMP hub callAndWait: %w", err)
	}
	return r, nil
}

// MaxCallAndWaitSecs is the longest callAndWait timeout a Conn asks of a
// hub, in seconds (a day): longer durations are clamped to it, so that no
// duration overflows into a negative or zero timeout.
const MaxCallAndWaitSecs = 24 * 60 * 60

// callTimeoutSecs turns a callAndWait timeout into the whole seconds sent to
// the hub: rounded up, at least 1, at most MaxCallAndWaitSecs; zero or
// negative means def.
func callTimeoutSecs(timeout, def time.Duration) int {
	if timeout <= 0 {
		timeout = def
	}
	if timeout >= MaxCallAndWaitSecs*time.Second {
		return MaxCallAndWaitSecs
	}
	secs := int((timeout + time.Second - 1) / time.Second)
	return max(secs, 1)
}

// Reply sends the response to the call msgID.
func (c *Conn) Reply(ctx context.Context, msgID string, resp Response) error {
	_, err := c.call(ctx, "reply", msgID, resp.Map())
	return err
}

// Serve starts the callable endpoint on 127.0.0.1 (random port), passing
// callbacks to cb, and registers its URL with the hub.
func (c *Conn) Serve(ctx context.Context, cb Callable) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listening for SAMP callbacks: %w", err)
	}
	url := "http://" + ln.Addr().String() + "/xmlrpc"
	srv := xmlrpc.NewServer(c.callbackHandler(cb), xmlrpc.WithMaxBody(c.opts.MaxMessageBytes),
		xmlrpc.WithLogger(c.opts.Logger), xmlrpc.WithWriteTimeout(60*time.Second))
	c.mu.Lock()
	if c.closed || c.srv != nil {
		c.mu.Unlock()
		ln.Close()
		return errors.New("SAMP callable endpoint: connection closed or already serving")
	}
	c.srv, c.cbURL = srv, url
	c.mu.Unlock()
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, xmlrpc.ErrServerClosed) {
			c.opts.Logger.Warn("SAMP callback server stopped", "err", err)
		}
	}()
	if err := c.SetXmlrpcCallback(ctx, url); err != nil {
		return err
	}
	return nil
}

// callbackHandler dispatches the samp.client.* methods after checking the
// private key.
func (c *Conn) callbackHandler(cb Callable) xmlrpc.HandlerFunc {
	return func(ctx context.Context, method string, params []any) (any, error) {
		want := map[string]int{
			"samp.client.receiveNotification": 3,
			"samp.client.receiveCall":         4,
			"samp.client.receiveResponse":     4,
		}
		n, ok := want[method]
		if !ok {
			return nil, xmlrpc.Faultf(xmlrpc.CodeMethodNotFound, "unknown method %q", method)
		}
		if len(params) != n {
			return nil, xmlrpc.Faultf(xmlrpc.CodeInvalidParams, "%s takes %d parameters, got %d", method, n, len(params))
		}
		strs := make([]string, n-1)
		for i := range n - 1 {
			s, ok := params[i].(string)
			if !ok {
				return nil, xmlrpc.Faultf(xmlrpc.CodeInvalidParams, "%s: parameter %d is a %s, not a string", method, i+1, kind(params[i]))
			}
			strs[i] = s
		}
		if subtle.ConstantTimeCompare([]byte(strs[0]), []byte(c.reg.PrivateKey)) != 1 {
			c.opts.Logger.Warn("SAMP callback with a wrong private key refused", "method", method)
			return nil, xmlrpc.Faultf(xmlrpc.CodeInvalidParams, "%s: wrong private key", method)
		}
		last := params[n-1]
		var err error
		switch method {
		case "samp.client.receiveNotification":
			var msg Message
			if msg, err = MessageFromValue(last); err == nil {
				err = cb.ReceiveNotification(ctx, strs[1], msg)
			}
		case "samp.client.receiveCall":
			var msg Message
			if msg, err = MessageFromValue(last); err == nil {
				err = cb.ReceiveCall(ctx, strs[1], strs[2], msg)
			}
		case "samp.client.receiveResponse":
			var resp Response
			if resp, err = ResponseFromValue(last); err == nil {
				err = cb.ReceiveResponse(ctx, strs[1], strs[2], resp)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", method, err)
		}
		return "", nil
	}
}

// IsHubUnreachable reports whether err means the hub did not answer at all
// (connection refused or reset, timeout), as opposed to a fault it sent.
func IsHubUnreachable(err error) bool {
	if err == nil {
		return false
	}
	var f *xmlrpc.Fault
	return !errors.As(err, &f)
}

func nonNilMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func asMap(v any, what string) (map[string]any, error) {
	switch m := v.(type) {
	case map[string]any:
		return m, nil
	case string:
		if m == "" { // some hubs return "" for an empty map
			return map[string]any{}, nil
		}
	}
	return nil, fmt.Errorf("SAMP hub %s: result is a %s, not a map", what, kind(v))
}

func asStrings(v any, what string) ([]string, error) {
	switch l := v.(type) {
	case []any:
		out := make([]string, 0, len(l))
		for _, e := range l {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("SAMP hub %s: list element is a %s, not a string", what, kind(e))
			}
			out = append(out, s)
		}
		return out, nil
	case string:
		if l == "" {
			return nil, nil
		}
	}
	return nil, fmt.Errorf("SAMP hub %s: result is a %s, not a list", what, kind(v))
}
