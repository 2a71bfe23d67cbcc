package connector

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/voagent/voagent/samp/connection"
	"github.com/voagent/voagent/samp/profile"
)

// session is one registration with one hub. Callbacks from that hub arrive
// at its session, so a late message from an old hub never touches a new one.
type session struct {
	c       *Connector
	conn    *connection.Conn
	loc     profile.Location
	clients map[string]*Client // guarded by c.mu

	goneOnce sync.Once
	gone     chan struct{}
	reason   string
	byHub    bool
	probeCh  chan struct{}
	ctx      context.Context // cancelled when the session ends
	cancel   context.CancelFunc
}

func newSession(c *Connector, conn *connection.Conn, loc profile.Location) *session {
	ctx, cancel := context.WithCancel(context.Background())
	return &session{c: c, conn: conn, loc: loc, clients: map[string]*Client{},
		gone: make(chan struct{}), probeCh: make(chan struct{}, 1), ctx: ctx, cancel: cancel}
}

// end marks the hub as gone (first reason wins).
func (s *session) end(reason string) { s.endBy(reason, false) }

// endBy is end, recording whether the hub announced it.
func (s *session) endBy(reason string, byHub bool) {
	s.goneOnce.Do(func() {
		s.reason = reason
		s.byHub = byHub
		close(s.gone)
	})
}

// hubSaidGone reports whether the session ended by the hub's own word
// (shutdown event, disconnect, our unregistration): then there is no one to
// unregister from.
func (s *session) hubSaidGone() bool {
	select {
	case <-s.gone:
		return s.byHub
	default:
		return false
	}
}

// probe asks the monitor to ping the hub now (a call failed).
func (s *session) probe() {
	select {
	case s.probeCh <- struct{}{}:
	default:
	}
}

// ReceiveNotification implements connection.Callable.
func (s *session) ReceiveNotification(ctx context.Context, senderID string, msg connection.Message) error {
	if s.hubEvent(senderID, msg) {
		return nil
	}
	h := s.c.handler(msg.MType)
	if h == nil {
		return fmt.Errorf("no handler for MType %q", msg.MType)
	}
	req := s.c.request(s, senderID, "", msg)
	err := s.c.pool.submit(senderID, func() {
		s.c.serve(s.ctx, h, req, func(_ map[string]any, err error) {
			if err != nil {
				s.c.log.Info("SAMP notification handler failed", "mtype", msg.MType, "sender", senderID, "err", err)
			}
		})
	})
	if err != nil {
		s.c.log.Warn("SAMP notification refused", "mtype", msg.MType, "sender", senderID, "err", err)
		return fmt.Errorf("voagent refuses %s: %w", msg.MType, err)
	}
	return nil
}

// ReceiveCall implements connection.Callable: the call is answered exactly
// once, from another goroutine.
func (s *session) ReceiveCall(ctx context.Context, senderID, msgID string, msg connection.Message) error {
	if msgID == "" {
		return errors.New("receiveCall with an empty msg-id")
	}
	req := s.c.request(s, senderID, msgID, msg)
	if s.hubEvent(senderID, msg) {
		go s.reply(msgID, connection.OK(nil))
		return nil
	}
	h := s.c.handler(msg.MType)
	if h == nil {
		go s.reply(msgID, connection.ErrorResponse(fmt.Sprintf("voagent has no handler for MType %q", msg.MType)))
		return nil
	}
	err := s.c.pool.submit(senderID, func() {
		s.c.serve(s.ctx, h, req, func(result map[string]any, err error) {
			s.reply(msgID, responseFor(result, err))
		})
	})
	if err != nil {
		// The hub answers the sender with an error for a refused call.
		s.c.log.Warn("SAMP call refused", "mtype", msg.MType, "sender", senderID, "err", err)
		return fmt.Errorf("voagent refuses %s: %w", msg.MType, err)
	}
	return nil
}

// ReceiveResponse implements connection.Callable.
func (s *session) ReceiveResponse(ctx context.Context, responderID, msgTag string, resp connection.Response) error {
	if !s.c.deliver(responderID, msgTag, resp) {
		s.c.log.Debug("SAMP response for no pending call", "responder", responderID, "msg-tag", msgTag)
	}
	return nil
}

func (s *session) reply(msgID string, resp connection.Response) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.conn.Reply(ctx, msgID, resp); err != nil {
		s.c.log.Warn("replying to SAMP call", "msg-id", msgID, "err", err)
		s.c.checkGone(s, err)
	}
}

func (c *Connector) handler(mtype string) Handler {
	c.mu.Lock()
	defer c.mu.Unlock()
	return handlerFor(c.handlers, mtype)
}

func (c *Connector) request(s *session, senderID, msgID string, msg connection.Message) *Request {
	req := &Request{SenderID: senderID, MsgID: msgID, Message: msg, Sender: Client{ID: senderID}}
	c.mu.Lock()
	if cl, ok := s.clients[senderID]; ok {
		req.Sender = cloneClient(cl)
	}
	c.mu.Unlock()
	return req
}

// serve runs h for req in the calling goroutine (a pool worker), bounded
// by the handler timeout: done is called exactly once, with the handler's
// outcome, or with a timeout error when the deadline passes first (the
// worker stays taken until the handler returns). A panic becomes an error.
func (c *Connector) serve(ctx context.Context, h Handler, req *Request, done func(map[string]any, error)) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.HandlerTimeout)
	defer cancel()
	var once sync.Once
	finish := func(r map[string]any, err error) { once.Do(func() { done(r, err) }) }
	stop := context.AfterFunc(ctx, func() {
		finish(nil, fmt.Errorf("handling %s: %w", req.Message.MType, context.Cause(ctx)))
	})
	r, err := c.runHandler(ctx, h, req)
	stop()
	finish(r, err)
}

// runHandler calls h, turning a panic into an error.
func (c *Connector) runHandler(ctx context.Context, h Handler, req *Request) (result map[string]any, err error) {
	defer func() {
		if p := recover(); p != nil {
			c.log.Error("panic in SAMP handler", "mtype", req.Message.MType, "panic", p, "stack", string(debug.Stack()))
			result, err = nil, fmt.Errorf("internal error handling %s: %v", req.Message.MType, p)
		}
	}()
	return h.ServeSAMP(ctx, req)
}

// hubEvent handles the samp.hub.* messages inline (so that events about one
// client are applied in order) and reports whether msg was one.
func (s *session) hubEvent(senderID string, msg connection.Message) bool {
	c := s.c
	id := msg.Param("id")
	switch msg.MType {
	case MTypeShutdown:
		s.endBy("hub shutdown event", true)
	case MTypeDisconnect:
		if senderID != s.conn.HubID() {
			c.log.Warn("ignoring samp.hub.disconnect not sent by the hub", "sender", senderID)
			return true
		}
		s.endBy("disconnected by the hub: "+msg.Param("reason"), true)
	case MTypeRegister:
		c.mu.Lock()
		if _, ok := s.clients[id]; !ok && id != "" && id != s.conn.SelfID() {
			s.clients[id] = &Client{ID: id}
		}
		c.mu.Unlock()
	case MTypeUnregister:
		if id == s.conn.SelfID() {
			s.endBy("hub unregistered us", true)
			return true
		}
		c.mu.Lock()
		name := ""
		if cl, ok := s.clients[id]; ok {
			name = cl.Name()
		}
		delete(s.clients, id)
		c.mu.Unlock()
		if c.opts.OnClientGone != nil && id != "" {
			c.opts.OnClientGone(id, name)
		}
	case MTypeMetadata, MTypeSubscriptions:
		if id == "" || id == s.conn.SelfID() {
			return true
		}
		key := "metadata"
		if msg.MType == MTypeSubscriptions {
			key = "subscriptions"
		}
		m, _ := msg.Params[key].(map[string]any)
		c.mu.Lock()
		cl, ok := s.clients[id]
		if !ok {
			cl = &Client{ID: id}
			s.clients[id] = cl
		}
		if key == "metadata" {
			cl.Metadata = m
		} else {
			cl.Subscriptions = m
		}
		c.mu.Unlock()
	default:
		return false
	}
	return true
}

// loadClients fetches the registered clients with their metadata and
// subscriptions.
func (s *session) loadClients(ctx context.Context) error {
	ids, err := s.conn.GetRegisteredClients(ctx)
	if err != nil {
		return err
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for _, id := range ids {
		if id == s.conn.SelfID() {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			md, err := s.conn.GetMetadata(ctx, id)
			if err != nil {
				s.c.log.Debug("getting metadata of SAMP client", "id", id, "err", err)
				return // it may have just gone
			}
			subs, err := s.conn.GetSubscriptions(ctx, id)
			if err != nil {
				s.c.log.Debug("getting subscriptions of SAMP client", "id", id, "err", err)
				return
			}
			s.c.mu.Lock()
			defer s.c.mu.Unlock()
			cl, ok := s.clients[id]
			if !ok {
				cl = &Client{ID: id}
				s.clients[id] = cl
			}
			// Events received meanwhile are newer: keep them.
			if cl.Metadata == nil {
				cl.Metadata = md
			}
			if cl.Subscriptions == nil {
				cl.Subscriptions = subs
			}
		}()
	}
	wg.Wait()
	return nil
}
