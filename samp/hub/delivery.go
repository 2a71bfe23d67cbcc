package hub

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/voagent/voagent/samp/xmlrpc"
)

// client is a registered client. The fields other than id, key and q are
// guarded by Hub.mu.
type client struct {
	id  string
	key string
	q   *queue

	meta map[string]any
	subs map[string]any
	rpc  *xmlrpc.Client // nil until setXmlrpcCallback
	gone bool

	callbackHost string    // host:port of the callback URL ("" until set)
	probeFails   int       // consecutive refused probes of callbackHost
	probeSince   time.Time // when the first of them was refused

	failures     int       // consecutive unreachable callbacks; used by the worker only
	failingSince time.Time // when the first of them failed; worker only
}

// delivery is one callback to make to a client: method with args (the
// client's private key is prepended when sending). failed, when set, is
// called if the callback certainly did not reach the client's application,
// so that a call can be answered with an error instead of hanging.
type delivery struct {
	method string
	args   []any
	failed func(reason string)
	size   int64 // estimated bytes held, set by queue.push
}

var (
	errQueueFull   = errors.New("too many undelivered messages")
	errQueueClosed = errors.New("client is no longer registered")
	errQueueBytes  = errors.New("recipient's queue is full")
)

// queue is a client's FIFO of deliveries, bounded in length and in bytes.
type queue struct {
	mu       sync.Mutex
	items    []delivery
	head     int
	max      int
	maxBytes int64
	bytes    int64 // estimated size of the deliveries held
	closed   bool
	deadline time.Time // after close: drop what is left at this time
	wake     chan struct{}
}

func newQueue(max int, maxBytes int64) *queue {
	return &queue{max: max, maxBytes: maxBytes, wake: make(chan struct{}, 1)}
}

// valueSize estimates the memory a SAMP value holds: its strings' bytes
// plus a fixed cost per value.
func valueSize(v any) int64 {
	const overhead = 16
	switch v := v.(type) {
	case string:
		return int64(len(v)) + overhead
	case []any:
		n := int64(overhead)
		for _, e := range v {
			n += valueSize(e)
		}
		return n
	case map[string]any:
		n := int64(overhead)
		for k, e := range v {
			n += int64(len(k)) + valueSize(e)
		}
		return n
	default:
		return overhead
	}
}

func (q *queue) push(d delivery) error {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return errQueueClosed
	}
	if len(q.items)-q.head >= q.max {
		q.mu.Unlock()
		return errQueueFull
	}
	d.size = valueSize(d.args)
	if q.bytes+d.size > q.maxBytes {
		held := q.bytes
		q.mu.Unlock()
		return fmt.Errorf("%w: %d bytes waiting, a message of %d bytes would pass the limit of %d bytes",
			errQueueBytes, held, d.size, q.maxBytes)
	}
	q.bytes += d.size
	q.items = append(q.items, d)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
	return nil
}

// pop waits for the next delivery. It returns false once the queue is closed
// and empty, or closed and past its deadline.
func (q *queue) pop() (delivery, time.Time, bool) {
	for {
		q.mu.Lock()
		if q.head < len(q.items) && (!q.closed || time.Now().Before(q.deadline)) {
			d := q.items[q.head]
			q.items[q.head] = delivery{}
			q.bytes -= d.size
			q.head++
			if q.head == len(q.items) {
				q.items, q.head = q.items[:0], 0
			} else if q.head > 1024 && q.head*2 > len(q.items) {
				q.items = append(q.items[:0:0], q.items[q.head:]...)
				q.head = 0
			}
			deadline := q.deadline
			q.mu.Unlock()
			return d, deadline, true
		}
		if q.closed {
			q.mu.Unlock()
			return delivery{}, time.Time{}, false
		}
		q.mu.Unlock()
		<-q.wake
	}
}

// close refuses new deliveries; the ones queued are still made until
// deadline (a zero deadline drops them at once). It returns the deliveries
// that will not be made when deadline is zero.
func (q *queue) close(deadline time.Time) []delivery {
	q.mu.Lock()
	q.closed = true
	q.deadline = deadline
	var dropped []delivery
	if deadline.IsZero() {
		dropped = append(dropped, q.items[q.head:]...)
		q.items, q.head, q.bytes = nil, 0, 0
	}
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
	return dropped
}

// run is a client's delivery goroutine: it makes the client's callbacks one
// at a time, in order, each bounded by the callback timeout, and drops the
// client when its endpoint stays unreachable (see Options.DropAfter).
func (h *Hub) run(c *client) {
	defer h.workers.Done()
	for {
		d, deadline, ok := c.q.pop()
		if !ok {
			return
		}
		h.mu.Lock()
		rpc := c.rpc
		h.mu.Unlock()
		if rpc == nil {
			if d.failed != nil {
				d.failed("client " + c.id + " is not callable")
			}
			continue
		}
		ctx, cancel := context.WithTimeout(h.stopCtx, h.opts.CallbackTimeout)
		if !deadline.IsZero() {
			ctx, cancel = context.WithDeadline(ctx, deadline)
		}
		args := make([]any, 0, len(d.args)+1)
		args = append(args, c.key)
		args = append(args, d.args...)
		_, err := rpc.Call(ctx, d.method, args...)
		cancel()
		if err == nil {
			c.failures = 0
			continue
		}
		if h.stopCtx.Err() != nil {
			continue // the hub is stopping: not the client's fault
		}
		var f *xmlrpc.Fault
		if errors.As(err, &f) {
			// The client is alive but refused the callback.
			c.failures = 0
			h.log.Debug("client refused a callback", "client", c.id, "method", d.method, "fault", f.Message)
			if d.failed != nil {
				d.failed("client " + c.id + " refused the message: " + f.Message)
			}
			continue
		}
		if isTimeout(err) {
			// The client took the connection but is slow (busy, starting,
			// a modal dialog): it is alive, so it is kept. A call may
			// still be processed and replied to, so it is not failed.
			c.failures = 0
			h.log.Warn("callback timed out: client slow, kept", "client", c.id, "method", d.method, "timeout", h.opts.CallbackTimeout)
			continue
		}
		if c.failures == 0 {
			c.failingSince = time.Now()
		}
		c.failures++
		unreachable := time.Since(c.failingSince)
		h.log.Warn("callback failed: client unreachable", "client", c.id, "method", d.method,
			"failures", c.failures, "unreachable_for", unreachable.Round(time.Millisecond), "err", err)
		if d.failed != nil {
			// Nothing reached the client's application.
			d.failed("cannot deliver to client " + c.id + ": " + err.Error())
		}
		if c.failures >= h.opts.MaxFailures && unreachable >= h.opts.DropAfter {
			h.drop(c, "its callback endpoint was unreachable for "+unreachable.Round(time.Second).String()+
				" ("+itoa(c.failures)+" callbacks in a row)")
		}
	}
}

func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() && !strings.Contains(err.Error(), "dial")
}

// probeLoop checks every ProbeInterval that the callable clients' callback
// endpoints still accept connections (a TCP connection, nothing sent), so
// that a client that died without unregistering (SIGKILL) is dropped under
// the same rule as an unreachable callback even when nothing is sent to it;
// otherwise it would keep an idle hub (IdleExit) alive forever.
func (h *Hub) probeLoop() {
	t := time.NewTicker(h.opts.ProbeInterval)
	defer t.Stop()
	for {
		select {
		case <-h.stopCtx.Done():
			return
		case <-t.C:
		}
		h.mu.Lock()
		var todo []*client
		for _, c := range h.clients {
			if c.callbackHost != "" {
				todo = append(todo, c)
			}
		}
		h.mu.Unlock()
		for _, c := range todo {
			h.probe(c)
		}
	}
}

// probe dials c's callback endpoint once: a refused (or reset) connection
// counts towards dropping c, anything that connects clears the count, a
// timeout (a busy machine) counts for nothing.
func (h *Hub) probe(c *client) {
	h.mu.Lock()
	host := c.callbackHost
	h.mu.Unlock()
	ctx, cancel := context.WithTimeout(h.stopCtx, 2*time.Second)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", host)
	if err == nil {
		conn.Close()
	}
	if h.stopCtx.Err() != nil || (err != nil && isTimeout(err)) {
		return
	}
	h.mu.Lock()
	if c.gone || c.callbackHost != host {
		h.mu.Unlock()
		return
	}
	if err == nil {
		c.probeFails, c.probeSince = 0, time.Time{}
		h.mu.Unlock()
		return
	}
	if c.probeFails == 0 {
		c.probeSince = time.Now()
	}
	c.probeFails++
	fails, since := c.probeFails, time.Since(c.probeSince)
	h.mu.Unlock()
	h.log.Debug("client's callback endpoint refuses connections", "client", c.id, "probes", fails, "unreachable_for", since.Round(time.Millisecond), "err", err)
	if fails >= h.opts.MaxFailures && since >= h.opts.DropAfter {
		h.drop(c, "its callback endpoint refused connections for "+since.Round(time.Second).String()+
			" ("+itoa(fails)+" probes in a row)")
	}
}
