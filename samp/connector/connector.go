// Package connector is what an application uses to live on a SAMP hub: it
// keeps the application's metadata, subscriptions and message handlers,
// registers with whatever hub is running and re-registers by itself when the
// hub is restarted, answers samp.app.ping, tracks the other clients from the
// samp.hub.event.* messages, replies to every call exactly once, and offers
// calls with a deadline of our own and asynchronous calls correlated by
// msg-tag.
//
// The hub is watched three ways: the lockfile (fsnotify), a periodic
// samp.hub.ping, and the shutdown and disconnect messages. When it goes the
// connector waits; when a hub appears it registers again and declares
// everything again.
package connector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/voagent/voagent/samp/connection"
	"github.com/voagent/voagent/samp/profile"
)

// Defaults of Options.
const (
	DefaultPingInterval   = time.Second
	DefaultCallTimeout    = 60 * time.Second
	DefaultHandlerTimeout = 10 * time.Minute
	DefaultHubGrace       = 2500 * time.Millisecond
	DefaultName           = "voagent"
)

// MTypes the connector handles itself.
const (
	MTypePing          = "samp.app.ping"
	MTypeDisconnect    = "samp.hub.disconnect"
	MTypeShutdown      = "samp.hub.event.shutdown"
	MTypeRegister      = "samp.hub.event.register"
	MTypeUnregister    = "samp.hub.event.unregister"
	MTypeMetadata      = "samp.hub.event.metadata"
	MTypeSubscriptions = "samp.hub.event.subscriptions"
)

// ErrNotConnected is returned by sending methods while no hub is connected.
var ErrNotConnected = errors.New("not connected to a SAMP hub")

// ErrHubGone ends pending calls when the hub goes away.
var ErrHubGone = errors.New("the SAMP hub went away")

// HubStarter starts a hub whose lockfile will be at loc, for when no hub is
// running (see Options.StartHub). It returns a function that stops that hub
// (called when Run returns; a hub meant to outlive the connector returns a
// function that leaves it running). The caller
// passes samp/hub's constructor wrapped in one of these, so this package does
// not depend on the hub.
type HubStarter func(ctx context.Context, loc profile.Location) (stop func(context.Context) error, err error)

// Options configures a Connector. The zero value is usable.
type Options struct {
	// Metadata is declared to the hub; samp.name defaults to "voagent".
	Metadata map[string]any
	// Logger (default: discard).
	Logger *slog.Logger
	// Locate finds the lockfile (default profile.Locate).
	Locate func() (profile.Location, error)
	// StartHub, when set, is called when no hub is running as Run starts,
	// and again whenever the hub in use has gone and no other hub has
	// appeared within HubGrace; nil means never start a hub.
	StartHub HubStarter
	// HubGrace is how long to wait, after the hub in use went away, for a
	// hub to come back (a restarting hub, TOPCAT restarting with its own)
	// before starting one with StartHub (default 2.5 s).
	HubGrace time.Duration
	// PingInterval is how often the hub is pinged (default 1 s).
	PingInterval time.Duration
	// CallTimeout bounds Call and CallAll when ctx has no deadline
	// (default 60 s).
	CallTimeout time.Duration
	// HandlerTimeout bounds a handler serving a call: after it the call is
	// answered with samp.error (default 10 min).
	HandlerTimeout time.Duration
	// MaxHandlers bounds how many received messages are handled at once
	// (default DefaultMaxHandlers); the others wait their turn, senders
	// taken in turn. A handler that outlives HandlerTimeout has its call
	// answered with samp.error but keeps its place until it returns, so
	// handlers that never return cannot multiply goroutines.
	MaxHandlers int
	// MaxHandlersPerSender bounds the handlers running for one sender
	// (default half of MaxHandlers, at least 1), so that one client
	// cannot hold the whole pool.
	MaxHandlersPerSender int
	// MaxQueuedPerSender bounds the messages of one sender waiting for a
	// handler (default DefaultMaxQueuedPerSend); beyond it a message is
	// refused (the hub answers a call with an error).
	MaxQueuedPerSender int
	// Conn configures the hub connection (timeouts, size limits).
	Conn connection.Options
	// OnSession, when set, is called (from Run's goroutine) each time the
	// connector registers with a hub (up true) and each time that hub is
	// gone (up false, with the reason). It must not block.
	OnSession func(up bool, info Info, reason string)
	// OnClientGone, when set, is called with a client's id and samp.name
	// when the hub says it unregistered (not for this connector itself).
	// It must not block.
	OnClientGone func(id, name string)
}

// Connector keeps an application registered with the SAMP hub.
type Connector struct {
	opts Options
	log  *slog.Logger

	mu          sync.Mutex
	metadata    map[string]any
	handlers    map[string]Handler
	annotations map[string]map[string]any
	sess        *session
	connected   chan struct{} // closed while a session is up
	pending     map[string]*pending
	running     bool
	reconnects  int
	// kick asks Run to drop the session and register again now.
	kick chan struct{}

	tagSeq atomic.Uint64
	pool   *pool // runs the handlers of received messages
}

// Reconnect asks Run to unregister from the hub in use (if any) and
// register again at once, with whatever hub the lockfile names then (a
// user's "reconnect to hub"). It does not wait; OnSession reports the
// outcome.
func (c *Connector) Reconnect() {
	select {
	case c.kick <- struct{}{}:
	default: // one is already pending
	}
}

// New returns a connector; call Handle to add handlers and Run to connect.
func New(opts Options) *Connector {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Locate == nil {
		opts.Locate = profile.Locate
	}
	if opts.PingInterval <= 0 {
		opts.PingInterval = DefaultPingInterval
	}
	if opts.CallTimeout <= 0 {
		opts.CallTimeout = DefaultCallTimeout
	}
	if opts.HubGrace <= 0 {
		opts.HubGrace = DefaultHubGrace
	}
	if opts.HandlerTimeout <= 0 {
		opts.HandlerTimeout = DefaultHandlerTimeout
	}
	if opts.MaxHandlers <= 0 {
		opts.MaxHandlers = DefaultMaxHandlers
	}
	if opts.MaxHandlersPerSender <= 0 {
		opts.MaxHandlersPerSender = max(1, opts.MaxHandlers/2)
	}
	if opts.MaxQueuedPerSender <= 0 {
		opts.MaxQueuedPerSender = DefaultMaxQueuedPerSend
	}
	if opts.Conn.Logger == nil {
		opts.Conn.Logger = opts.Logger
	}
	md := maps.Clone(opts.Metadata)
	if md == nil {
		md = map[string]any{}
	}
	if _, ok := md["samp.name"]; !ok {
		md["samp.name"] = DefaultName
	}
	c := &Connector{
		opts:        opts,
		log:         opts.Logger,
		metadata:    md,
		handlers:    map[string]Handler{},
		annotations: map[string]map[string]any{},
		connected:   make(chan struct{}),
		pending:     map[string]*pending{},
		kick:        make(chan struct{}, 1),
		pool:        newPool(opts.MaxHandlers, opts.MaxHandlersPerSender, opts.MaxQueuedPerSender),
	}
	c.handlers[MTypePing] = HandlerFunc(func(context.Context, *Request) (map[string]any, error) { return nil, nil })
	return c
}

// Handle registers h for an MType or pattern ("table.*", "*") and subscribes
// to it. An exact MType wins over patterns, a longer pattern over a shorter.
// It may be called at any time: when connected, the subscriptions are
// declared again.
func (c *Connector) Handle(pattern string, h Handler) {
	c.HandleAnnotated(pattern, nil, h)
}

// HandleFunc is Handle for a function.
func (c *Connector) HandleFunc(pattern string, f func(ctx context.Context, req *Request) (map[string]any, error)) {
	c.Handle(pattern, HandlerFunc(f))
}

// HandleAnnotated is Handle with a subscription annotation map (for example
// x-samp.mostly-harmless).
func (c *Connector) HandleAnnotated(pattern string, annotation map[string]any, h Handler) {
	c.mu.Lock()
	c.handlers[pattern] = h
	if annotation != nil {
		c.annotations[pattern] = annotation
	}
	s := c.sess
	c.mu.Unlock()
	if s != nil {
		go c.redeclare(s, false, true)
	}
}

// SetMetadata replaces the declared metadata (samp.name is kept unless
// given) and declares it when connected.
func (c *Connector) SetMetadata(md map[string]any) {
	c.mu.Lock()
	name := c.metadata["samp.name"]
	c.metadata = maps.Clone(md)
	if c.metadata == nil {
		c.metadata = map[string]any{}
	}
	if _, ok := c.metadata["samp.name"]; !ok {
		c.metadata["samp.name"] = name
	}
	s := c.sess
	c.mu.Unlock()
	if s != nil {
		go c.redeclare(s, true, false)
	}
}

// subscriptions is the declared subscription map: every handler pattern and
// the hub events the connector needs.
func (c *Connector) subscriptionsLocked() map[string]any {
	subs := map[string]any{}
	for p := range c.handlers {
		ann := c.annotations[p]
		if ann == nil {
			ann = map[string]any{}
		}
		subs[p] = ann
	}
	for _, mt := range []string{MTypeDisconnect, MTypeShutdown, MTypeRegister, MTypeUnregister, MTypeMetadata, MTypeSubscriptions} {
		if _, ok := subs[mt]; !ok {
			subs[mt] = map[string]any{}
		}
	}
	return subs
}

func (c *Connector) redeclare(s *session, md, subs bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c.mu.Lock()
	meta := maps.Clone(c.metadata)
	sm := c.subscriptionsLocked()
	c.mu.Unlock()
	if md {
		if err := s.conn.DeclareMetadata(ctx, meta); err != nil {
			c.log.Warn("declaring SAMP metadata", "err", err)
		}
	}
	if subs {
		if err := s.conn.DeclareSubscriptions(ctx, sm); err != nil {
			c.log.Warn("declaring SAMP subscriptions", "err", err)
		}
	}
}

// Connected reports whether a hub is connected now.
func (c *Connector) Connected() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sess != nil
}

// WaitConnected waits until a hub is connected (and everything declared).
func (c *Connector) WaitConnected(ctx context.Context) error {
	c.mu.Lock()
	ch := c.connected
	c.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("waiting for a SAMP hub: %w", ctx.Err())
	}
}

// Info describes the current connection.
type Info struct {
	HubURL   string
	SelfID   string
	HubID    string
	Lockfile string
	// HubImpl is the hub.impl key of the hub's lockfile ("voagent" for
	// voagent's own hub; other hubs may leave it empty).
	HubImpl string
	// Registrations counts the successful registrations since Run started.
	Registrations int
}

// Info returns the current connection's details (zero when not connected).
func (c *Connector) Info() Info {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sess == nil {
		return Info{Registrations: c.reconnects}
	}
	return Info{HubURL: c.sess.conn.HubURL(), SelfID: c.sess.conn.SelfID(), HubID: c.sess.conn.HubID(),
		Lockfile: c.sess.loc.URL, HubImpl: c.sess.conn.Lock().Extra["hub.impl"], Registrations: c.reconnects}
}

// Clients returns the other registered clients (the hub included), sorted by
// id.
func (c *Connector) Clients() []Client {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sess == nil {
		return nil
	}
	out := make([]Client, 0, len(c.sess.clients))
	for _, cl := range c.sess.clients {
		out = append(out, cloneClient(cl))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Client returns the tracked client with the given id.
func (c *Connector) Client(id string) (Client, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sess == nil {
		return Client{}, false
	}
	cl, ok := c.sess.clients[id]
	if !ok {
		return Client{}, false
	}
	return cloneClient(cl), true
}

// FindClients returns the clients whose samp.name is name, compared without
// case ("topcat", "aladin" finds "Aladin", "splat").
func (c *Connector) FindClients(name string) []Client {
	var out []Client
	for _, cl := range c.Clients() {
		if sameName(cl.Name(), name) {
			out = append(out, cl)
		}
	}
	return out
}

func cloneClient(cl *Client) Client {
	return Client{ID: cl.ID, Metadata: maps.Clone(cl.Metadata), Subscriptions: maps.Clone(cl.Subscriptions)}
}

func (c *Connector) current() (*session, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sess == nil {
		return nil, ErrNotConnected
	}
	return c.sess, nil
}

// Conn returns the current hub connection, for the hub operations the
// connector does not wrap.
func (c *Connector) Conn() (*connection.Conn, error) {
	s, err := c.current()
	if err != nil {
		return nil, err
	}
	return s.conn, nil
}

// Notify sends a notification to one client.
func (c *Connector) Notify(ctx context.Context, recipientID string, msg connection.Message) error {
	s, err := c.current()
	if err != nil {
		return err
	}
	return c.checkGone(s, s.conn.Notify(ctx, recipientID, msg))
}

// NotifyAll sends a notification to every subscribed client and returns
// their ids.
func (c *Connector) NotifyAll(ctx context.Context, msg connection.Message) ([]string, error) {
	s, err := c.current()
	if err != nil {
		return nil, err
	}
	ids, err := s.conn.NotifyAll(ctx, msg)
	return ids, c.checkGone(s, err)
}

// CallAndWait uses the hub's own synchronous call with a timeout (never an
// unbounded wait). Call is usually better: it does not hold an HTTP request
// open in the hub.
func (c *Connector) CallAndWait(ctx context.Context, recipientID string, msg connection.Message, timeout time.Duration) (connection.Response, error) {
	s, err := c.current()
	if err != nil {
		return connection.Response{}, err
	}
	if timeout <= 0 {
		timeout = c.opts.CallTimeout
	}
	r, err := s.conn.CallAndWait(ctx, recipientID, msg, timeout)
	return r, c.checkGone(s, err)
}

// checkGone ends the session when err says the hub no longer answers.
func (c *Connector) checkGone(s *session, err error) error {
	if err != nil && connection.IsHubUnreachable(err) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		s.probe()
	}
	return err
}
