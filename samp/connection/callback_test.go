package connection_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/voagent/voagent/samp/connection"
	"github.com/voagent/voagent/samp/connection/conntest"
	"github.com/voagent/voagent/samp/xmlrpc"
)

// recorder is a Callable that records what it receives.
type recorder struct {
	mu    sync.Mutex
	calls []string
}

func (r *recorder) add(s string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, s)
	return nil
}

func (r *recorder) ReceiveNotification(ctx context.Context, sender string, msg connection.Message) error {
	return r.add("notify " + sender + " " + msg.MType)
}

func (r *recorder) ReceiveCall(ctx context.Context, sender, msgID string, msg connection.Message) error {
	return r.add("call " + sender + " " + msgID + " " + msg.MType)
}

func (r *recorder) ReceiveResponse(ctx context.Context, responder, tag string, resp connection.Response) error {
	return r.add("response " + responder + " " + tag + " " + resp.Status)
}

func (r *recorder) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}

func TestCallbackBadInput(t *testing.T) {
	hub := conntest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := connection.Register(ctx, &hub.Lock, connection.Options{MaxMessageBytes: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Unregister(ctx)
	rec := &recorder{}
	if err := conn.Serve(ctx, rec); err != nil {
		t.Fatal(err)
	}
	key := conn.RegInfo().PrivateKey
	url := hub.Callback(key)
	if url == "" || url != conn.CallbackURL() || !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("callback URL %q (conn says %q)", url, conn.CallbackURL())
	}
	msg := connection.NewMessage("test.x", map[string]any{"a": "b"}).Map()
	resp := connection.OK(nil).Map()

	good := []struct {
		method string
		params []any
		want   string
	}{
		{"receiveNotification", []any{key, "c9", msg}, "notify c9 test.x"},
		{"receiveCall", []any{key, "c9", "m1", msg}, "call c9 m1 test.x"},
		{"receiveResponse", []any{key, "c9", "tag1", resp}, "response c9 tag1 samp.ok"},
	}
	for _, g := range good {
		if _, err := conntest.CallClient(ctx, url, g.method, g.params...); err != nil {
			t.Errorf("%s: %v", g.method, err)
		}
	}
	got := rec.list()
	for i, g := range good {
		if i >= len(got) || got[i] != g.want {
			t.Errorf("callback %d: got %v, want %q", i, got, g.want)
		}
	}

	bad := []struct {
		name   string
		method string
		params []any
		want   string
	}{
		{"wrong private key", "receiveNotification", []any{"not-the-key", "c9", msg}, "wrong private key"},
		{"empty private key", "receiveCall", []any{"", "c9", "m1", msg}, "wrong private key"},
		{"unknown method", "receiveSomething", []any{key}, "unknown method"},
		{"too few params", "receiveCall", []any{key, "c9", msg}, "takes 4 parameters"},
		{"key not a string", "receiveNotification", []any{[]any{key}, "c9", msg}, "not a string"},
		{"message not a map", "receiveNotification", []any{key, "c9", "hello"}, "not a map"},
		{"message without mtype", "receiveCall", []any{key, "c9", "m2", map[string]any{"samp.params": map[string]any{}}}, "samp.mtype"},
		{"params not a map", "receiveCall", []any{key, "c9", "m2", map[string]any{"samp.mtype": "x", "samp.params": []any{}}}, "samp.params"},
		{"response without status", "receiveResponse", []any{key, "c9", "t", map[string]any{}}, "samp.status"},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			_, err := conntest.CallClient(ctx, url, b.method, b.params...)
			var f *xmlrpc.Fault
			if !errors.As(err, &f) || !strings.Contains(f.Message, b.want) {
				t.Errorf("got %v, want a fault mentioning %q", err, b.want)
			}
		})
	}
	raw := []struct{ name, body string }{
		{"not XML", "hello"},
		{"truncated", "<?xml version='1.0'?><methodCall><methodName>samp.client.receiveCall</methodName><params>"},
		{"oversized", "<?xml version='1.0'?><methodCall><methodName>samp.client.receiveNotification</methodName><params><param><value>" +
			strings.Repeat("x", 100<<10) + "</value></param></params></methodCall>"},
	}
	for _, r := range raw {
		t.Run(r.name, func(t *testing.T) {
			_, err := conntest.Post(ctx, url, []byte(r.body))
			var f *xmlrpc.Fault
			if !errors.As(err, &f) {
				t.Errorf("got %v, want a fault", err)
			}
		})
	}
	if n := len(rec.list()); n != len(good) {
		t.Errorf("bad input reached the Callable: %v", rec.list())
	}
	// The endpoint still works after all that.
	if _, err := conntest.CallClient(ctx, url, "receiveNotification", key, "c9", msg); err != nil {
		t.Errorf("after bad input: %v", err)
	}
}

func TestRegisterErrors(t *testing.T) {
	hub := conntest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	lock := hub.Lock
	lock.Secret = "wrong"
	if _, err := connection.Register(ctx, &lock, connection.Options{}); err == nil || !strings.Contains(err.Error(), "bad secret") {
		t.Errorf("wrong secret: %v", err)
	}
	lock = hub.Lock
	lock.XMLRPCURL = "http://127.0.0.1:1/xmlrpc"
	if _, err := connection.Register(ctx, &lock, connection.Options{}); err == nil || !connection.IsHubUnreachable(err) {
		t.Errorf("dead hub: %v", err)
	}
	if err := connection.Ping(ctx, hub.Lock.XMLRPCURL, connection.Options{}); err != nil {
		t.Errorf("ping: %v", err)
	}
	conn, err := connection.Register(ctx, &hub.Lock, connection.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// A method the fake hub lacks comes back as a fault, not a crash.
	_, err = conn.GetSubscribedClients(ctx, "x")
	var f *xmlrpc.Fault
	if !errors.As(err, &f) || connection.IsHubUnreachable(err) {
		t.Errorf("unimplemented method: %v", err)
	}
	if err := conn.Unregister(ctx); err != nil {
		t.Error(err)
	}
	if err := conn.Ping(ctx); err != nil {
		t.Errorf("ping after unregister: %v", err)
	}
}
