package connection

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/voagent/voagent/samp/xmlrpc"
)

type nopCallable struct{}

func (nopCallable) ReceiveNotification(context.Context, string, Message) error      { return nil }
func (nopCallable) ReceiveCall(context.Context, string, string, Message) error      { return nil }
func (nopCallable) ReceiveResponse(context.Context, string, string, Response) error { return nil }

// FuzzCallback feeds arbitrary request bodies to the callable endpoint: it
// must always answer 200 with an XML-RPC response or fault, never panic.
func FuzzCallback(f *testing.F) {
	key := "secret-key"
	msg := NewMessage("table.load.votable", map[string]any{"url": "file:///x", "l": []any{"1"}}).Map()
	for _, call := range []struct {
		method string
		params []any
	}{
		{"samp.client.receiveNotification", []any{key, "c1", msg}},
		{"samp.client.receiveCall", []any{key, "c1", "m1", msg}},
		{"samp.client.receiveResponse", []any{key, "c1", "t1", OK(nil).Map()}},
		{"samp.client.receiveCall", []any{"wrong", "c1", "m1", msg}},
	} {
		var b bytes.Buffer
		if err := xmlrpc.EncodeCall(&b, call.method, call.params); err != nil {
			f.Fatal(err)
		}
		f.Add(b.Bytes())
	}
	f.Add([]byte("<methodCall><methodName>x</methodName></methodCall>"))
	c := &Conn{opts: Options{MaxMessageBytes: 1 << 16}.withDefaults(), reg: RegInfo{PrivateKey: key, SelfID: "c0"}}
	h := xmlrpc.NewServer(c.callbackHandler(nopCallable{}), xmlrpc.WithMaxBody(1<<16))
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/xmlrpc", bytes.NewReader(body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d", rec.Code)
		}
		if _, err := xmlrpc.DecodeResponse(rec.Body, 1<<20); err != nil {
			if _, ok := err.(*xmlrpc.Fault); !ok {
				t.Fatalf("response is neither a result nor a fault: %v", err)
			}
		}
	})
}
