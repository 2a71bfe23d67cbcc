package hub

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/voagent/voagent/samp/xmlrpc"
)

// benchPair is a hub with a sender and an echo client that replies to every
// call and counts notifications.
func benchPair(b *testing.B) (*fakeClient, *fakeClient) {
	h, err := New(Options{Lockfile: filepath.Join(b.TempDir(), "lock"), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	if err := h.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { h.Close() })
	a := newFakeClient(b, h, true)
	e := newFakeClient(b, h, true)
	e.call("samp.hub.declareSubscriptions", e.key, map[string]any{"test.*": map[string]any{}})
	go func() {
		for r := range e.got {
			if r.method == "samp.client.receiveCall" {
				e.try("samp.hub.reply", e.key, r.params[1], map[string]any{"samp.status": "samp.ok", "samp.result": map[string]any{}})
			}
		}
	}()
	return a, e
}

// BenchmarkCallAndWait is one synchronous call from a client to another
// through the hub (four XML-RPC round trips).
func BenchmarkCallAndWait(b *testing.B) {
	a, e := benchPair(b)
	m := msg("test.echo", map[string]any{"x": "1"})
	for b.Loop() {
		if _, err := a.try("samp.hub.callAndWait", a.key, e.id, m, "10"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNotify is one notification accepted by the hub (delivered in the
// background).
func BenchmarkNotify(b *testing.B) {
	a, e := benchPair(b)
	m := msg("test.note", nil)
	for b.Loop() {
		if _, err := a.try("samp.hub.notify", a.key, e.id, m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPing is the cheapest hub call, for the HTTP and codec overhead.
func BenchmarkPing(b *testing.B) {
	h, err := New(Options{Lockfile: filepath.Join(b.TempDir(), "lock")})
	if err != nil {
		b.Fatal(err)
	}
	if err := h.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	c := xmlrpc.NewClient(h.URL())
	for b.Loop() {
		if _, err := c.Call(context.Background(), "samp.hub.ping"); err != nil {
			b.Fatal(err)
		}
	}
}
