// Package conntest provides a minimal in-process SAMP hub for unit tests of
// clients: it registers clients, records what they declare and the replies
// they send, and lets a test deliver callbacks (well-formed or not) to a
// client's callable endpoint. Interoperability is tested against real hubs;
// this fake only makes bad-input cases easy to produce.
package conntest

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/voagent/voagent/samp/connection"
	"github.com/voagent/voagent/samp/profile"
	"github.com/voagent/voagent/samp/xmlrpc"
)

// Hub is a fake SAMP hub.
type Hub struct {
	// Lock is the lockfile content; LockPath where it was written.
	Lock     profile.LockInfo
	LockPath string

	srv *httptest.Server
	mu  sync.Mutex
	n   int
	// per private key
	callbacks map[string]string
	ids       map[string]string
	metadata  map[string]map[string]any
	subs      map[string]map[string]any
	replies   chan Reply
}

// Reply is a samp.hub.reply the fake hub received.
type Reply struct {
	MsgID    string
	Response connection.Response
}

// New starts a fake hub on loopback and writes its lockfile in a temporary
// directory; both are removed at the end of the test.
func New(t testing.TB) *Hub {
	t.Helper()
	h := &Hub{callbacks: map[string]string{}, ids: map[string]string{}, metadata: map[string]map[string]any{},
		subs: map[string]map[string]any{}, replies: make(chan Reply, 100)}
	h.srv = httptest.NewServer(xmlrpc.NewServer(h.serve))
	t.Cleanup(h.srv.Close)
	h.Lock = profile.LockInfo{Secret: "fake-secret", XMLRPCURL: h.srv.URL + "/xmlrpc", ProfileVersion: "1.3"}
	h.LockPath = filepath.Join(t.TempDir(), "samp.lock")
	if err := profile.WriteLockfile(h.LockPath, &h.Lock); err != nil {
		t.Fatal(err)
	}
	return h
}

// SAMPHub returns the SAMP_HUB value naming this hub's lockfile.
func (h *Hub) SAMPHub() string { return profile.StdLockURLPrefix + profile.FileURL(h.LockPath) }

// Location returns the lockfile location.
func (h *Hub) Location() (profile.Location, error) { return profile.LocateFrom(h.SAMPHub(), "") }

// Replies receives the replies clients send.
func (h *Hub) Replies() <-chan Reply { return h.replies }

// Callback returns the callback URL the client with private key key set.
func (h *Hub) Callback(key string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.callbacks[key]
}

// Subscriptions returns what the client with private key key declared.
func (h *Hub) Subscriptions(key string) map[string]any {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.subs[key]
}

// EchoID is a fake client of the fake hub: a call to it is answered
// samp.ok with the message's params as result, delivered to the caller
// before the hub's call method returns (the fastest possible responder).
// callAll reaches it too.
const EchoID = "echo"

func (h *Hub) serve(ctx context.Context, method string, params []any) (any, error) {
	str := func(i int) string {
		if i < len(params) {
			s, _ := params[i].(string)
			return s
		}
		return ""
	}
	switch method {
	case "samp.hub.call", "samp.hub.callAll":
		return h.echo(ctx, method, str(0), params)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	switch method {
	case "samp.hub.ping":
		return "", nil
	case "samp.hub.register":
		if str(0) != h.Lock.Secret {
			return nil, xmlrpc.Faultf(1, "bad secret")
		}
		h.n++
		key := "key-" + strconv.Itoa(h.n)
		h.ids[key] = "c" + strconv.Itoa(h.n)
		return map[string]any{"samp.private-key": key, "samp.hub-id": "hub", "samp.self-id": h.ids[key]}, nil
	}
	key := str(0)
	if _, ok := h.ids[key]; !ok {
		return nil, xmlrpc.Faultf(1, "unknown private key")
	}
	switch method {
	case "samp.hub.setXmlrpcCallback":
		h.callbacks[key] = str(1)
	case "samp.hub.declareMetadata":
		h.metadata[key], _ = params[1].(map[string]any)
	case "samp.hub.declareSubscriptions":
		h.subs[key], _ = params[1].(map[string]any)
	case "samp.hub.getRegisteredClients":
		return []any{"hub"}, nil
	case "samp.hub.getMetadata":
		return map[string]any{"samp.name": "Fake Hub"}, nil
	case "samp.hub.getSubscriptions":
		return map[string]any{}, nil
	case "samp.hub.unregister":
		delete(h.ids, key)
	case "samp.hub.reply":
		r, err := connection.ResponseFromValue(params[2])
		if err != nil {
			return nil, err
		}
		h.replies <- Reply{MsgID: str(1), Response: r}
	default:
		return nil, xmlrpc.Faultf(xmlrpc.CodeMethodNotFound, "fake hub: %s not implemented", method)
	}
	return "", nil
}

func (h *Hub) echo(ctx context.Context, method, key string, params []any) (any, error) {
	h.mu.Lock()
	url := h.callbacks[key]
	h.n++
	msgID := "msg-" + strconv.Itoa(h.n)
	h.mu.Unlock()
	if url == "" {
		return nil, xmlrpc.Faultf(1, "caller is not callable")
	}
	var tag string
	var raw any
	if method == "samp.hub.call" {
		if s, _ := params[1].(string); s != EchoID {
			return nil, xmlrpc.Faultf(1, "no client %q", s)
		}
		tag, _ = params[2].(string)
		raw = params[3]
	} else {
		tag, _ = params[1].(string)
		raw = params[2]
	}
	msg, err := connection.MessageFromValue(raw)
	if err != nil {
		return nil, err
	}
	if _, err := CallClient(ctx, url, "receiveResponse", key, EchoID, tag, connection.OK(msg.Params).Map()); err != nil {
		return nil, fmt.Errorf("delivering response: %w", err)
	}
	if method == "samp.hub.call" {
		return msgID, nil
	}
	return map[string]any{EchoID: msgID}, nil
}

// Post sends a raw body to url and returns the decoded XML-RPC result or
// error (a *xmlrpc.Fault for faults).
func Post(ctx context.Context, url string, body []byte) (any, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "text/xml")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %s", resp.Status)
	}
	return xmlrpc.DecodeResponse(resp.Body, 1<<20)
}

// CallClient sends samp.client.<method> with params to url.
func CallClient(ctx context.Context, url, method string, params ...any) (any, error) {
	var b bytes.Buffer
	if err := xmlrpc.EncodeCall(&b, "samp.client."+method, params); err != nil {
		return nil, err
	}
	return Post(ctx, url, b.Bytes())
}
