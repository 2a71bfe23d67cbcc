package agent

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/voagent/voagent/samp/connection"
)

// Bounds of the delivery queues.
const (
	// maxQueued is how many messages may wait for one recipient; one more
	// is refused (ErrQueueFull) rather than making its search wait.
	maxQueued = 64
	// queueIdle is how long a recipient's worker waits for a message
	// before it ends (the next message starts a new one).
	queueIdle = time.Minute
)

// Why a queued message was not sent.
var (
	// ErrQueueFull: the recipient already has maxQueued messages waiting.
	ErrQueueFull = errors.New("the recipient's delivery queue is full")
	// ErrSupersededDelivery: the message's search was superseded before
	// the message's turn came.
	ErrSupersededDelivery = errors.New("not sent: its search was superseded before its turn")
	// ErrAgentStopping: the agent stopped before the message's turn came.
	ErrAgentStopping = errors.New("not sent: the agent is stopping")
)

// outgoing is one message waiting for one recipient.
type outgoing struct {
	to     recipient
	mtype  string
	params map[string]any
	// stale reports whether the message's search has been superseded (nil:
	// never): then the message is dropped when its turn comes.
	stale func() bool
	// notBefore holds the message until then (zero: send at once); it is
	// checked for staleness after the wait.
	notBefore time.Time
	// done gets the outcome (nil: the recipient answered samp.ok) and how
	// long the call took; it is called exactly once, from any goroutine.
	done func(err error, took time.Duration)
}

// outbox holds one FIFO queue per recipient (client id), each drained by
// its own worker goroutine, so that a slow or silent client delays only the
// messages for itself.
type outbox struct {
	mu     sync.Mutex
	closed bool
	queues map[string]chan *outgoing
}

// close refuses further messages (the agent is stopping).
func (o *outbox) close() {
	o.mu.Lock()
	o.closed = true
	o.mu.Unlock()
}

// enqueue puts m on its recipient's queue, starting the worker if there is
// none, and returns at once: a full queue or a stopping agent calls m.done
// with the reason before returning.
func (a *Agent) enqueue(m *outgoing) {
	o := &a.outbox
	o.mu.Lock()
	if o.closed || a.ctx.Err() != nil {
		o.mu.Unlock()
		m.done(fmt.Errorf("%s to %s: %w", m.mtype, m.to.label(), ErrAgentStopping), 0)
		return
	}
	q, ok := o.queues[m.to.id]
	if !ok {
		if o.queues == nil {
			o.queues = map[string]chan *outgoing{}
		}
		q = make(chan *outgoing, maxQueued)
		o.queues[m.to.id] = q
		a.Go(func(ctx context.Context) { a.drain(ctx, m.to.id, q) })
	}
	select {
	case q <- m:
		o.mu.Unlock()
	default:
		o.mu.Unlock()
		m.done(fmt.Errorf("%s to %s: %w (%d messages waiting)", m.mtype, m.to.label(), ErrQueueFull, maxQueued), 0)
	}
}

// drain is the worker of the queue of client id: it sends the messages one
// after the other until the agent stops or the queue stays empty for
// queueIdle.
func (a *Agent) drain(ctx context.Context, id string, q chan *outgoing) {
	o := &a.outbox
	idle := time.NewTimer(queueIdle)
	defer idle.Stop()
	for {
		select {
		case <-ctx.Done():
			o.mu.Lock()
			delete(o.queues, id)
			o.mu.Unlock()
			for {
				select {
				case m := <-q:
					m.done(fmt.Errorf("%s to %s: %w", m.mtype, m.to.label(), ErrAgentStopping), 0)
				default:
					return
				}
			}
		case <-idle.C:
			o.mu.Lock()
			if len(q) == 0 {
				delete(o.queues, id)
				o.mu.Unlock()
				return
			}
			o.mu.Unlock()
			idle.Reset(queueIdle)
		case m := <-q:
			a.deliverOne(ctx, m)
			idle.Reset(queueIdle)
		}
	}
}

// deliverOne sends m now, unless its search was superseded while it
// waited. The call has the connector's deadline and ends when the agent
// stops.
func (a *Agent) deliverOne(ctx context.Context, m *outgoing) {
	if wait := time.Until(m.notBefore); wait > 0 && !(m.stale != nil && m.stale()) {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			m.done(fmt.Errorf("%s to %s: %w", m.mtype, m.to.label(), ErrAgentStopping), 0)
			return
		}
	}
	if m.stale != nil && m.stale() {
		m.done(fmt.Errorf("%s to %s: %w", m.mtype, m.to.label(), ErrSupersededDelivery), 0)
		return
	}
	t0 := time.Now()
	err := a.call(ctx, m.to, m.mtype, m.params)
	if err != nil {
		err = fmt.Errorf("%s to %s: %w", m.mtype, m.to.label(), err)
	}
	m.done(err, time.Since(t0))
}

// call sends one message to one recipient and waits for its answer: nil
// for samp.ok.
func (a *Agent) call(ctx context.Context, r recipient, mtype string, params map[string]any) error {
	resp, err := a.conn.Call(ctx, r.id, connection.NewMessage(mtype, params))
	if err == nil {
		err = resp.Err()
	}
	return err
}
