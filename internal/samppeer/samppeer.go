// Package samppeer registers stand-in SAMP clients for tests: a "topcat",
// "aladin" or "splat" that records what it is sent.
package samppeer

import (
	"context"
	"testing"
	"time"

	"github.com/voagent/voagent/samp/connector"
)

// Receiver registers a client named name with the hub that SAMP_HUB (else
// ~/.samp) names and waits until it is registered. It answers every message
// of the mtypes with samp.ok and passes the message's parameters, plus its
// MType under "mtype", to the returned channel. It leaves the hub when the
// test ends.
func Receiver(t testing.TB, name string, mtypes ...string) <-chan map[string]any {
	t.Helper()
	got := make(chan map[string]any, 64)
	c := connector.New(connector.Options{Metadata: map[string]any{"samp.name": name}})
	for _, mt := range mtypes {
		c.HandleFunc(mt, func(_ context.Context, r *connector.Request) (map[string]any, error) {
			p := map[string]any{"mtype": mt}
			for k, v := range r.Message.Params {
				p[k] = v
			}
			got <- p
			return nil, nil
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	wctx, wcancel := context.WithTimeout(ctx, 60*time.Second)
	defer wcancel()
	if err := c.WaitConnected(wctx); err != nil {
		t.Fatalf("%s did not register: %v", name, err)
	}
	return got
}
