package connector

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/voagent/voagent/samp/connection"
)

// Reply is one response to an asynchronous call.
type Reply struct {
	ResponderID string
	Response    connection.Response
}

// pending is a call whose responses are awaited, keyed by msg-tag.
type pending struct {
	ch   chan Reply
	want int // number of responses expected; -1 until callAll has returned
	got  int
	err  error // why the channel was closed early
	done bool
}

// finishLocked closes the channel once (c.mu held).
func (c *Connector) finishLocked(tag string, p *pending, err error) {
	if p.done {
		return
	}
	p.done = true
	p.err = err
	close(p.ch)
	delete(c.pending, tag)
}

func (c *Connector) newTag() string {
	return "voagent-" + strconv.FormatUint(c.tagSeq.Add(1), 10)
}

// addPending registers a pending call before it is sent, so that a response
// that arrives before the hub's call returns is not lost. It ends when ctx is
// done.
func (c *Connector) addPending(ctx context.Context, want, capacity int) (string, *pending) {
	tag := c.newTag()
	p := &pending{ch: make(chan Reply, capacity), want: want}
	c.mu.Lock()
	c.pending[tag] = p
	c.mu.Unlock()
	context.AfterFunc(ctx, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.finishLocked(tag, p, ctx.Err())
	})
	return tag, p
}

// deliver hands a response to its pending call.
func (c *Connector) deliver(responderID, tag string, resp connection.Response) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.pending[tag]
	if !ok || p.done {
		return false
	}
	if p.got < cap(p.ch) {
		p.ch <- Reply{ResponderID: responderID, Response: resp}
	} else {
		c.log.Warn("SAMP response dropped: more responders than expected", "responder", responderID, "msg-tag", tag)
	}
	p.got++
	if p.want >= 0 && p.got >= p.want {
		c.finishLocked(tag, p, nil)
	}
	return true
}

// failPending ends every pending call (the hub went away).
func (c *Connector) failPending(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for tag, p := range c.pending {
		c.finishLocked(tag, p, err)
	}
}

// CallAsync sends msg to one client and returns at once; the response
// arrives on the returned channel, which is closed after it, or without it
// when ctx is done or the hub goes away.
func (c *Connector) CallAsync(ctx context.Context, recipientID string, msg connection.Message) (<-chan Reply, error) {
	s, err := c.current()
	if err != nil {
		return nil, err
	}
	tag, p := c.addPending(ctx, 1, 1)
	if _, err := s.conn.Call(ctx, recipientID, tag, msg); err != nil {
		c.mu.Lock()
		c.finishLocked(tag, p, err)
		c.mu.Unlock()
		return nil, c.checkGone(s, err)
	}
	return p.ch, nil
}

// CallAllAsync sends msg to every subscribed client and returns their ids
// at once; the responses arrive on the returned channel, closed when all have
// arrived, when ctx is done or when the hub goes away.
func (c *Connector) CallAllAsync(ctx context.Context, msg connection.Message) ([]string, <-chan Reply, error) {
	s, err := c.current()
	if err != nil {
		return nil, nil, err
	}
	// The number of recipients is known only after callAll returns: size the
	// buffer for every client we know of (plus slack for newcomers).
	c.mu.Lock()
	capacity := len(s.clients) + 64
	c.mu.Unlock()
	tag, p := c.addPending(ctx, -1, capacity)
	ids, err := s.conn.CallAll(ctx, tag, msg)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		c.finishLocked(tag, p, err)
		return nil, nil, c.checkGone(s, err)
	}
	recipients := make([]string, 0, len(ids))
	for id := range ids {
		recipients = append(recipients, id)
	}
	sort.Strings(recipients)
	p.want = len(recipients)
	if p.got >= p.want {
		c.finishLocked(tag, p, nil)
	}
	return recipients, p.ch, nil
}

// Call sends msg to one client and waits for its response until ctx is done,
// at most CallTimeout when ctx has no deadline: never an unbounded wait.
func (c *Connector) Call(ctx context.Context, recipientID string, msg connection.Message) (connection.Response, error) {
	ctx, cancel := c.bound(ctx)
	defer cancel()
	ch, err := c.CallAsync(ctx, recipientID, msg)
	if err != nil {
		return connection.Response{}, fmt.Errorf("calling %s with %s: %w", recipientID, msg.MType, err)
	}
	r, ok := <-ch
	if !ok {
		return connection.Response{}, fmt.Errorf("calling %s with %s: no response: %w", recipientID, msg.MType, c.endReason(ctx))
	}
	return r.Response, nil
}

// CallAll sends msg to every subscribed client and waits for all responses
// until ctx is done (at most CallTimeout without a deadline). It returns the
// responses received by responder id; when some are missing the error names
// them.
func (c *Connector) CallAll(ctx context.Context, msg connection.Message) (map[string]connection.Response, error) {
	ctx, cancel := c.bound(ctx)
	defer cancel()
	ids, ch, err := c.CallAllAsync(ctx, msg)
	if err != nil {
		return nil, fmt.Errorf("broadcasting %s: %w", msg.MType, err)
	}
	out := make(map[string]connection.Response, len(ids))
	for r := range ch {
		out[r.ResponderID] = r.Response
	}
	var missing []string
	for _, id := range ids {
		if _, ok := out[id]; !ok {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return out, fmt.Errorf("broadcasting %s: no response from %s: %w", msg.MType, strings.Join(missing, ", "), c.endReason(ctx))
	}
	return out, nil
}

func (c *Connector) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, c.opts.CallTimeout)
}

// endReason says why a pending call ended without (all) responses.
func (c *Connector) endReason(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return ErrHubGone
}
