package connector

import (
	"context"
	"net"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/voagent/voagent/samp/connection"
	"github.com/voagent/voagent/samp/connection/conntest"
	"github.com/voagent/voagent/samp/profile"
)

// callThroughHub registers a second, plain client and asks our connector
// for voagent.echo through the hub.
func callThroughHub(t *testing.T, e *conntest.Env, target string) connection.Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	loc, _ := e.Location()
	lock, err := profile.ReadLockfile(ctx, loc)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := connection.Register(ctx, lock, connection.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Unregister(ctx)
	for attempt := 1; ; attempt++ {
		r, err := conn.CallAndWait(ctx, target, connection.NewMessage("voagent.echo", map[string]any{"k": "v"}), 5*time.Second)
		if err != nil && e.Lossy && attempt < 3 && strings.Contains(err.Error(), "Timeout expired") {
			t.Logf("astropy hub lost a synchronous reply (known astropy bug), retrying: %v", err)
			continue
		}
		if err != nil {
			t.Fatalf("call through the hub: %v", err)
		}
		return r
	}
}

// TestHubRestarts kills the hub and starts a new one 20 times (JSAMP; 5
// times with the astropy hub): the connector registers again by itself each
// time and handles a call. Every other kill is a SIGKILL, which leaves a
// stale lockfile for the next hub to overwrite. The re-registration delays
// are logged (no timing assertion).
func TestHubRestarts(t *testing.T) {
	for _, tc := range []struct {
		hub string
		n   int
	}{{"jsamp", 20}, {"astropy", 5}} {
		t.Run(tc.hub, func(t *testing.T) {
			e := conntest.NewEnv(t)
			start := e.JSAMPHub
			if tc.hub == "astropy" {
				start = e.AstropyHub
			}
			hub := start(t)
			c, _ := newTestConnector(t, e, "voagent-restart")
			runConnector(t, c)
			n := tc.n
			if testing.Short() {
				n = 2
			}
			var delays []time.Duration
			for i := range n {
				before := c.Info().Registrations
				sig := syscall.SIGTERM
				if i%2 == 1 {
					sig = syscall.SIGKILL
				}
				hub.Stop(sig)
				hub = start(t)
				up := time.Now()
				conntest.Eventually(t, "re-registration", func() bool { return c.Info().Registrations > before && c.Connected() })
				delays = append(delays, time.Since(up))
				r := callThroughHub(t, e, c.Info().SelfID)
				if !r.IsOK() || r.Result["k"] != "v" {
					t.Fatalf("restart %d: call answered %+v", i+1, r)
				}
			}
			sorted := slices.Clone(delays)
			slices.Sort(sorted)
			var sb strings.Builder
			for _, d := range delays {
				sb.WriteString(d.Round(time.Millisecond).String() + " ")
			}
			t.Logf("%s: re-registration after %d hub restarts (from new lockfile to registered): median %v, max %v; all: %s",
				tc.hub, n, sorted[len(sorted)/2].Round(time.Millisecond), sorted[len(sorted)-1].Round(time.Millisecond), sb.String())
		})
	}
}

// TestStaleLockfileIgnored: a lockfile naming a dead hub is not trusted; the
// connector waits and registers when a real hub replaces it.
func TestStaleLockfileIgnored(t *testing.T) {
	e := conntest.NewEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String() + "/xmlrpc"
	ln.Close()
	if err := profile.WriteLockfile(e.Lock, &profile.LockInfo{Secret: "stale", XMLRPCURL: dead}); err != nil {
		t.Fatal(err)
	}
	c, _ := newTestConnector(t, e, "voagent-stale")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	wctx, wcancel := context.WithTimeout(ctx, 2*time.Second)
	err = c.WaitConnected(wctx)
	wcancel()
	if err == nil {
		t.Fatalf("connected to a stale lockfile: %+v", c.Info())
	}
	if _, err := c.Call(ctx, "c1", connection.NewMessage("samp.app.ping", nil)); err == nil {
		t.Fatal("Call succeeded without a hub")
	}
	e.JSAMPHub(t)
	wctx, wcancel = context.WithTimeout(ctx, 60*time.Second)
	defer wcancel()
	if err := c.WaitConnected(wctx); err != nil {
		t.Fatal(err)
	}
	if c.Info().HubURL == dead {
		t.Fatal("connected to the dead hub's URL")
	}
}

// TestStartHub: with no hub running, the connector starts one through
// Options.StartHub and stops it when Run returns. A JSAMP hub stands in for
// voagent's own.
func TestStartHub(t *testing.T) {
	e := conntest.NewEnv(t)
	conntest.RequireJSAMP(t)
	var hub *conntest.Proc
	stopped := make(chan struct{})
	c := New(Options{
		Metadata: map[string]any{"samp.name": "voagent-autohub"},
		Logger:   conntest.Logger(t),
		Locate:   e.Location,
		StartHub: func(ctx context.Context, loc profile.Location) (func(context.Context) error, error) {
			if loc.Path != e.Lock {
				t.Errorf("StartHub got location %+v", loc)
			}
			hub = e.JSAMPHub(t)
			return func(context.Context) error { hub.Stop(syscall.SIGTERM); close(stopped); return nil }, nil
		},
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	wctx, wcancel := context.WithTimeout(ctx, 60*time.Second)
	defer wcancel()
	if err := c.WaitConnected(wctx); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	select {
	case <-stopped:
	case <-time.After(30 * time.Second):
		t.Fatal("the hub we started was not stopped")
	}
	if _, err := os.Stat(e.Lock); err == nil {
		t.Error("lockfile left after our hub stopped")
	}
}

// TestHTTPLockfile: a JSAMP hub started with -std:httplock serves its
// lockfile over HTTP on loopback; SAMP_HUB=std-lockurl:http://... finds it.
func TestHTTPLockfile(t *testing.T) {
	e := conntest.NewEnv(t)
	conntest.RequireJSAMP(t)
	hub := e.StartWith(t, conntest.StartOptions{Env: []string{"SAMP_HUB="}}, "java", "-Duser.home="+e.Dir,
		"-classpath", conntest.JSAMPJar, "org.astrogrid.samp.JSamp", "hub", "-mode", "no-gui", "-profiles", "std", "-std:httplock")
	var sampHub string
	conntest.Eventually(t, "the hub to print its lockfile URL", func() bool {
		for _, line := range strings.Split(hub.Output(), "\n") {
			if _, v, ok := strings.Cut(line, "SAMP_HUB="); ok && strings.HasPrefix(v, "std-lockurl:http://") {
				sampHub = strings.TrimSpace(v)
				return true
			}
		}
		return false
	})
	c := New(Options{
		Metadata: map[string]any{"samp.name": "voagent-httplock"},
		Logger:   conntest.Logger(t),
		Locate:   func() (profile.Location, error) { return profile.LocateFrom(sampHub, "") },
	})
	c.HandleFunc("voagent.echo", func(_ context.Context, r *Request) (map[string]any, error) { return r.Message.Params, nil })
	runConnector(t, c)
	if !strings.HasPrefix(c.Info().Lockfile, "http://") {
		t.Errorf("lockfile %q", c.Info().Lockfile)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := c.CallAndWait(ctx, c.Info().HubID, connection.NewMessage("samp.app.ping", nil), 10*time.Second); err != nil {
		t.Errorf("ping the hub client: %v", err)
	}
	// Without fsnotify, a killed hub is noticed by the ping.
	hub.Stop(syscall.SIGKILL)
	conntest.Eventually(t, "the connector to notice the dead hub", func() bool { return !c.Connected() })
}
