// Package hub is a SAMP 1.3 hub for the Standard Profile: it writes the
// lockfile, serves the samp.hub.* XML-RPC API on 127.0.0.1 and routes
// messages between registered clients.
//
// Each client has its own delivery queue served by its own goroutine, with a
// timeout on every callback, so a slow or dead client never delays the
// others. A client is dropped (and the others told with
// samp.hub.event.unregister) only when its callback endpoint cannot be
// reached at all (connection refused, reset...) for Options.DropAfter and
// at least Options.MaxFailures callbacks, or probes, in a row (a probe is a
// TCP connection to the callback endpoint every Options.ProbeInterval, so
// that a client that died without unregistering is noticed even when
// nothing is sent to it). A client that is merely slow (callbacks timing
// out) is kept, its queue bounded by MaxQueue messages and MaxQueueBytes bytes
// (the sender of a message that does not fit gets a fault naming the
// recipient). Calls whose recipient goes away or
// cannot be reached are answered by the hub with a samp.error response, so
// that callers (callAndWait with no timeout in particular) never hang.
//
// The hub is itself a client (id "hub") with metadata, subscribed to
// samp.app.ping. It sends the samp.hub.event.* messages (register,
// unregister, metadata, subscriptions, shutdown) and samp.hub.disconnect to a
// client it drops; clients may not send samp.hub.* messages themselves.
//
// Typical use:
//
//	h, err := hub.New(hub.Options{Logger: log})
//	if err != nil { ... }
//	if err := h.Start(ctx); err != nil { ... } // lockfile written
//	defer h.Close()                              // shutdown event, lockfile removed
package hub

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/voagent/voagent/samp/profile"
	"github.com/voagent/voagent/samp/xmlrpc"
)

// ID is the hub's own client id.
const ID = "hub"

// Impl is the value of the hub.impl key this hub writes in its lockfile:
// a client can tell voagent's hub from others by it.
const Impl = "voagent"

// LockKeyPID is the lockfile key giving the id of the process the hub runs
// in.
const LockKeyPID = "hub.pid"

// ErrRunning is wrapped by Start's error when a live hub already owns the
// lockfile: a caller that only wants some hub to be running can use that
// one.
var ErrRunning = errors.New("a SAMP hub is already running")

// Default option values.
const (
	DefaultCallbackTimeout = 30 * time.Second
	DefaultMaxFailures     = 3
	DefaultDropAfter       = 30 * time.Second
	DefaultProbeInterval   = 15 * time.Second
	DefaultMaxQueue        = 10000
	DefaultShutdownWait    = 3 * time.Second
	// DefaultMaxCallTimeout is the longest a callAndWait waits: what a
	// timeout of zero, a negative, non-finite or larger one becomes.
	DefaultMaxCallTimeout = time.Hour
	// DefaultMaxQueueBytes bounds the encoded size of the messages waiting
	// for one recipient.
	DefaultMaxQueueBytes = 64 << 20
)

// Options configures a hub. The zero value is usable.
type Options struct {
	// Lockfile is the path of the lockfile to write. Empty means where
	// clients look: SAMP_HUB (std-lockurl:file:...) or else ~/.samp.
	Lockfile string
	// Addr is the address to listen on; it must be a loopback address.
	// Empty means 127.0.0.1 on a random port.
	Addr string
	// Logger receives the hub's log; nil discards it.
	Logger *slog.Logger
	// Metadata is the hub's own client metadata; nil gives a default
	// samp.name "voagent-hub".
	Metadata map[string]any
	// CallbackTimeout bounds every call from the hub to a client.
	CallbackTimeout time.Duration
	// MaxFailures is the number of consecutive unreachable callbacks
	// (connection refused, reset, closed: not timeouts, not faults) after
	// which a client may be dropped, once DropAfter has also passed since
	// the first of them.
	MaxFailures int
	// DropAfter is how long a client's callback endpoint must stay
	// unreachable before the client is dropped (default 30 s): a client
	// restarting its callback server, or an application busy at start
	// (Aladin after a hub restart), is not dropped for a few refused
	// callbacks.
	DropAfter time.Duration
	// ProbeInterval is how often the callback endpoints of the callable
	// clients are checked (a TCP connection, nothing sent), so that a client
	// that died without unregistering is dropped even when nothing is sent
	// to it (default 15 s).
	ProbeInterval time.Duration
	// IdleExit, when positive, makes the hub close itself once it has had
	// no client (other than itself) for that long: from Start until the
	// first registration, and from each time the last client leaves. Zero
	// keeps the hub until Close.
	IdleExit time.Duration
	// MaxQueue is the number of undelivered messages a client may have
	// before new messages to it are refused.
	MaxQueue int
	// MaxBody bounds the size of an incoming XML-RPC request.
	MaxBody int64
	// MaxCallTimeout is the longest a callAndWait waits (default
	// DefaultMaxCallTimeout): timeouts of zero, negative, non-finite or
	// larger are clamped to it, as JSAMP does.
	MaxCallTimeout time.Duration
	// MaxQueueBytes bounds the total size of the messages waiting for one
	// recipient (default DefaultMaxQueueBytes); a message that would exceed
	// it is refused with a fault naming the recipient.
	MaxQueueBytes int64
	// ShutdownWait bounds how long Close waits for the shutdown event to be
	// delivered.
	ShutdownWait time.Duration
}

// Hub is a running SAMP hub. Create it with New, start it with Start and stop
// it with Close (or by cancelling Start's context).
type Hub struct {
	opts     Options
	log      *slog.Logger
	secret   string
	lockPath string
	meta     map[string]any
	subs     map[string]any

	mu      sync.Mutex
	clients map[string]*client // by public id
	keys    map[string]*client // by private key
	pending map[string]*pending
	nextID  int
	nextMsg uint64
	closing bool
	idle    *time.Timer // runs while no client is registered (IdleExit > 0)
	idleGen int         // identifies the idle timer in force
	idled   bool        // the hub closed itself for want of clients
	started bool
	server  *xmlrpc.Server
	url     string

	httpc     *xmlrpc.Transport // for callbacks
	stopCtx   context.Context
	stop      context.CancelFunc // aborts callbacks still running at shutdown
	done      chan struct{}
	closeOnce sync.Once
	closeErr  error
	workers   sync.WaitGroup
}

// New returns a hub configured by opts; nothing is started yet.
func New(opts Options) (*Hub, error) {
	if opts.CallbackTimeout <= 0 {
		opts.CallbackTimeout = DefaultCallbackTimeout
	}
	if opts.MaxFailures <= 0 {
		opts.MaxFailures = DefaultMaxFailures
	}
	if opts.DropAfter <= 0 {
		opts.DropAfter = DefaultDropAfter
	}
	if opts.ProbeInterval <= 0 {
		opts.ProbeInterval = DefaultProbeInterval
	}
	if opts.MaxQueue <= 0 {
		opts.MaxQueue = DefaultMaxQueue
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = xmlrpc.DefaultMaxBody
	}
	if opts.ShutdownWait <= 0 {
		opts.ShutdownWait = DefaultShutdownWait
	}
	if opts.MaxCallTimeout <= 0 {
		opts.MaxCallTimeout = DefaultMaxCallTimeout
	}
	if opts.MaxQueueBytes <= 0 {
		opts.MaxQueueBytes = DefaultMaxQueueBytes
	}
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("hub address %q: %w", opts.Addr, err)
	}
	if !profile.IsLoopbackHost(host) {
		return nil, fmt.Errorf("hub address %q: the hub listens on loopback addresses only", opts.Addr)
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	lockPath := opts.Lockfile
	if lockPath == "" {
		loc, err := profile.Locate()
		if err != nil {
			return nil, fmt.Errorf("finding where to write the lockfile: %w", err)
		}
		if loc.Path == "" {
			return nil, fmt.Errorf("lockfile location %s is not a local file: cannot write it", loc.URL)
		}
		lockPath = loc.Path
	}
	meta := opts.Metadata
	if meta == nil {
		meta = map[string]any{
			"samp.name":             "voagent-hub",
			"samp.description.text": "SAMP hub built into voagent",
			"author.name":           "voagent",
		}
	}
	stopCtx, stop := context.WithCancel(context.Background())
	return &Hub{
		stopCtx:  stopCtx,
		stop:     stop,
		opts:     opts,
		log:      log,
		secret:   randomHex(16),
		lockPath: lockPath,
		meta:     meta,
		subs:     map[string]any{"samp.app.ping": map[string]any{}},
		clients:  map[string]*client{},
		keys:     map[string]*client{},
		pending:  map[string]*pending{},
		httpc:    xmlrpc.NewTransport(),
		done:     make(chan struct{}),
	}, nil
}

// Start checks the lockfile (refusing to start if a live hub owns it,
// replacing a stale one), starts serving on the loopback interface and
// writes the lockfile. It returns once clients can register. When ctx is
// done the hub closes itself, as Close does.
func (h *Hub) Start(ctx context.Context) error {
	h.mu.Lock()
	if h.started {
		h.mu.Unlock()
		return errors.New("hub already started")
	}
	h.started = true
	h.mu.Unlock()

	// The check of an existing lockfile and the writing of ours are one step
	// among voagent hubs (a lock on the lockfile's directory), and the
	// lockfile is created with link(2), which fails if another writer got
	// there first: of hubs started at once, exactly one wins.
	unlock, err := profile.LockDir(h.lockPath)
	if err != nil {
		return fmt.Errorf("hub: %w", err)
	}
	defer unlock()
	stale, err := h.checkLockfile(ctx)
	if err != nil {
		return err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", h.opts.Addr)
	if err != nil {
		return fmt.Errorf("hub: listening on %s: %w", h.opts.Addr, err)
	}
	url := "http://" + ln.Addr().String() + "/xmlrpc"
	// No write timeout: callAndWait may wait as long as its caller asks.
	srv := xmlrpc.NewServer(h.handle, xmlrpc.WithMaxBody(h.opts.MaxBody), xmlrpc.WithLogger(h.log))
	h.mu.Lock()
	h.server, h.url = srv, url
	h.mu.Unlock()
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, xmlrpc.ErrServerClosed) {
			h.log.Error("hub server stopped", "err", err)
		}
	}()
	info := &profile.LockInfo{
		Secret:         h.secret,
		XMLRPCURL:      url,
		ProfileVersion: profile.ProfileVersion,
		Extra: map[string]string{
			"hub.impl":           Impl,
			LockKeyPID:           strconv.Itoa(os.Getpid()),
			"profile.start.date": time.Now().UTC().Format(time.RFC3339),
		},
	}
	write := profile.CreateLockfile
	if stale {
		write = profile.WriteLockfile // replaced under the directory lock
	}
	if err := write(h.lockPath, info); err != nil {
		srv.Close(context.Background())
		if errors.Is(err, profile.ErrLockfileExists) {
			return fmt.Errorf("hub: %w: lockfile %s written by another hub while this one started", ErrRunning, h.lockPath)
		}
		return fmt.Errorf("hub: %w", err)
	}
	h.log.Info("SAMP hub started", "url", url, "lockfile", h.lockPath, "idle_exit", h.opts.IdleExit)
	h.mu.Lock()
	h.idleLocked()
	h.mu.Unlock()
	go h.probeLoop()
	go func() {
		select {
		case <-ctx.Done():
			h.Close()
		case <-h.done:
		}
	}()
	return nil
}

// checkLockfile refuses to start when the lockfile names a hub that answers
// samp.hub.ping; an unreadable lockfile or one naming a dead hub is stale and
// will be overwritten (stale is true).
func (h *Hub) checkLockfile(ctx context.Context) (stale bool, err error) {
	loc := profile.Location{URL: profile.FileURL(h.lockPath), Path: h.lockPath}
	info, err := profile.ReadLockfile(ctx, loc)
	if errors.Is(err, profile.ErrNoLockfile) {
		return false, nil
	}
	if err != nil {
		h.log.Warn("overwriting unreadable lockfile", "lockfile", h.lockPath, "err", err)
		return true, nil
	}
	pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	_, err = xmlrpc.NewClient(info.XMLRPCURL, xmlrpc.WithTransport(h.httpc)).Call(pctx, "samp.hub.ping")
	var fault *xmlrpc.Fault
	if err == nil || errors.As(err, &fault) {
		// A fault is an answer too: a hub starting or stopping (JSAMP
		// says "Hub is stopped" while it comes up) is not ours to replace.
		return false, fmt.Errorf("hub: %w at %s (lockfile %s)", ErrRunning, info.XMLRPCURL, h.lockPath)
	}
	h.log.Warn("overwriting lockfile of a hub that does not answer", "lockfile", h.lockPath, "url", info.XMLRPCURL)
	return true, nil
}

// URL returns the hub's XML-RPC URL (empty before Start).
func (h *Hub) URL() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.url
}

// Lockfile returns the path of the hub's lockfile.
func (h *Hub) Lockfile() string { return h.lockPath }

// Done is closed once the hub has stopped.
func (h *Hub) Done() <-chan struct{} { return h.done }

// IdleExited reports whether the hub closed itself because it had no
// client for Options.IdleExit.
func (h *Hub) IdleExited() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.idled
}

// idleLocked starts the idle timer when IdleExit is set, no client is
// registered and the hub is not closing; busyLocked stops it. Both are
// called with h.mu held.
func (h *Hub) idleLocked() {
	if h.opts.IdleExit <= 0 || h.closing || len(h.clients) > 0 || h.idle != nil {
		return
	}
	h.idleGen++
	gen := h.idleGen
	h.idle = time.AfterFunc(h.opts.IdleExit, func() {
		h.mu.Lock()
		if gen != h.idleGen || h.closing || len(h.clients) > 0 {
			h.mu.Unlock()
			return
		}
		h.idled = true
		h.mu.Unlock()
		h.log.Info("SAMP hub idle: no client for the idle period, stopping", "idle_exit", h.opts.IdleExit)
		h.Close()
	})
}

func (h *Hub) busyLocked() {
	if h.idle != nil {
		h.idle.Stop()
		h.idle = nil
		h.idleGen++
	}
}

// Close stops the hub: it removes the lockfile, sends
// samp.hub.event.shutdown to the subscribed clients (waiting at most
// Options.ShutdownWait), answers pending synchronous calls with a fault and
// stops the server. It is safe to call more than once.
func (h *Hub) Close() error {
	h.closeOnce.Do(func() {
		h.closeErr = h.shutdown()
		close(h.done)
	})
	return h.closeErr
}

func (h *Hub) shutdown() error {
	h.mu.Lock()
	started := h.server != nil
	h.closing = true // no more registrations
	h.busyLocked()
	all := make([]*client, 0, len(h.clients))
	for _, c := range h.clients {
		all = append(all, c)
	}
	h.mu.Unlock()
	var errs []error
	if started {
		if err := profile.RemoveLockfile(h.lockPath, h.secret); err != nil {
			errs = append(errs, err)
		}
		h.broadcastEvent("samp.hub.event.shutdown", map[string]any{}, "")
	}
	// Close every queue: the workers make what is queued (the shutdown event
	// at least) until ShutdownWait has passed, then callbacks still running
	// are cancelled.
	deadline := time.Now().Add(h.opts.ShutdownWait)
	for _, c := range all {
		c.q.close(deadline)
	}
	waited := make(chan struct{})
	go func() { h.workers.Wait(); close(waited) }()
	select {
	case <-waited:
	case <-time.After(h.opts.ShutdownWait):
		h.log.Warn("some clients did not take the shutdown event in time")
	}
	h.stop()
	h.mu.Lock()
	for id, p := range h.pending {
		delete(h.pending, id)
		if p.result != nil {
			p.result <- syncResult{err: sampError("the hub is shutting down")}
		}
	}
	h.mu.Unlock()
	if started {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err := h.server.Close(ctx); err != nil {
			h.log.Debug("closing the hub's server", "err", err)
		}
		h.log.Info("SAMP hub stopped", "lockfile", h.lockPath)
	}
	h.httpc.CloseIdleConnections()
	return errors.Join(errs...)
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error()) // never happens on Linux
	}
	return hex.EncodeToString(b)
}
