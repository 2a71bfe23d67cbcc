package connector

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/voagent/voagent/samp/connection"
	"github.com/voagent/voagent/samp/connection/conntest"
	"github.com/voagent/voagent/samp/profile"
)

// benchPair registers an echo connector and a sender connector with a JSAMP
// hub: the one at $SAMP_HUB when VOAGENT_BENCH_EXTERNAL_HUB=1 (so that
// scripts/bench-samp-client.sh measures us and astropy through the same
// hub), else a fresh one.
func benchPair(b *testing.B) (sender *Connector, echoID string, notified *atomic.Int64) {
	b.Helper()
	locate := profile.Locate
	if os.Getenv("VOAGENT_BENCH_EXTERNAL_HUB") != "1" {
		e := conntest.NewEnv(b)
		e.JSAMPHub(b)
		locate = e.Location
	}
	notified = new(atomic.Int64)

	echo := New(Options{Metadata: map[string]any{"samp.name": "voagent-bench-echo"}, Locate: locate})
	echo.HandleFunc("test.echo", func(_ context.Context, r *Request) (map[string]any, error) { return r.Message.Params, nil })
	echo.HandleFunc("test.quiet", func(context.Context, *Request) (map[string]any, error) { notified.Add(1); return nil, nil })
	sender = New(Options{Metadata: map[string]any{"samp.name": "voagent-bench-sender"}, Locate: locate})
	for _, c := range []*Connector{echo, sender} {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- c.Run(ctx) }()
		b.Cleanup(func() { cancel(); <-done })
		wctx, wcancel := context.WithTimeout(ctx, 60*time.Second)
		err := c.WaitConnected(wctx)
		wcancel()
		if err != nil {
			b.Fatal(err)
		}
	}
	return sender, echo.Info().SelfID, notified
}

// warmUp runs untimed round trips so that the JVM hub has compiled its
// paths (its rate keeps rising for the first thousand calls or so).
func warmUp(b *testing.B, c *Connector, id string) {
	ctx := context.Background()
	n := 200
	if s := os.Getenv("VOAGENT_BENCH_WARMUP"); s != "" {
		fmt.Sscan(s, &n)
	}
	for range n {
		if _, err := c.CallAndWait(ctx, id, connection.NewMessage("test.echo", nil), 10*time.Second); err != nil {
			b.Fatal(err)
		}
	}
}

// benchRoundTrips times b.N synchronous round trips made with call.
func benchRoundTrips(b *testing.B, call func(ctx context.Context, c *Connector, id string, msg connection.Message) (connection.Response, error)) {
	c, id, _ := benchPair(b)
	warmUp(b, c, id)
	ctx := context.Background()
	msg := connection.NewMessage("test.echo", map[string]any{"i": "1"})
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		r, err := call(ctx, c, id, msg)
		if err != nil || !r.IsOK() {
			b.Fatalf("%+v %v", r, err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "calls/s")
}

// BenchmarkCallAndWait: synchronous round trips through the hub's
// callAndWait (the same operation astropy's call_and_wait does).
func BenchmarkCallAndWait(b *testing.B) {
	benchRoundTrips(b, func(ctx context.Context, c *Connector, id string, msg connection.Message) (connection.Response, error) {
		return c.CallAndWait(ctx, id, msg, 10*time.Second)
	})
}

// BenchmarkCall: round trips with the connector's own deadline (async call,
// response correlated by msg-tag).
func BenchmarkCall(b *testing.B) {
	benchRoundTrips(b, func(ctx context.Context, c *Connector, id string, msg connection.Message) (connection.Response, error) {
		return c.Call(ctx, id, msg)
	})
}

// BenchmarkNotify: notifications sent one after the other, timed until the
// receiver has handled them all.
func BenchmarkNotify(b *testing.B) {
	c, id, notified := benchPair(b)
	warmUp(b, c, id)
	ctx := context.Background()
	msg := connection.NewMessage("test.quiet", map[string]any{"i": "1"})
	before := notified.Load()
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		if err := c.Notify(ctx, id, msg); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "sent/s")
	deadline := time.Now().Add(2 * time.Minute)
	for notified.Load()-before < int64(b.N) && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	got := notified.Load() - before
	b.ReportMetric(float64(got)/time.Since(start).Seconds(), "notify/s")
	if got < int64(b.N) {
		b.Fatalf("%d of %d notifications delivered", got, b.N)
	}
}

// BenchmarkHubPing: samp.hub.ping round trips, the hub's own cost per
// request. A callAndWait makes two requests to the hub (callAndWait, reply)
// and the hub one callback, so half this rate bounds every client's
// round trips through that hub.
func BenchmarkHubPing(b *testing.B) {
	c, id, _ := benchPair(b)
	warmUp(b, c, id)
	url := c.Info().HubURL
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		if err := connection.Ping(ctx, url, connection.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "pings/s")
}
