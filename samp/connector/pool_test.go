package connector_test

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/voagent/voagent/samp/connection"
	"github.com/voagent/voagent/samp/connection/conntest"
	"github.com/voagent/voagent/samp/connector"
	"github.com/voagent/voagent/samp/profile"
)

// nopCallable accepts every callback.
type nopCallable struct{ responses atomic.Int32 }

func (n *nopCallable) ReceiveNotification(context.Context, string, connection.Message) error {
	return nil
}
func (n *nopCallable) ReceiveCall(context.Context, string, string, connection.Message) error {
	return nil
}
func (n *nopCallable) ReceiveResponse(context.Context, string, string, connection.Response) error {
	n.responses.Add(1)
	return nil
}

// TestHostileSlowMessagesBounded: a hostile client sends 300 calls and 300
// notifications whose handler never returns (it ignores its context, as a
// read of a file that never ends would). The connector must not start a
// goroutine per message (handling runs on a bounded pool), and another
// client must still be served (each sender gets a share of the pool).
func TestHostileSlowMessagesBounded(t *testing.T) {
	e := conntest.NewEnv(t)
	stuck := make(chan struct{})
	defer close(stuck)
	var entered atomic.Int32
	victim := connector.New(connector.Options{
		Metadata:       map[string]any{"samp.name": "victim"},
		Locate:         e.Location,
		StartHub:       hubStarter(t),
		HandlerTimeout: time.Second,
	})
	victim.HandleFunc("test.slow", func(context.Context, *connector.Request) (map[string]any, error) {
		entered.Add(1)
		<-stuck
		return nil, nil
	})
	victim.HandleFunc("test.fast", func(context.Context, *connector.Request) (map[string]any, error) {
		return map[string]any{"ok": "1"}, nil
	})
	startConnector(t, victim)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	loc, _ := e.Location()
	lock, err := profile.ReadLockfile(ctx, loc)
	if err != nil {
		t.Fatal(err)
	}
	hostile, err := connection.Register(ctx, lock, connection.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer hostile.Close()
	if err := hostile.Serve(ctx, &nopCallable{}); err != nil {
		t.Fatal(err)
	}
	var victimID string
	conntest.Eventually(t, "the victim's id", func() bool {
		ids, err := hostile.GetSubscribedClients(ctx, "test.slow")
		for id := range ids {
			victimID = id
		}
		return err == nil && victimID != ""
	})
	base := runtime.NumGoroutine()
	slow := connection.NewMessage("test.slow", nil)
	for i := range 300 {
		if _, err := hostile.Call(ctx, victimID, "t", slow); err != nil {
			t.Logf("call %d refused: %v", i, err)
		}
		if err := hostile.Notify(ctx, victimID, slow); err != nil {
			t.Logf("notification %d refused: %v", i, err)
		}
	}
	// The hub delivers to the victim in order: once an honest client's call
	// sent after them is answered, all 600 have been received.
	honest := connector.New(connector.Options{Metadata: map[string]any{"samp.name": "honest"}, Locate: e.Location})
	startConnector(t, honest)
	r, err := honest.CallAndWait(ctx, victimID, connection.NewMessage("test.fast", nil), 30*time.Second)
	if err != nil || !r.IsOK() {
		t.Fatalf("an honest client's call while a hostile one floods: %+v, %v", r, err)
	}
	grown := runtime.NumGoroutine() - base
	t.Logf("goroutines: %d more after 600 stuck messages; %d handlers entered", grown, entered.Load())
	if grown > 100 {
		t.Errorf("600 messages whose handler never returns left %d more goroutines: handling is not bounded", grown)
	}
}

// startConnector runs c until the end of the test and waits until it is
// connected.
func startConnector(t *testing.T, c *connector.Connector) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			t.Errorf("Run did not return 15 s after cancel")
		}
	})
	wctx, wcancel := context.WithTimeout(ctx, 60*time.Second)
	defer wcancel()
	if err := c.WaitConnected(wctx); err != nil {
		t.Fatal(err)
	}
}
