package hub

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/voagent/voagent/samp/profile"
	"github.com/voagent/voagent/samp/xmlrpc"
)

// wait bounds every wait of these tests; generous for a loaded machine.
const wait = 30 * time.Second

func testLogger(t *testing.T) *slog.Logger { return newTestLogger(t, slog.LevelDebug) }

// quietLogger logs only warnings and errors, for tests with much traffic.
func quietLogger(t *testing.T) *slog.Logger { return newTestLogger(t, slog.LevelWarn) }

// newTestLogger logs to t until the test's cleanups have run (a goroutine
// logging after the test ended would panic).
func newTestLogger(t *testing.T, level slog.Level) *slog.Logger {
	w := &testWriter{t: t}
	t.Cleanup(func() { w.mu.Lock(); w.done = true; w.mu.Unlock() })
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

type testWriter struct {
	t    *testing.T
	mu   sync.Mutex
	done bool
}

func (w *testWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimSpace(string(b)))
	}
	return len(b), nil
}

// startHub runs a hub on a private lockfile for the duration of the test.
func startHub(t *testing.T, opts Options) *Hub {
	t.Helper()
	if opts.Lockfile == "" {
		opts.Lockfile = filepath.Join(t.TempDir(), "samp.lock")
	}
	if opts.Logger == nil {
		opts.Logger = testLogger(t)
	}
	h, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// received is one callback a fake client got.
type received struct {
	method string
	params []any
}

// fakeClient is a SAMP client made of an XML-RPC client to the hub and an
// httptest callback server recording what it receives.
type fakeClient struct {
	t       testing.TB
	hub     *xmlrpc.Client
	key, id string
	srv     *httptest.Server
	got     chan received
	block   chan struct{} // when non-nil, callbacks wait on it
	mu      sync.Mutex
	entered atomic.Int32 // callbacks begun
}

func newFakeClient(t testing.TB, h *Hub, callable bool) *fakeClient {
	t.Helper()
	info := readLock(t, h.Lockfile())
	c := &fakeClient{t: t, hub: xmlrpc.NewClient(info.XMLRPCURL), got: make(chan received, 1000)}
	v := c.call("samp.hub.register", info.Secret)
	reg := v.(map[string]any)
	c.key, c.id = reg["samp.private-key"].(string), reg["samp.self-id"].(string)
	if reg["samp.hub-id"] != ID || c.key == "" || c.id == "" {
		t.Fatalf("bad registration info %v", reg)
	}
	if callable {
		c.srv = httptest.NewServer(xmlrpc.NewServer(c.handle))
		t.Cleanup(c.srv.Close)
		c.call("samp.hub.setXmlrpcCallback", c.key, c.srv.URL+"/xmlrpc")
	}
	return c
}

func (c *fakeClient) handle(ctx context.Context, method string, params []any) (any, error) {
	c.entered.Add(1)
	c.mu.Lock()
	block := c.block
	c.mu.Unlock()
	if block != nil {
		select {
		case <-block:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if len(params) == 0 || params[0] != c.key {
		return nil, errors.New("wrong private key")
	}
	c.got <- received{method, params[1:]}
	return "", nil
}

func (c *fakeClient) call(method string, params ...any) any {
	c.t.Helper()
	v, err := c.try(method, params...)
	if err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
	return v
}

func (c *fakeClient) try(method string, params ...any) (any, error) {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	return c.hub.Call(ctx, method, params...)
}

// next returns the next callback received, skipping hub events unless their
// MType is wanted.
func (c *fakeClient) next(wantEvents ...string) received {
	c.t.Helper()
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case r := <-c.got:
			if mt := mtypeOf(r); strings.HasPrefix(mt, "samp.hub.") && !contains(wantEvents, mt) {
				continue
			}
			return r
		case <-timer.C:
			c.t.Fatalf("client %s received nothing within %s", c.id, wait)
		}
	}
}

func mtypeOf(r received) string {
	for _, p := range r.params {
		if m, ok := p.(map[string]any); ok {
			if mt, ok := m["samp.mtype"].(string); ok {
				return mt
			}
		}
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

func readLock(t testing.TB, path string) *profile.LockInfo {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	info, err := profile.ParseLockfile(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return info
}

func msg(mtype string, params map[string]any) map[string]any {
	if params == nil {
		params = map[string]any{}
	}
	return map[string]any{"samp.mtype": mtype, "samp.params": params}
}

func wantFault(t *testing.T, err error, text string) {
	t.Helper()
	var f *xmlrpc.Fault
	if !errors.As(err, &f) || !strings.Contains(f.Message, text) {
		t.Fatalf("got %v, want a fault containing %q", err, text)
	}
}

func TestLockfile(t *testing.T) {
	dir := t.TempDir()
	lock := filepath.Join(dir, "lock")
	h := startHub(t, Options{Lockfile: lock})
	st, err := os.Stat(lock)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("lockfile mode %v, want 0600", st.Mode().Perm())
	}
	info := readLock(t, lock)
	if info.XMLRPCURL != h.URL() || !strings.HasPrefix(info.XMLRPCURL, "http://127.0.0.1:") || info.ProfileVersion != "1.3" || len(info.Secret) < 16 {
		t.Errorf("lockfile %+v", info)
	}

	// A second hub on the same lockfile refuses to start.
	h2, err := New(Options{Lockfile: lock})
	if err != nil {
		t.Fatal(err)
	}
	if err := h2.Start(context.Background()); !errors.Is(err, ErrRunning) {
		t.Fatalf("second hub: got %v, want 'already running'", err)
	}
	if got := readLock(t, lock); got.Secret != info.Secret {
		t.Errorf("the refused hub changed the lockfile")
	}

	// Close sends the shutdown event and removes the lockfile.
	c := newFakeClient(t, h, true)
	c.call("samp.hub.declareSubscriptions", c.key, map[string]any{"samp.hub.event.shutdown": map[string]any{}})
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if r := c.next("samp.hub.event.shutdown"); mtypeOf(r) != "samp.hub.event.shutdown" || r.params[0] != ID {
		t.Errorf("got %v, want the shutdown event from the hub", r)
	}
	if _, err := os.Stat(lock); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lockfile still there after Close: %v", err)
	}
	if _, err := c.try("samp.hub.ping"); err == nil {
		t.Errorf("hub still answers after Close")
	}
}

func TestStaleLockfile(t *testing.T) {
	lock := filepath.Join(t.TempDir(), "lock")
	// A lockfile naming a dead hub, and then one that is not a lockfile.
	stale := &profile.LockInfo{Secret: "old", XMLRPCURL: "http://127.0.0.1:1/xmlrpc", ProfileVersion: "1.3"}
	if err := profile.WriteLockfile(lock, stale); err != nil {
		t.Fatal(err)
	}
	h := startHub(t, Options{Lockfile: lock})
	if info := readLock(t, lock); info.Secret == "old" || info.XMLRPCURL != h.URL() {
		t.Errorf("stale lockfile not replaced: %+v", info)
	}
	h.Close()
	if err := os.WriteFile(lock, []byte("garbage\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h = startHub(t, Options{Lockfile: lock})
	if info := readLock(t, lock); info.XMLRPCURL != h.URL() {
		t.Errorf("garbage lockfile not replaced: %+v", info)
	}
}

// A lockfile naming a hub that answers with a fault (JSAMP's hub says "Hub
// is stopped" while it is still coming up) names a live hub: it is not
// overwritten.
func TestLockfileOfFaultingHubKept(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		io.WriteString(w, `<?xml version="1.0"?><methodResponse><fault><value><struct>`+
			`<member><name>faultCode</name><value><int>1</int></value></member>`+
			`<member><name>faultString</name><value>org.astrogrid.samp.client.SampException: Hub is stopped</value></member>`+
			`</struct></value></fault></methodResponse>`)
	}))
	defer srv.Close()
	lock := filepath.Join(t.TempDir(), "lock")
	starting := &profile.LockInfo{Secret: "jsamp", XMLRPCURL: srv.URL + "/xmlrpc", ProfileVersion: "1.3"}
	if err := profile.WriteLockfile(lock, starting); err != nil {
		t.Fatal(err)
	}
	h, err := New(Options{Lockfile: lock})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Start(context.Background()); !errors.Is(err, ErrRunning) {
		h.Close()
		t.Fatalf("Start over a hub answering faults: %v, want ErrRunning", err)
	}
	if info := readLock(t, lock); info.Secret != "jsamp" {
		t.Errorf("the live hub's lockfile was overwritten: %+v", info)
	}
}

func TestStartStopsWithContext(t *testing.T) {
	lock := filepath.Join(t.TempDir(), "lock")
	h, err := New(Options{Lockfile: lock})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := h.Start(ctx); err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case <-h.Done():
	case <-time.After(wait):
		t.Fatal("hub did not stop when its context was cancelled")
	}
	if _, err := os.Stat(lock); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lockfile still there: %v", err)
	}
}

func TestNewRejectsNonLoopback(t *testing.T) {
	if _, err := New(Options{Lockfile: "x", Addr: "0.0.0.0:0"}); err == nil {
		t.Fatal("a hub listening on all interfaces was accepted")
	}
}

func TestBadRequests(t *testing.T) {
	h := startHub(t, Options{MaxBody: 4096})
	c := newFakeClient(t, h, true)
	hub := c.hub
	call := func(method string, params ...any) error {
		_, err := hub.Call(context.Background(), method, params...)
		return err
	}
	wantFault(t, call("samp.hub.register", "wrong"), "wrong samp.secret")
	wantFault(t, call("samp.hub.register"), "takes 1 parameter")
	wantFault(t, call("samp.hub.getRegisteredClients", "k:nope"), "unknown private key")
	wantFault(t, call("samp.hub.getMetadata", c.key, "c999"), `no registered client with id "c999"`)
	wantFault(t, call("samp.hub.notify", c.key, "c999", msg("x.y", nil)), `no registered client`)
	wantFault(t, call("samp.hub.notify", c.key, c.id, "not a map"), "must be a map")
	wantFault(t, call("samp.hub.notify", c.key, c.id, map[string]any{"samp.params": map[string]any{}}), "no valid samp.mtype")
	wantFault(t, call("samp.hub.notifyAll", c.key, msg("samp.hub.event.shutdown", nil)), "reserved for the hub")
	wantFault(t, call("samp.hub.declareSubscriptions", c.key, map[string]any{"a.b": "x"}), "must be a map")
	wantFault(t, call("samp.hub.setXmlrpcCallback", c.key, "ftp://x"), "not an http URL")
	wantFault(t, call("samp.hub.setXmlrpcCallback", c.key, "http://192.0.2.1:80/"), "not on this host")
	wantFault(t, call("samp.hub.reply", c.key, "c1_m999", map[string]any{}), "no call")
	wantFault(t, call("samp.hub.callAndWait", c.key, c.id, msg("x.y", nil), "soon"), "timeout must be")
	wantFault(t, call("samp.hub.nosuch", c.key), "unknown method")
	nc := newFakeClient(t, h, false)
	wantFault(t, call("samp.hub.call", nc.key, ID, "t", msg("samp.app.ping", nil)), "not callable")
	if resp, err := nc.try("samp.hub.callAndWait", nc.key, ID, msg("samp.app.ping", nil), "10"); err != nil || resp.(map[string]any)["samp.status"] != "samp.ok" {
		t.Errorf("callAndWait from a client that is not callable: %v, %v", resp, err)
	}
	wantFault(t, call("other.method"), "unknown method")
	wantFault(t, call("samp.hub.notify", c.key, c.id, msg("x.y", map[string]any{"big": strings.Repeat("x", 5000)})), "size limit")

	// Malformed XML, and a GET.
	resp, err := http.Post(h.URL(), "text/xml", strings.NewReader("<methodCall><methodName>samp.hub.ping</methodName><params><param>"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = xmlrpc.DecodeResponse(resp.Body, 0)
	resp.Body.Close()
	wantFault(t, err, "unexpected EOF")
	resp, err = http.Get(h.URL())
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %s", resp.Status)
	}
	// The hub still works.
	if _, err := c.try("samp.hub.ping"); err != nil {
		t.Fatal(err)
	}
}

func TestRegistryAndEvents(t *testing.T) {
	h := startHub(t, Options{})
	a := newFakeClient(t, h, true)
	events := map[string]any{"samp.hub.event.*": map[string]any{}}
	a.call("samp.hub.declareSubscriptions", a.key, events)
	// a hears about its own subscriptions.
	if r := a.next("samp.hub.event.subscriptions"); !reflect.DeepEqual(r.params[1], msg("samp.hub.event.subscriptions", map[string]any{"id": a.id, "subscriptions": events})) {
		t.Errorf("subscriptions event %v", r.params)
	}

	b := newFakeClient(t, h, true)
	if r := a.next("samp.hub.event.register"); !reflect.DeepEqual(r.params, []any{ID, msg("samp.hub.event.register", map[string]any{"id": b.id})}) {
		t.Errorf("register event %v", r.params)
	}
	meta := map[string]any{"samp.name": "bee", "x.list": []any{"1", map[string]any{"k": "v"}}}
	b.call("samp.hub.declareMetadata", b.key, meta)
	if r := a.next("samp.hub.event.metadata"); !reflect.DeepEqual(r.params[1], msg("samp.hub.event.metadata", map[string]any{"id": b.id, "metadata": meta})) {
		t.Errorf("metadata event %v", r.params)
	}
	if got := a.call("samp.hub.getMetadata", a.key, b.id); !reflect.DeepEqual(got, meta) {
		t.Errorf("getMetadata %v", got)
	}
	if got := a.call("samp.hub.getMetadata", a.key, ID).(map[string]any); got["samp.name"] != "voagent-hub" {
		t.Errorf("hub metadata %v", got)
	}
	if got := a.call("samp.hub.getSubscriptions", a.key, ID); !reflect.DeepEqual(got, map[string]any{"samp.app.ping": map[string]any{}}) {
		t.Errorf("hub subscriptions %v", got)
	}
	if got := a.call("samp.hub.getRegisteredClients", a.key); !reflect.DeepEqual(got, []any{ID, b.id}) {
		t.Errorf("getRegisteredClients %v, want [hub %s]", got, b.id)
	}

	// Wildcards: the most specific subscription's annotation is reported.
	b.call("samp.hub.declareSubscriptions", b.key, map[string]any{
		"*":                  map[string]any{"which": "all"},
		"table.*":            map[string]any{"which": "table"},
		"table.load.votable": map[string]any{"which": "exact"},
	})
	for mtype, want := range map[string]string{"table.load.votable": "exact", "table.highlight.row": "table", "coord.pointAt.sky": "all"} {
		got := a.call("samp.hub.getSubscribedClients", a.key, mtype).(map[string]any)
		if ann, _ := got[b.id].(map[string]any); ann["which"] != want {
			t.Errorf("getSubscribedClients(%s) = %v, want %s's annotation %q", mtype, got, b.id, want)
		}
		if _, self := got[a.id]; self {
			t.Errorf("getSubscribedClients(%s) includes the caller", mtype)
		}
	}
	if got := a.call("samp.hub.getSubscribedClients", a.key, "samp.app.ping").(map[string]any); got[ID] == nil || got[b.id] == nil {
		t.Errorf("getSubscribedClients(samp.app.ping) = %v, want the hub and %s", got, b.id)
	}

	b.call("samp.hub.unregister", b.key)
	if r := a.next("samp.hub.event.unregister"); !reflect.DeepEqual(r.params[1], msg("samp.hub.event.unregister", map[string]any{"id": b.id})) {
		t.Errorf("unregister event %v", r.params)
	}
	if _, err := b.try("samp.hub.ping"); err != nil {
		t.Errorf("ping needs no registration: %v", err)
	}
	_, err := b.try("samp.hub.getRegisteredClients", b.key)
	wantFault(t, err, "unknown private key")
}

func TestMessaging(t *testing.T) {
	h := startHub(t, Options{})
	a := newFakeClient(t, h, true)
	b := newFakeClient(t, h, true)
	b.call("samp.hub.declareSubscriptions", b.key, map[string]any{"table.*": map[string]any{}})
	m := msg("table.load.votable", map[string]any{"url": "file:///x.vot", "row-list": []any{"1", "2"}})
	m["x.extra"] = "kept"

	// notify
	a.call("samp.hub.notify", a.key, b.id, m)
	if r := b.next(); r.method != "samp.client.receiveNotification" || !reflect.DeepEqual(r.params, []any{a.id, m}) {
		t.Errorf("notify delivered %v", r)
	}
	// notifyAll reaches b only (a is not subscribed, and is the sender).
	if got := a.call("samp.hub.notifyAll", a.key, m); !reflect.DeepEqual(got, []any{b.id}) {
		t.Errorf("notifyAll recipients %v", got)
	}
	b.next()
	// Not subscribed.
	_, err := a.try("samp.hub.notify", a.key, b.id, msg("spectrum.load.ssa-generic", nil))
	wantFault(t, err, "not subscribed")
	_, err = b.try("samp.hub.call", b.key, a.id, "t", m)
	wantFault(t, err, "not subscribed")

	// call and reply: the response reaches the caller with its tag.
	id := a.call("samp.hub.call", a.key, b.id, "tag1", m).(string)
	r := b.next()
	if r.method != "samp.client.receiveCall" || !reflect.DeepEqual(r.params, []any{a.id, id, m}) {
		t.Fatalf("call delivered %v", r)
	}
	resp := map[string]any{"samp.status": "samp.ok", "samp.result": map[string]any{"n": "1"}, "x.more": "y"}
	_, err = a.try("samp.hub.reply", a.key, id, resp)
	wantFault(t, err, "was not sent to "+a.id)
	b.call("samp.hub.reply", b.key, id, resp)
	if r := a.next(); r.method != "samp.client.receiveResponse" || !reflect.DeepEqual(r.params, []any{b.id, "tag1", resp}) {
		t.Errorf("response delivered %v", r)
	}
	_, err = b.try("samp.hub.reply", b.key, id, resp)
	wantFault(t, err, "no call")

	// callAll
	ids := a.call("samp.hub.callAll", a.key, "tag2", m).(map[string]any)
	if len(ids) != 1 || ids[b.id] == nil {
		t.Fatalf("callAll ids %v", ids)
	}
	r = b.next()
	b.call("samp.hub.reply", b.key, r.params[1], resp)
	if r := a.next(); !reflect.DeepEqual(r.params, []any{b.id, "tag2", resp}) {
		t.Errorf("callAll response %v", r)
	}

	// callAndWait: b replies from another goroutine while a waits.
	go func() {
		r := <-b.got
		b.try("samp.hub.reply", b.key, r.params[1], resp)
	}()
	if got := a.call("samp.hub.callAndWait", a.key, b.id, m, "0"); !reflect.DeepEqual(got, resp) {
		t.Errorf("callAndWait returned %v", got)
	}
	// callAndWait with a timeout that expires: b never replies.
	_, err = a.try("samp.hub.callAndWait", a.key, b.id, m, "1")
	wantFault(t, err, "no reply")
	b.next()

	// The hub answers samp.app.ping, by any method.
	ping := msg("samp.app.ping", nil)
	if got := a.call("samp.hub.callAndWait", a.key, ID, ping, "10").(map[string]any); got["samp.status"] != "samp.ok" {
		t.Errorf("ping the hub: %v", got)
	}
	a.call("samp.hub.notify", a.key, ID, ping)
	a.call("samp.hub.call", a.key, ID, "p", ping)
	if r := a.next(); !reflect.DeepEqual(r.params[:2], []any{ID, "p"}) {
		t.Errorf("hub ping response %v", r)
	}
	if got := a.call("samp.hub.notifyAll", a.key, ping); !reflect.DeepEqual(got, []any{ID}) {
		t.Errorf("notifyAll ping recipients %v (b is not subscribed to it)", got)
	}
}

// TestSlowAndDeadClients checks that a blocked client does not delay
// messages to others, that calls to an unreachable client are answered with
// an error, and that a client whose callbacks keep failing is dropped.
func TestSlowAndDeadClients(t *testing.T) {
	h := startHub(t, Options{MaxFailures: 2, DropAfter: time.Nanosecond, CallbackTimeout: 2 * time.Second})
	a := newFakeClient(t, h, true)
	a.call("samp.hub.declareSubscriptions", a.key, map[string]any{"samp.hub.event.unregister": map[string]any{}})
	slow := newFakeClient(t, h, true)
	dead := newFakeClient(t, h, true)
	fast := newFakeClient(t, h, true)
	subs := map[string]any{"test.*": map[string]any{}}
	for _, c := range []*fakeClient{slow, dead, fast} {
		c.call("samp.hub.declareSubscriptions", c.key, subs)
	}
	release := make(chan struct{})
	slow.mu.Lock()
	slow.block = release
	slow.mu.Unlock()
	defer close(release)

	m := msg("test.echo", nil)
	a.call("samp.hub.notifyAll", a.key, m)
	a.call("samp.hub.notifyAll", a.key, m)
	// fast gets both while slow is stuck on the first one.
	fast.next()
	fast.next()
	dead.next()
	dead.next()

	// A call to a client whose callback server is gone is answered by the
	// hub with an error; further failures drop the client.
	dead.srv.Close()
	id := a.call("samp.hub.call", a.key, dead.id, "t", m).(string)
	r := a.next()
	resp, _ := r.params[2].(map[string]any)
	if r.params[0] != dead.id || r.params[1] != "t" || resp["samp.status"] != "samp.error" {
		t.Fatalf("call %s to a dead client: got %v, want an error response", id, r)
	}
	got, err := a.try("samp.hub.callAndWait", a.key, dead.id, m, "0")
	if err == nil {
		if resp, _ := got.(map[string]any); resp["samp.status"] != "samp.error" {
			t.Fatalf("callAndWait to a dead client returned %v", got)
		}
	}
	if r := a.next("samp.hub.event.unregister"); mtypeOf(r) != "samp.hub.event.unregister" {
		t.Fatalf("got %v, want the unregister event of %s", r, dead.id)
	}
	if got := a.call("samp.hub.getRegisteredClients", a.key).([]any); contains(toStrings(got), dead.id) {
		t.Errorf("dead client %s still registered: %v", dead.id, got)
	}

	// A callAndWait whose recipient unregisters is answered with an error.
	done := make(chan any, 1)
	go func() {
		v, err := a.try("samp.hub.callAndWait", a.key, fast.id, m, "0")
		if err != nil {
			v = err
		}
		done <- v
	}()
	fast.next()
	fast.call("samp.hub.unregister", fast.key)
	select {
	case v := <-done:
		if resp, _ := v.(map[string]any); resp["samp.status"] != "samp.error" {
			t.Errorf("callAndWait to a client that left: %v", v)
		}
	case <-time.After(wait):
		t.Fatal("callAndWait to a client that unregistered never returned")
	}
}

func toStrings(l []any) []string {
	out := make([]string, len(l))
	for i, v := range l {
		out[i], _ = v.(string)
	}
	return out
}

func TestQueue(t *testing.T) {
	q := newQueue(2, 1<<20)
	if err := q.push(delivery{method: "a"}); err != nil {
		t.Fatal(err)
	}
	q.push(delivery{method: "b"})
	if err := q.push(delivery{method: "c"}); !errors.Is(err, errQueueFull) {
		t.Fatalf("third push: %v, want errQueueFull", err)
	}
	if d, _, ok := q.pop(); !ok || d.method != "a" {
		t.Fatalf("pop %v %v", d, ok)
	}
	dropped := q.close(time.Time{})
	if len(dropped) != 1 || dropped[0].method != "b" {
		t.Fatalf("dropped %v", dropped)
	}
	if _, _, ok := q.pop(); ok {
		t.Fatal("pop after close")
	}
	if err := q.push(delivery{}); !errors.Is(err, errQueueClosed) {
		t.Fatalf("push after close: %v", err)
	}
}
