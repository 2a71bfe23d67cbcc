package xmlrpc

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/valyala/fasthttp"
)

// Transport sends XML-RPC requests over HTTP/1.1 on kept-alive TCP
// connections. Each exchange runs in the calling goroutine (write the
// request, read the response), which is what makes a SAMP round trip on
// loopback cheap: net/http's transport hands every request to two more
// goroutines per connection. Responses are parsed by fasthttp (status line,
// headers, Content-Length, chunked or read-until-close bodies, HTTP/1.0
// peers such as JSAMP that close after each response).
//
// A Transport is safe for concurrent use; connections are pooled per host.
type Transport struct {
	// DialTimeout bounds connecting (default 5 s; the call's context may
	// end it sooner).
	DialTimeout time.Duration
	// MaxIdlePerHost is the number of idle connections kept per host
	// (default 32).
	MaxIdlePerHost int
	// IdleTimeout is how long an idle connection is kept (default 30 s, well
	// under the idle timeouts of servers, so that a reused connection is
	// seldom one the server is closing).
	IdleTimeout time.Duration

	mu     sync.Mutex
	idle   map[string][]*pconn
	closed bool
}

// NewTransport returns a Transport with the default settings.
func NewTransport() *Transport { return &Transport{} }

// defaultTransport is shared by the Clients that are given no Transport.
var defaultTransport = NewTransport()

// pconn is one pooled connection.
type pconn struct {
	conn   net.Conn
	br     *bufio.Reader
	read   int64 // bytes read during the current exchange
	broken bool  // its deadline may be poisoned: do not reuse
	idleAt time.Time
}

func (pc *pconn) Read(p []byte) (int, error) {
	n, err := pc.conn.Read(p)
	pc.read += int64(n)
	return n, err
}

func (t *Transport) dialTimeout() time.Duration {
	if t.DialTimeout > 0 {
		return t.DialTimeout
	}
	return 5 * time.Second
}

func (t *Transport) maxIdle() int {
	if t.MaxIdlePerHost > 0 {
		return t.MaxIdlePerHost
	}
	return 32
}

func (t *Transport) idleTimeout() time.Duration {
	if t.IdleTimeout > 0 {
		return t.IdleTimeout
	}
	return 30 * time.Second
}

// get returns an idle connection to addr, or dials one. reused tells which.
func (t *Transport) get(ctx context.Context, addr string) (pc *pconn, reused bool, err error) {
	now := time.Now()
	t.mu.Lock()
	for list := t.idle[addr]; len(list) > 0; list = t.idle[addr] {
		pc = list[len(list)-1]
		list[len(list)-1] = nil
		t.idle[addr] = list[:len(list)-1]
		if now.Sub(pc.idleAt) < t.idleTimeout() {
			t.mu.Unlock()
			return pc, true, nil
		}
		pc.conn.Close()
	}
	t.mu.Unlock()
	d := net.Dialer{Timeout: t.dialTimeout(), KeepAlive: 30 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, false, err
	}
	pc = &pconn{conn: conn}
	pc.br = bufio.NewReaderSize(pc, 8<<10)
	return pc, false, nil
}

// put keeps pc for reuse, or closes it when the pool is full or closed.
func (t *Transport) put(addr string, pc *pconn) {
	pc.idleAt = time.Now()
	t.mu.Lock()
	if !t.closed && len(t.idle[addr]) < t.maxIdle() {
		if t.idle == nil {
			t.idle = map[string][]*pconn{}
		}
		t.idle[addr] = append(t.idle[addr], pc)
		t.mu.Unlock()
		return
	}
	t.mu.Unlock()
	pc.conn.Close()
}

// CloseIdleConnections closes the pooled connections; the Transport stays
// usable.
func (t *Transport) CloseIdleConnections() {
	t.mu.Lock()
	idle := t.idle
	t.idle = nil
	t.mu.Unlock()
	for _, list := range idle {
		for _, pc := range list {
			pc.conn.Close()
		}
	}
}

// errResponseTooLarge is wrapped when a response body exceeds the limit.
var errResponseTooLarge = fmt.Errorf("response body: %w", ErrTooLarge)

// roundTrip writes req (a whole HTTP request) to addr and reads the response
// into resp, whose body is limited to maxBody bytes. A request that failed on
// a reused connection before any byte of response arrived (the server closed
// the idle connection as we wrote) is sent once more on a fresh connection,
// as Python's xmlrpc.client does.
func (t *Transport) roundTrip(ctx context.Context, addr string, req []byte, resp *fasthttp.Response, maxBody int) error {
	for attempt := 0; ; attempt++ {
		pc, reused, err := t.get(ctx, addr)
		if err != nil {
			return err
		}
		err = pc.exchange(ctx, req, resp, maxBody)
		if err == nil {
			if resp.ConnectionClose() || pc.broken {
				pc.conn.Close()
			} else {
				t.put(addr, pc)
			}
			return nil
		}
		pc.conn.Close()
		if attempt == 0 && reused && pc.read == 0 && ctx.Err() == nil && droppedConn(err) {
			continue
		}
		return err
	}
}

// aLongTimeAgo is a deadline in the past, to interrupt blocked I/O.
var aLongTimeAgo = time.Unix(1, 0)

// exchange sends req and reads the response, bounded by ctx. The connection
// must not be reused after an error.
func (pc *pconn) exchange(ctx context.Context, req []byte, resp *fasthttp.Response, maxBody int) error {
	pc.read = 0
	// The context's end (cancel or deadline) interrupts the I/O; by then
	// ctx.Err() is set, so the error returned is the context's.
	stop := context.AfterFunc(ctx, func() { pc.conn.SetDeadline(aLongTimeAgo) })
	_, err := pc.conn.Write(req)
	if err == nil {
		err = resp.ReadLimitBody(pc.br, maxBody)
		if errors.Is(err, fasthttp.ErrBodyTooLarge) {
			err = errResponseTooLarge
		}
	}
	if !stop() {
		// The context ended as the exchange finished: the deadline may
		// be poisoned, so the connection cannot be reused.
		pc.broken = true
	}
	if err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// droppedConn tells whether err is what a write to, or a read from, a
// connection the server has closed returns.
func droppedConn(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, net.ErrClosed)
}
