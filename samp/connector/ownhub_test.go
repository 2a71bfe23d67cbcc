package connector_test

import (
	"context"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/voagent/voagent/samp/connection"
	"github.com/voagent/voagent/samp/connection/conntest"
	"github.com/voagent/voagent/samp/connector"
	"github.com/voagent/voagent/samp/hub"
	"github.com/voagent/voagent/samp/profile"
)

// hubStarter adapts samp/hub to connector.HubStarter, as the agent does.
func hubStarter(t *testing.T) connector.HubStarter {
	return func(ctx context.Context, loc profile.Location) (func(context.Context) error, error) {
		h, err := hub.New(hub.Options{Lockfile: loc.Path, Logger: conntest.Logger(t)})
		if err != nil {
			return nil, err
		}
		if err := h.Start(ctx); err != nil {
			return nil, err
		}
		return func(context.Context) error { return h.Close() }, nil
	}
}

// TestOwnHub: with no hub running the connector starts voagent's own hub,
// a second connector joins it, they call each other, and the hub is stopped
// (lockfile removed) when the first connector stops.
func TestOwnHub(t *testing.T) {
	e := conntest.NewEnv(t)
	first := connector.New(connector.Options{
		Metadata: map[string]any{"samp.name": "voagent-one"},
		Logger:   conntest.Logger(t),
		Locate:   e.Location,
		StartHub: hubStarter(t),
	})
	first.HandleFunc("voagent.echo", func(_ context.Context, r *connector.Request) (map[string]any, error) {
		return r.Message.Params, nil
	})
	second := connector.New(connector.Options{Metadata: map[string]any{"samp.name": "voagent-two"}, Locate: e.Location})
	ctx1, stop1 := context.WithCancel(context.Background())
	done1 := make(chan error, 1)
	go func() { done1 <- first.Run(ctx1) }()
	defer stop1()
	wctx, wcancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer wcancel()
	if err := first.WaitConnected(wctx); err != nil {
		t.Fatal(err)
	}
	ctx2, stop2 := context.WithCancel(context.Background())
	done2 := make(chan error, 1)
	go func() { done2 <- second.Run(ctx2) }()
	defer func() { stop2(); <-done2 }()
	if err := second.WaitConnected(wctx); err != nil {
		t.Fatal(err)
	}
	conntest.Eventually(t, "voagent-one tracked by voagent-two", func() bool { return len(second.FindClients("voagent-one")) == 1 })
	id := second.FindClients("voagent-one")[0].ID
	r, err := second.Call(wctx, id, connection.NewMessage("voagent.echo", map[string]any{"x": "y"}))
	if err != nil || r.Result["x"] != "y" {
		t.Fatalf("call through our hub: %+v, %v", r, err)
	}
	r, err = second.CallAndWait(wctx, id, connection.NewMessage("voagent.echo", map[string]any{"x": "z"}), 10*time.Second)
	if err != nil || r.Result["x"] != "z" {
		t.Fatalf("callAndWait through our hub: %+v, %v", r, err)
	}
	stop1()
	if err := <-done1; err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(e.Lock); !os.IsNotExist(err) {
		t.Errorf("our hub's lockfile is still there: %v", err)
	}
	// The second connector noticed and waits for the next hub.
	conntest.Eventually(t, "voagent-two disconnected", func() bool { return !second.Connected() })
}

// BenchmarkOwnHubCall measures the Go client alone: two connectors through
// voagent's own hub in the same process (no JVM, no Python), so that the
// client's share of a round trip is visible next to the JSAMP figures.
func BenchmarkOwnHubCall(b *testing.B) {
	e := conntest.NewEnv(b)
	h, err := hub.New(hub.Options{Lockfile: e.Lock})
	if err != nil {
		b.Fatal(err)
	}
	if err := h.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	echo := connector.New(connector.Options{Metadata: map[string]any{"samp.name": "echo"}, Locate: e.Location})
	echo.HandleFunc("test.echo", func(_ context.Context, r *connector.Request) (map[string]any, error) { return r.Message.Params, nil })
	sender := connector.New(connector.Options{Metadata: map[string]any{"samp.name": "sender"}, Locate: e.Location})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, c := range []*connector.Connector{echo, sender} {
		go c.Run(ctx)
		if err := c.WaitConnected(ctx); err != nil {
			b.Fatal(err)
		}
	}
	id := echo.Info().SelfID
	msg := connection.NewMessage("test.echo", map[string]any{"i": "1"})
	for _, mode := range []string{"callAndWait", "call"} {
		b.Run(mode, func(b *testing.B) {
			start := time.Now()
			for b.Loop() {
				var r connection.Response
				var err error
				if mode == "call" {
					r, err = sender.Call(ctx, id, msg)
				} else {
					r, err = sender.CallAndWait(ctx, id, msg, 10*time.Second)
				}
				if err != nil || !r.IsOK() {
					b.Fatalf("%+v %v", r, err)
				}
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "calls/s")
		})
	}
}

// TestHubStartedWhenGone: the connector is registered with a JSAMP hub
// (TOPCAT's internal hub, say); when that hub stops, and none comes back
// within HubGrace, the connector starts its own and registers with it. When
// a hub comes back within HubGrace (a restarting hub), none is started.
func TestHubStartedWhenGone(t *testing.T) {
	for _, tc := range []struct {
		name     string
		grace    time.Duration
		restart  bool // start another JSAMP hub right after stopping the first
		wantOurs bool
	}{
		{"no hub comes back", 500 * time.Millisecond, false, true},
		{"a restarting hub wins", 5 * time.Minute, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := conntest.NewEnv(t)
			conntest.RequireJSAMP(t)
			jsamp := e.JSAMPHub(t)
			var started atomic.Int32
			start := hubStarter(t)
			c := connector.New(connector.Options{
				Metadata: map[string]any{"samp.name": "voagent-regrow"},
				Logger:   conntest.Logger(t),
				Locate:   e.Location,
				HubGrace: tc.grace,
				StartHub: func(ctx context.Context, loc profile.Location) (func(context.Context) error, error) {
					// Counts the hubs started: an attempt while the
					// JSAMP hub was coming up fails (hub.ErrRunning).
					stop, err := start(ctx, loc)
					if err == nil {
						started.Add(1)
					}
					return stop, err
				},
			})
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- c.Run(ctx) }()
			t.Cleanup(func() { cancel(); <-done })
			wctx, wcancel := context.WithTimeout(ctx, 60*time.Second)
			defer wcancel()
			if err := c.WaitConnected(wctx); err != nil {
				t.Fatal(err)
			}
			if n := started.Load(); n != 0 || c.Info().HubImpl == hub.Impl {
				t.Fatalf("a hub was running, yet StartHub started %d (hub.impl %q)", n, c.Info().HubImpl)
			}
			jsampURL := c.Info().HubURL
			before := c.Info().Registrations
			jsamp.Stop(syscall.SIGTERM)
			if tc.restart {
				e.JSAMPHub(t)
			}
			conntest.Eventually(t, "registered with the next hub", func() bool {
				i := c.Info()
				return c.Connected() && i.Registrations > before && i.HubURL != jsampURL
			})
			if ours := c.Info().HubImpl == hub.Impl; ours != tc.wantOurs {
				t.Errorf("registered with %+v: voagent's hub %v, want %v", c.Info(), ours, tc.wantOurs)
			}
			if n := started.Load(); (n == 1) != tc.wantOurs || n > 1 {
				t.Errorf("StartHub started %d hubs", n)
			}
		})
	}
}
