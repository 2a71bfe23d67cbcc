package hub

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/voagent/voagent/samp/connection"
	"github.com/voagent/voagent/samp/profile"
	"github.com/voagent/voagent/samp/xmlrpc"
)

// pending is a call waiting for its reply.
type pending struct {
	sender    *client
	recipient string
	tag       string
	result    chan syncResult // callAndWait only (buffered)
}

type syncResult struct {
	resp map[string]any
	err  error
}

// sampError returns a fault for a SAMP-level error (bad key, unknown
// client...).
func sampError(format string, args ...any) error {
	return xmlrpc.Faultf(xmlrpc.CodeApplicationError, format, args...)
}

// handle serves one samp.hub.* call.
func (h *Hub) handle(ctx context.Context, method string, params []any) (any, error) {
	name, ok := strings.CutPrefix(method, "samp.hub.")
	if !ok {
		return nil, xmlrpc.Faultf(xmlrpc.CodeMethodNotFound, "unknown method %s", method)
	}
	switch name {
	case "ping":
		return "", nil
	case "register":
		if err := nargs(method, params, 1, "secret"); err != nil {
			return nil, err
		}
		return h.register(params[0])
	}
	sig, ok := signatures[name]
	if !ok {
		return nil, xmlrpc.Faultf(xmlrpc.CodeMethodNotFound, "unknown method %s", method)
	}
	if err := nargs(method, params, len(sig), sig...); err != nil {
		return nil, err
	}
	c, err := h.caller(params[0])
	if err != nil {
		return nil, err
	}
	a := params[1:]
	switch name {
	case "unregister":
		h.remove(c, "", false)
		return "", nil
	case "setXmlrpcCallback":
		return h.setCallback(c, a[0])
	case "declareMetadata":
		return h.declare(c, a[0], true)
	case "declareSubscriptions":
		return h.declare(c, a[0], false)
	case "getMetadata":
		return h.get(a[0], true)
	case "getSubscriptions":
		return h.get(a[0], false)
	case "getRegisteredClients":
		return h.registered(c), nil
	case "getSubscribedClients":
		mtype, ok := a[0].(string)
		if !ok {
			return nil, badParam(method, "mtype", "a string")
		}
		return h.subscribed(c, mtype), nil
	case "notify":
		return h.notify(c, a[0], a[1])
	case "notifyAll":
		return h.notifyAll(c, a[0])
	case "call":
		return h.call(c, a[0], a[1], a[2])
	case "callAll":
		return h.callAll(c, a[0], a[1])
	case "callAndWait":
		return h.callAndWait(ctx, c, a[0], a[1], a[2])
	case "reply":
		return h.reply(c, a[0], a[1])
	}
	return nil, xmlrpc.Faultf(xmlrpc.CodeMethodNotFound, "unknown method %s", method)
}

// signatures lists the parameters of the methods taking a private key.
var signatures = map[string][]string{
	"unregister":           {"private-key"},
	"setXmlrpcCallback":    {"private-key", "url"},
	"declareMetadata":      {"private-key", "metadata"},
	"getMetadata":          {"private-key", "client-id"},
	"declareSubscriptions": {"private-key", "subscriptions"},
	"getSubscriptions":     {"private-key", "client-id"},
	"getRegisteredClients": {"private-key"},
	"getSubscribedClients": {"private-key", "mtype"},
	"notify":               {"private-key", "recipient-id", "message"},
	"notifyAll":            {"private-key", "message"},
	"call":                 {"private-key", "recipient-id", "msg-tag", "message"},
	"callAll":              {"private-key", "msg-tag", "message"},
	"callAndWait":          {"private-key", "recipient-id", "message", "timeout"},
	"reply":                {"private-key", "msg-id", "response"},
}

func nargs(method string, params []any, n int, names ...string) error {
	if len(params) != n {
		return xmlrpc.Faultf(xmlrpc.CodeInvalidParams, "%s takes %d parameter(s) (%s), got %d",
			method, n, strings.Join(names, ", "), len(params))
	}
	return nil
}

func badParam(method, name, want string) error {
	return xmlrpc.Faultf(xmlrpc.CodeInvalidParams, "%s: %s must be %s", method, name, want)
}

func (h *Hub) register(secret any) (any, error) {
	s, _ := secret.(string)
	if subtle.ConstantTimeCompare([]byte(s), []byte(h.secret)) != 1 {
		return nil, sampError("register: wrong samp.secret")
	}
	h.mu.Lock()
	if h.closing {
		h.mu.Unlock()
		return nil, sampError("register: the hub is shutting down")
	}
	h.nextID++
	c := &client{
		id:   "c" + strconv.Itoa(h.nextID),
		key:  "k:" + randomHex(16),
		q:    newQueue(h.opts.MaxQueue, h.opts.MaxQueueBytes),
		meta: map[string]any{},
		subs: map[string]any{},
	}
	h.clients[c.id] = c
	h.keys[c.key] = c
	h.busyLocked()
	h.workers.Add(1)
	h.mu.Unlock()
	go h.run(c)
	h.log.Debug("client registered", "client", c.id)
	h.broadcastEvent("samp.hub.event.register", map[string]any{"id": c.id}, c.id)
	return map[string]any{"samp.private-key": c.key, "samp.hub-id": ID, "samp.self-id": c.id}, nil
}

// caller returns the client owning a private key.
func (h *Hub) caller(key any) (*client, error) {
	k, _ := key.(string)
	h.mu.Lock()
	c := h.keys[k]
	h.mu.Unlock()
	if c == nil {
		return nil, sampError("unknown private key (not registered, or unregistered)")
	}
	return c, nil
}

// remove unregisters c: calls waiting for its reply are answered with an
// error, its queued deliveries are dropped and the other clients get
// samp.hub.event.unregister. With disconnect, c itself is first sent
// samp.hub.disconnect (best effort) with reason.
func (h *Hub) remove(c *client, reason string, disconnect bool) {
	h.mu.Lock()
	if c.gone {
		h.mu.Unlock()
		return
	}
	c.gone = true
	delete(h.clients, c.id)
	delete(h.keys, c.key)
	h.idleLocked()
	var orphans []*pending
	for id, p := range h.pending {
		switch {
		case p.recipient == c.id:
			delete(h.pending, id)
			orphans = append(orphans, p)
		case p.sender == c:
			delete(h.pending, id)
			if p.result != nil {
				p.result <- syncResult{err: sampError("client %s unregistered while waiting", c.id)}
			}
		}
	}
	rpc := c.rpc
	_, wantsDisconnect := match(c.subs, "samp.hub.disconnect")
	h.mu.Unlock()
	for _, d := range c.q.close(time.Time{}) {
		if d.failed != nil {
			d.failed("client " + c.id + " unregistered before the message was delivered")
		}
	}
	for _, p := range orphans {
		h.answer(p, errorResponse("client "+c.id+" unregistered without replying"))
	}
	if disconnect && rpc != nil && wantsDisconnect {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			msg := map[string]any{"samp.mtype": "samp.hub.disconnect", "samp.params": map[string]any{"reason": reason}}
			_, _ = rpc.Call(ctx, "samp.client.receiveNotification", c.key, ID, msg)
		}()
	}
	h.log.Debug("client unregistered", "client", c.id, "reason", reason)
	h.broadcastEvent("samp.hub.event.unregister", map[string]any{"id": c.id}, c.id)
}

// drop removes a client the hub gave up on.
func (h *Hub) drop(c *client, reason string) {
	h.log.Warn("dropping client", "client", c.id, "reason", reason)
	h.remove(c, "hub dropped the client: "+reason, true)
}

func (h *Hub) setCallback(c *client, v any) (any, error) {
	raw, ok := v.(string)
	if !ok {
		return nil, badParam("setXmlrpcCallback", "url", "a string")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, sampError("setXmlrpcCallback: %q is not an http URL", raw)
	}
	if !isLocalHost(u.Hostname()) {
		return nil, sampError("setXmlrpcCallback: %q is not on this host", raw)
	}
	rpc := xmlrpc.NewClient(raw, xmlrpc.WithTransport(h.httpc))
	h.mu.Lock()
	c.rpc = rpc
	c.callbackHost = u.Host
	c.probeFails, c.probeSince = 0, time.Time{}
	h.mu.Unlock()
	return "", nil
}

// isLocalHost reports whether host is a loopback name or address, or a name
// or address of one of this machine's interfaces.
func isLocalHost(host string) bool {
	if profile.IsLoopbackHost(host) {
		return true
	}
	var ips []net.IP
	if ip := net.ParseIP(host); ip != nil {
		ips = []net.IP{ip}
	} else {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
		if err != nil {
			return false
		}
		for _, a := range addrs {
			ips = append(ips, a.IP)
		}
	}
	ifaddrs, err := net.InterfaceAddrs()
	if err != nil {
		return false
	}
	for _, ip := range ips {
		if ip.IsLoopback() {
			return true
		}
		for _, a := range ifaddrs {
			if n, ok := a.(*net.IPNet); ok && n.IP.Equal(ip) {
				return true
			}
		}
	}
	return false
}

// declare stores a client's metadata (or subscriptions) and tells the
// subscribed clients, the declaring one included.
func (h *Hub) declare(c *client, v any, metadata bool) (any, error) {
	m, ok := v.(map[string]any)
	what, mtype := "subscriptions", "samp.hub.event.subscriptions"
	if metadata {
		what, mtype = "metadata", "samp.hub.event.metadata"
	}
	if !ok {
		return nil, badParam("declare"+what, what, "a map")
	}
	if !metadata {
		for pattern, ann := range m {
			if _, ok := ann.(map[string]any); !ok {
				return nil, badParam("declareSubscriptions", "the annotation of "+pattern, "a map")
			}
		}
	}
	h.mu.Lock()
	if metadata {
		c.meta = m
	} else {
		c.subs = m
	}
	h.mu.Unlock()
	h.broadcastEvent(mtype, map[string]any{"id": c.id, what: m}, "")
	return "", nil
}

func (h *Hub) get(v any, metadata bool) (any, error) {
	id, _ := v.(string)
	if id == ID {
		if metadata {
			return h.meta, nil
		}
		return h.subs, nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	c := h.clients[id]
	if c == nil {
		return nil, sampError("no registered client with id %q", id)
	}
	if metadata {
		return c.meta, nil
	}
	return c.subs, nil
}

// registered lists the clients other than c, the hub included, in order of
// registration.
func (h *Hub) registered(c *client) []any {
	h.mu.Lock()
	ids := make([]string, 0, len(h.clients))
	for id := range h.clients {
		if id != c.id {
			ids = append(ids, id)
		}
	}
	h.mu.Unlock()
	sortIDs(ids)
	out := make([]any, 0, len(ids)+1)
	out = append(out, ID)
	for _, id := range ids {
		out = append(out, id)
	}
	return out
}

// subscribed maps every client other than c that can receive mtype (the hub
// included) to its subscription annotation.
func (h *Hub) subscribed(c *client, mtype string) map[string]any {
	out := map[string]any{}
	if ann, ok := match(h.subs, mtype); ok {
		out[ID] = ann
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for id, o := range h.clients {
		if o == c || o.rpc == nil {
			continue
		}
		if ann, ok := match(o.subs, mtype); ok {
			out[id] = ann
		}
	}
	return out
}

// recipients returns the callable clients other than sender subscribed to
// mtype, and whether the hub itself is.
func (h *Hub) recipients(sender *client, mtype string) ([]*client, bool) {
	_, hub := match(h.subs, mtype)
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []*client
	for _, o := range h.clients {
		if o == sender || o.rpc == nil {
			continue
		}
		if _, ok := match(o.subs, mtype); ok {
			out = append(out, o)
		}
	}
	return out, hub
}

// target checks that recipient id can receive mtype: it returns the client,
// or nil for the hub.
func (h *Hub) target(id any, mtype string) (*client, error) {
	rid, _ := id.(string)
	if rid == ID {
		if _, ok := match(h.subs, mtype); !ok {
			return nil, sampError("the hub is not subscribed to %s", mtype)
		}
		return nil, nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.clients[rid]
	if r == nil {
		return nil, sampError("no registered client with id %q", rid)
	}
	if r.rpc == nil {
		return nil, sampError("client %s is not callable", rid)
	}
	if _, ok := match(r.subs, mtype); !ok {
		return nil, sampError("client %s is not subscribed to %s", rid, mtype)
	}
	return r, nil
}

// checkMessage validates a message sent by a client and returns its MType.
func checkMessage(v any) (map[string]any, string, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, "", xmlrpc.Faultf(xmlrpc.CodeInvalidParams, "the message must be a map")
	}
	mtype, _ := m["samp.mtype"].(string)
	if !validMType(mtype) {
		return nil, "", sampError("message has no valid samp.mtype (got %q)", mtype)
	}
	if p, ok := m["samp.params"]; ok {
		if _, ok := p.(map[string]any); !ok {
			return nil, "", sampError("samp.params of %s must be a map", mtype)
		}
	}
	if strings.HasPrefix(mtype, "samp.hub.") {
		return nil, "", sampError("MType %s is reserved for the hub", mtype)
	}
	return m, mtype, nil
}

func (h *Hub) notify(c *client, rid, msg any) (any, error) {
	m, mtype, err := checkMessage(msg)
	if err != nil {
		return nil, err
	}
	r, err := h.target(rid, mtype)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return "", nil // a notification to the hub: samp.app.ping needs nothing
	}
	if err := r.q.push(delivery{method: "samp.client.receiveNotification", args: []any{c.id, m}}); err != nil {
		return nil, sampError("notify %s: %v", r.id, err)
	}
	return "", nil
}

func (h *Hub) notifyAll(c *client, msg any) (any, error) {
	m, mtype, err := checkMessage(msg)
	if err != nil {
		return nil, err
	}
	rs, hub := h.recipients(c, mtype)
	out := []any{}
	if hub {
		out = append(out, ID)
	}
	for _, r := range rs {
		if err := r.q.push(delivery{method: "samp.client.receiveNotification", args: []any{c.id, m}}); err != nil {
			h.log.Warn("notifyAll: message not queued", "client", r.id, "err", err)
			continue
		}
		out = append(out, r.id)
	}
	return out, nil
}

// newMsgID returns a fresh message id for a call from c.
func (h *Hub) newMsgID(c *client) string {
	h.mu.Lock()
	h.nextMsg++
	n := h.nextMsg
	h.mu.Unlock()
	return c.id + "_m" + strconv.FormatUint(n, 10)
}

// send starts a call from c to r (nil: the hub) and returns its msg-id.
func (h *Hub) send(c, r *client, tag string, m map[string]any, result chan syncResult) (string, error) {
	id := h.newMsgID(c)
	rid := ID
	if r != nil {
		rid = r.id
	}
	p := &pending{sender: c, recipient: rid, tag: tag, result: result}
	if r == nil {
		// The hub answers at once; samp.app.ping is all it takes.
		h.answer(p, map[string]any{"samp.status": "samp.ok", "samp.result": map[string]any{}})
		return id, nil
	}
	h.mu.Lock()
	h.pending[id] = p
	h.mu.Unlock()
	err := r.q.push(delivery{
		method: "samp.client.receiveCall",
		args:   []any{c.id, id, m},
		failed: func(reason string) { h.fail(id, reason) },
	})
	if err != nil {
		h.mu.Lock()
		delete(h.pending, id)
		h.mu.Unlock()
		return "", sampError("call to %s: %v", rid, err)
	}
	return id, nil
}

// tagged checks the msg-tag and message of call and callAll, and that the
// sender can receive the responses.
func (h *Hub) tagged(c *client, method string, tag, msg any) (string, map[string]any, string, error) {
	h.mu.Lock()
	callable := c.rpc != nil
	h.mu.Unlock()
	if !callable {
		return "", nil, "", sampError("%s: %s is not callable, so cannot receive the response (call setXmlrpcCallback first, or use callAndWait)", method, c.id)
	}
	t, ok := tag.(string)
	if !ok {
		return "", nil, "", badParam(method, "msg-tag", "a string")
	}
	m, mtype, err := checkMessage(msg)
	return t, m, mtype, err
}

func (h *Hub) call(c *client, rid, tag, msg any) (any, error) {
	t, m, mtype, err := h.tagged(c, "call", tag, msg)
	if err != nil {
		return nil, err
	}
	r, err := h.target(rid, mtype)
	if err != nil {
		return nil, err
	}
	return h.send(c, r, t, m, nil)
}

func (h *Hub) callAll(c *client, tag, msg any) (any, error) {
	t, m, mtype, err := h.tagged(c, "callAll", tag, msg)
	if err != nil {
		return nil, err
	}
	rs, hub := h.recipients(c, mtype)
	out := map[string]any{}
	if hub {
		id, _ := h.send(c, nil, t, m, nil)
		out[ID] = id
	}
	for _, r := range rs {
		id, err := h.send(c, r, t, m, nil)
		if err != nil {
			h.log.Warn("callAll: message not queued", "client", r.id, "err", err)
			continue
		}
		out[r.id] = id
	}
	return out, nil
}

func (h *Hub) callAndWait(ctx context.Context, c *client, rid, msg, timeout any) (any, error) {
	m, mtype, err := checkMessage(msg)
	if err != nil {
		return nil, err
	}
	ts, _ := timeout.(string)
	wait, err := parseCallTimeout(ts, h.opts.MaxCallTimeout)
	if err != nil {
		return nil, badParam("callAndWait", "timeout", "a SAMP int (seconds)")
	}
	r, err := h.target(rid, mtype)
	if err != nil {
		return nil, err
	}
	result := make(chan syncResult, 1)
	id, err := h.send(c, r, "", m, result)
	if err != nil {
		return nil, err
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	expired := t.C
	select {
	case res := <-result:
		if res.err != nil {
			return nil, res.err
		}
		return res.resp, nil
	case <-expired:
		h.forget(id)
		return nil, sampError("callAndWait: no reply from %v within %s s", rid, ts)
	case <-ctx.Done():
		h.forget(id)
		return nil, sampError("callAndWait: caller gone")
	case <-h.done:
		return nil, sampError("callAndWait: the hub is shutting down")
	}
}

// parseCallTimeout reads a callAndWait timeout in seconds. Zero, negative,
// non-finite, empty and larger-than-max values give max (as JSAMP clamps
// them), so that no value overflows into an immediate failure; text that is
// not a number is an error.
func parseCallTimeout(s string, max time.Duration) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return max, nil
	}
	secs, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, fmt.Errorf("timeout %q: %w", s, err)
	}
	if math.IsNaN(secs) || secs <= 0 || secs >= max.Seconds() {
		return max, nil
	}
	return time.Duration(secs * float64(time.Second)), nil
}

func (h *Hub) forget(msgID string) {
	h.mu.Lock()
	delete(h.pending, msgID)
	h.mu.Unlock()
}

func (h *Hub) reply(c *client, msgID, resp any) (any, error) {
	id, _ := msgID.(string)
	r, ok := resp.(map[string]any)
	if !ok {
		return nil, badParam("reply", "response", "a map")
	}
	h.mu.Lock()
	p := h.pending[id]
	if p == nil {
		h.mu.Unlock()
		return nil, sampError("reply: no call %q is waiting for a reply (answered, timed out, or its sender left)", id)
	}
	if p.recipient != c.id {
		h.mu.Unlock()
		return nil, sampError("reply: call %q was not sent to %s", id, c.id)
	}
	delete(h.pending, id)
	h.mu.Unlock()
	h.answer(p, r)
	return "", nil
}

// fail answers a call that could not be delivered with an error response.
func (h *Hub) fail(msgID, reason string) {
	h.mu.Lock()
	p := h.pending[msgID]
	delete(h.pending, msgID)
	h.mu.Unlock()
	if p != nil {
		h.answer(p, errorResponse(reason))
	}
}

// answer passes a response to the caller: to callAndWait's channel, or as
// samp.client.receiveResponse through the sender's queue.
func (h *Hub) answer(p *pending, resp map[string]any) {
	if p.result != nil {
		p.result <- syncResult{resp: resp}
		return
	}
	err := p.sender.q.push(delivery{method: "samp.client.receiveResponse", args: []any{p.recipient, p.tag, resp}})
	if err != nil {
		h.log.Warn("response not queued", "client", p.sender.id, "from", p.recipient, "err", err)
	}
}

// broadcastEvent sends a hub event (a notification from the hub) to every
// callable client subscribed to mtype except the one with id except.
func (h *Hub) broadcastEvent(mtype string, params map[string]any, except string) {
	msg := map[string]any{"samp.mtype": mtype, "samp.params": params}
	h.mu.Lock()
	var rs []*client
	for id, c := range h.clients {
		if id == except || c.rpc == nil {
			continue
		}
		if _, ok := match(c.subs, mtype); ok {
			rs = append(rs, c)
		}
	}
	h.mu.Unlock()
	for _, c := range rs {
		if err := c.q.push(delivery{method: "samp.client.receiveNotification", args: []any{ID, msg}}); err != nil {
			h.log.Debug("hub event not queued", "client", c.id, "mtype", mtype, "err", err)
		}
	}
}

func errorResponse(text string) map[string]any {
	return map[string]any{
		"samp.status": "samp.error",
		"samp.result": map[string]any{},
		"samp.error":  map[string]any{"samp.errortxt": text},
	}
}

// match returns the annotation of the subscription matching mtype: an exact
// subscription first, else the longest matching wildcard pattern.
func match(subs map[string]any, mtype string) (any, bool) {
	if ann, ok := subs[mtype]; ok {
		return ann, true
	}
	best, found := "", false
	var ann any
	for pattern, a := range subs {
		if connection.MatchMType(pattern, mtype) && (!found || len(pattern) > len(best)) {
			best, ann, found = pattern, a, true
		}
	}
	return ann, found
}

// validMType checks the MType syntax: dot-separated words of letters,
// digits, '-' and '_' (SAMP 1.3 §3.2 says lower case; upper case is
// tolerated).
func validMType(s string) bool {
	if s == "" {
		return false
	}
	for _, w := range strings.Split(s, ".") {
		if w == "" {
			return false
		}
		for i := 0; i < len(w); i++ {
			c := w[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// sortIDs orders client ids "c1", "c2", ..., "c10" numerically.
func sortIDs(ids []string) {
	slices.SortFunc(ids, func(a, b string) int {
		if len(a) != len(b) {
			return len(a) - len(b)
		}
		return strings.Compare(a, b)
	})
}

func itoa(i int) string { return fmt.Sprint(i) }
