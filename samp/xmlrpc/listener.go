package xmlrpc

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/valyala/fasthttp"
)

// DefaultMaxConns returns the default cap on the connections a Server keeps
// open: well below the process's limit on file descriptors (5/8 of it,
// between 16 and 8192), so that accepting never runs the process out of
// descriptors for its own files and outgoing calls.
func DefaultMaxConns() int {
	var rl syscall.Rlimit
	n := 1024
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err == nil && rl.Cur > 0 && rl.Cur < 1<<20 {
		n = int(rl.Cur)
	} else if err == nil && rl.Cur >= 1<<20 {
		n = 1 << 20
	}
	return min(max(n*5/8, 16), 8192)
}

// WithMaxConns sets how many connections the server keeps open at most
// (default DefaultMaxConns()). At the cap, the connection idle for longest
// is closed to make room for a new one; when none is idle, accepting waits.
func WithMaxConns(n int) ServerOption { return func(s *Server) { s.maxConns = n } }

// connListener wraps the server's listener: it retries accept errors that
// pass (EMFILE, ENFILE, ENOBUFS, ENOMEM, ECONNABORTED) with back-off, as
// net/http's server does, where fasthttp would stop serving for good, and it
// caps the open connections (see WithMaxConns).
type connListener struct {
	net.Listener
	log  *slog.Logger
	max  int
	done chan struct{} // closed by Close

	mu    sync.Mutex
	conns map[*trackedConn]struct{}
	freed chan struct{} // signalled when a connection goes
	once  sync.Once
}

func newConnListener(ln net.Listener, maxConns int, log *slog.Logger) *connListener {
	return &connListener{Listener: ln, log: log, max: maxConns, done: make(chan struct{}),
		conns: map[*trackedConn]struct{}{}, freed: make(chan struct{}, 1)}
}

// trackedConn is a connection counted by its connListener; busy and since
// are guarded by the listener's mu.
type trackedConn struct {
	net.Conn
	l     *connListener
	busy  bool      // a request is being read or handled
	since time.Time // when it last became idle
	once  sync.Once
	// linger is set when the connection is closed on a request whose body
	// was not read (too large): see Close.
	linger atomic.Bool
}

// Lingering close of a connection whose request body was left unread: at
// most lingerTime and lingerBytes of it are read and thrown away.
const (
	lingerTime  = time.Second
	lingerBytes = 64 << 20
)

// Close closes the connection. When the request's body was left unread
// (linger), it first shuts the sending side and reads what the caller is
// still sending, as net/http's server does: closing with unread data
// resets the connection, and the caller, still writing its body, would get
// "broken pipe" or "connection reset" instead of the fault sent to it.
func (c *trackedConn) Close() error {
	c.once.Do(func() { c.l.remove(c) })
	if c.linger.Load() {
		if tc, ok := c.Conn.(*net.TCPConn); ok && tc.CloseWrite() == nil {
			_ = tc.SetReadDeadline(time.Now().Add(lingerTime))
			_, _ = io.CopyN(io.Discard, tc, lingerBytes)
		}
	}
	return c.Conn.Close()
}

func (l *connListener) remove(c *trackedConn) {
	l.mu.Lock()
	delete(l.conns, c)
	l.mu.Unlock()
	select {
	case l.freed <- struct{}{}:
	default:
	}
}

// Close stops accepting.
func (l *connListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// connState is fasthttp's ConnState hook: it tells busy connections from
// idle ones (new, or between requests).
func (l *connListener) connState(nc net.Conn, st fasthttp.ConnState) {
	c, ok := nc.(*trackedConn)
	if !ok {
		return
	}
	l.mu.Lock()
	switch st {
	case fasthttp.StateActive:
		c.busy = true
	case fasthttp.StateIdle, fasthttp.StateNew:
		c.busy, c.since = false, time.Now()
	}
	l.mu.Unlock()
}

// closeOldestIdle closes the connection idle for longest; it reports
// whether there was one.
func (l *connListener) closeOldestIdle() bool {
	l.mu.Lock()
	var oldest *trackedConn
	for c := range l.conns {
		if !c.busy && (oldest == nil || c.since.Before(oldest.since)) {
			oldest = c
		}
	}
	l.mu.Unlock()
	if oldest == nil {
		return false
	}
	oldest.Close()
	return true
}

// makeRoom waits until fewer than max connections are open, closing idle
// ones first. It returns false when the listener is closed.
func (l *connListener) makeRoom() bool {
	warned := false
	for {
		l.mu.Lock()
		n := len(l.conns)
		l.mu.Unlock()
		if n < l.max {
			return true
		}
		if l.closeOldestIdle() {
			continue
		}
		if !warned {
			l.log.Warn("XML-RPC server: connection cap reached and every connection is busy; waiting to accept more", "max_conns", l.max)
			warned = true
		}
		select {
		case <-l.done:
			return false
		case <-l.freed:
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (l *connListener) Accept() (net.Conn, error) {
	var delay time.Duration
	for {
		if !l.makeRoom() {
			return nil, net.ErrClosed
		}
		c, err := l.Listener.Accept()
		if err == nil {
			tc := &trackedConn{Conn: c, l: l, since: time.Now()}
			l.mu.Lock()
			l.conns[tc] = struct{}{}
			l.mu.Unlock()
			return tc, nil
		}
		if !retryable(err) {
			return nil, err
		}
		// Out of descriptors (or a connection aborted before it was
		// taken): free an idle connection if there is one, wait a little
		// and try again, never give up serving.
		if delay == 0 {
			delay = 5 * time.Millisecond
		} else {
			delay = min(2*delay, time.Second)
		}
		l.log.Warn("XML-RPC server: accept failed, retrying", "err", err, "retry_in", delay)
		l.closeOldestIdle()
		select {
		case <-l.done:
			return nil, net.ErrClosed
		case <-time.After(delay):
		}
	}
}

func retryable(err error) bool {
	for _, e := range []syscall.Errno{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM, syscall.ECONNABORTED, syscall.EINTR} {
		if errors.Is(err, e) {
			return true
		}
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// peerCheckInterval is how often a long request checks whether its caller
// closed the connection.
const peerCheckInterval = 500 * time.Millisecond

// watchPeer cancels a request's context once the peer has closed conn (a
// caller that gave up a long callAndWait), checking after the request has
// run for peerCheckInterval and then at that interval. The check peeks at
// the socket without reading anything. stop ends the watch.
func watchPeer(conn net.Conn, cancel context.CancelFunc) (stop func()) {
	if tc, ok := conn.(*trackedConn); ok {
		conn = tc.Conn
	}
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return func() {}
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return func() {}
	}
	var (
		mu      sync.Mutex
		stopped bool
		t       *time.Timer
	)
	mu.Lock()
	t = time.AfterFunc(peerCheckInterval, func() {
		mu.Lock()
		defer mu.Unlock()
		if stopped {
			return
		}
		if peerClosed(raw) {
			cancel()
			return
		}
		t.Reset(peerCheckInterval)
	})
	mu.Unlock()
	return func() {
		mu.Lock()
		stopped = true
		t.Stop()
		mu.Unlock()
	}
}
