package connector

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/samp/connection"
	"github.com/voagent/voagent/samp/connection/conntest"
	"github.com/voagent/voagent/samp/xmlrpc"
)

func TestHandlerFor(t *testing.T) {
	h := func(name string) Handler {
		return HandlerFunc(func(context.Context, *Request) (map[string]any, error) { return map[string]any{"h": name}, nil })
	}
	handlers := map[string]Handler{"*": h("all"), "table.*": h("table"), "table.load.*": h("load"), "table.load.votable": h("exact")}
	tests := map[string]string{
		"table.load.votable": "exact", "table.load.fits": "load", "table.highlight.row": "table", "coord.pointAt.sky": "all",
	}
	for mtype, want := range tests {
		r, _ := handlerFor(handlers, mtype).ServeSAMP(context.Background(), nil)
		if r["h"] != want {
			t.Errorf("%s -> %v, want %s", mtype, r["h"], want)
		}
	}
	if handlerFor(map[string]Handler{"table.*": h("t")}, "image.load.fits") != nil {
		t.Error("handler found for an unsubscribed MType")
	}
}

func TestResponseFor(t *testing.T) {
	tests := []struct {
		name   string
		result map[string]any
		err    error
		status string
		text   string
		code   string
	}{
		{"ok", map[string]any{"a": "1"}, nil, connection.StatusOK, "", ""},
		{"error", nil, errors.New("bad"), connection.StatusError, "bad", ""},
		{"wrapped Error", nil, errors.Join(errors.New("ctx"), &Error{Text: "detail", Code: "E1"}), connection.StatusError, "detail", "E1"},
		{"warning", map[string]any{"a": "1"}, Warning(errors.New("partial")), connection.StatusWarning, "partial", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := responseFor(tt.result, tt.err)
			if r.Status != tt.status {
				t.Fatalf("status %s, want %s", r.Status, tt.status)
			}
			if tt.text != "" && (r.Error == nil || r.Error.ErrorTxt != tt.text || r.Error.Code != tt.code) {
				t.Errorf("error info %+v, want %q code %q", r.Error, tt.text, tt.code)
			}
			if tt.status == connection.StatusWarning && r.Result["a"] != "1" {
				t.Errorf("warning lost the result: %v", r.Result)
			}
		})
	}
}

// fakeSetup runs a connector against the fake hub and returns it with its
// private key and callback URL.
func fakeSetup(t *testing.T, opts Options) (*conntest.Hub, *Connector, string, string) {
	hub := conntest.New(t)
	opts.Locate = hub.Location
	opts.Logger = conntest.Logger(t)
	c := New(opts)
	c.HandleFunc("voagent.panic", func(context.Context, *Request) (map[string]any, error) { panic("boom") })
	block := make(chan struct{})
	t.Cleanup(func() { close(block) })
	c.HandleFunc("voagent.hang", func(context.Context, *Request) (map[string]any, error) { <-block; return nil, nil })
	c.HandleFunc("voagent.sender", func(_ context.Context, r *Request) (map[string]any, error) {
		return map[string]any{"name": r.Sender.Name()}, nil
	})
	runConnector(t, c)
	conn, err := c.Conn()
	if err != nil {
		t.Fatal(err)
	}
	key := conn.RegInfo().PrivateKey
	return hub, c, key, hub.Callback(key)
}

func TestRepliesExactlyOnce(t *testing.T) {
	hub, c, key, url := fakeSetup(t, Options{HandlerTimeout: 200 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	want := map[string]struct{ status, text string }{
		"m-ping":    {connection.StatusOK, ""},
		"m-unknown": {connection.StatusError, "no handler"},
		"m-panic":   {connection.StatusError, "boom"},
		"m-hang":    {connection.StatusError, "deadline exceeded"},
		"m-sender":  {connection.StatusOK, ""},
	}
	mtypes := map[string]string{"m-ping": MTypePing, "m-unknown": "zzz.unknown", "m-panic": "voagent.panic", "m-hang": "voagent.hang", "m-sender": "voagent.sender"}
	// The sender is a tracked client with a name.
	for _, ev := range []connection.Message{
		connection.NewMessage(MTypeRegister, map[string]any{"id": "c77"}),
		connection.NewMessage(MTypeMetadata, map[string]any{"id": "c77", "metadata": map[string]any{"samp.name": "TOPCAT"}}),
		connection.NewMessage(MTypeSubscriptions, map[string]any{"id": "c77", "subscriptions": map[string]any{"table.*": map[string]any{}}}),
	} {
		if _, err := conntest.CallClient(ctx, url, "receiveNotification", key, "hub", ev.Map()); err != nil {
			t.Fatal(err)
		}
	}
	if cl := c.FindClients("topcat"); len(cl) != 1 || cl[0].ID != "c77" || !cl[0].Subscribed("table.load.votable") {
		t.Fatalf("tracked clients: %+v", c.Clients())
	}
	for id, mt := range mtypes {
		if _, err := conntest.CallClient(ctx, url, "receiveCall", key, "c77", id, connection.NewMessage(mt, nil).Map()); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
	}
	got := map[string]connection.Response{}
	for len(got) < len(want) {
		select {
		case r := <-hub.Replies():
			if _, dup := got[r.MsgID]; dup {
				t.Fatalf("second reply to %s", r.MsgID)
			}
			got[r.MsgID] = r.Response
		case <-ctx.Done():
			t.Fatalf("replies received: %v", got)
		}
	}
	for id, w := range want {
		r := got[id]
		if r.Status != w.status || (w.text != "" && (r.Error == nil || !strings.Contains(r.Error.ErrorTxt, w.text))) {
			t.Errorf("%s (%s): %+v, want %s %q", id, mtypes[id], r, w.status, w.text)
		}
	}
	if got["m-sender"].Result["name"] != "TOPCAT" {
		t.Errorf("handler did not see the sender's metadata: %v", got["m-sender"].Result)
	}
	select {
	case r := <-hub.Replies():
		t.Errorf("extra reply %+v", r)
	case <-time.After(300 * time.Millisecond):
	}

	// A notification nobody handles is refused with a fault.
	_, err := conntest.CallClient(ctx, url, "receiveNotification", key, "c77", connection.NewMessage("zzz.unknown", nil).Map())
	var f *xmlrpc.Fault
	if !errors.As(err, &f) || !strings.Contains(f.Message, "no handler") {
		t.Errorf("unknown notification: %v", err)
	}
	// The client leaves.
	if _, err := conntest.CallClient(ctx, url, "receiveNotification", key, "hub", connection.NewMessage(MTypeUnregister, map[string]any{"id": "c77"}).Map()); err != nil {
		t.Fatal(err)
	}
	if len(c.FindClients("topcat")) != 0 {
		t.Error("unregistered client still tracked")
	}
}

func TestCallCorrelation(t *testing.T) {
	_, c, _, _ := fakeSetup(t, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// The fake hub delivers the response before its call method returns.
	for i := range 20 {
		want := connection.Int(i)
		r, err := c.Call(ctx, conntest.EchoID, connection.NewMessage("x.echo", map[string]any{"i": want}))
		if err != nil || r.Result["i"] != want {
			t.Fatalf("call %d: %+v, %v", i, r, err)
		}
	}
	all, err := c.CallAll(ctx, connection.NewMessage("x.echo", map[string]any{"i": "all"}))
	if err != nil || all[conntest.EchoID].Result["i"] != "all" {
		t.Fatalf("CallAll: %+v, %v", all, err)
	}
	if _, err := c.Call(ctx, "nobody", connection.NewMessage("x.echo", nil)); err == nil {
		t.Error("call to an unknown client succeeded")
	}
	c.mu.Lock()
	n := len(c.pending)
	c.mu.Unlock()
	if n != 0 {
		t.Errorf("%d pending calls left", n)
	}
}

func TestDisconnect(t *testing.T) {
	_, c, key, url := fakeSetup(t, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	before := c.Info().Registrations
	// Only the hub may disconnect us.
	if _, err := conntest.CallClient(ctx, url, "receiveNotification", key, "c5", connection.NewMessage(MTypeDisconnect, nil).Map()); err != nil {
		t.Fatal(err)
	}
	if _, err := conntest.CallClient(ctx, url, "receiveNotification", key, "hub", connection.NewMessage(MTypeDisconnect, map[string]any{"reason": "test"}).Map()); err != nil {
		t.Fatal(err)
	}
	// The fake hub is still there: the connector registers again.
	conntest.Eventually(t, "re-registration", func() bool { return c.Info().Registrations == before+1 && c.Connected() })
	if c.Info().Registrations != before+1 {
		t.Errorf("registrations %d, want %d (a non-hub disconnect was obeyed?)", c.Info().Registrations, before+1)
	}
}
