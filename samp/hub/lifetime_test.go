package hub

import (
	"os"
	"testing"
	"time"
)

// TestSlowClientKept: a client whose callbacks time out again and again
// (more than MaxFailures times, for longer than DropAfter) stays
// registered, and gets its messages once it is fast again.
func TestSlowClientKept(t *testing.T) {
	h := startHub(t, Options{MaxFailures: 2, DropAfter: time.Nanosecond, CallbackTimeout: 200 * time.Millisecond})
	a := newFakeClient(t, h, true)
	a.call("samp.hub.declareSubscriptions", a.key, map[string]any{"samp.hub.event.unregister": map[string]any{}})
	slow := newFakeClient(t, h, true)
	slow.call("samp.hub.declareSubscriptions", slow.key, map[string]any{"test.*": map[string]any{}})
	release := make(chan struct{})
	slow.mu.Lock()
	slow.block = release
	slow.mu.Unlock()
	const n = 5
	for range n {
		a.call("samp.hub.notify", a.key, slow.id, msg("test.slow", nil))
	}
	// When the last callback has begun, the ones before it have timed
	// out (a client's callbacks are made one at a time).
	for slow.entered.Load() < n {
		time.Sleep(20 * time.Millisecond)
	}
	slow.mu.Lock()
	slow.block = nil
	slow.mu.Unlock()
	close(release)
	got := toStrings(a.call("samp.hub.getRegisteredClients", a.key).([]any))
	if !contains(got, slow.id) {
		t.Fatalf("slow client %s was dropped: registered %v", slow.id, got)
	}
	a.call("samp.hub.notify", a.key, slow.id, msg("test.after", nil))
	for {
		r := slow.next()
		if mtypeOf(r) == "test.after" {
			break
		}
	}
}

// TestUnreachableClientDropped: a client whose callback server is gone is
// kept while DropAfter has not passed, and dropped (the others told) once
// it has.
func TestUnreachableClientDropped(t *testing.T) {
	for _, tc := range []struct {
		name      string
		dropAfter time.Duration
		dropped   bool
	}{
		{"within DropAfter", time.Hour, false},
		{"after DropAfter", 300 * time.Millisecond, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := startHub(t, Options{MaxFailures: 2, DropAfter: tc.dropAfter})
			a := newFakeClient(t, h, true)
			a.call("samp.hub.declareSubscriptions", a.key, map[string]any{"samp.hub.event.unregister": map[string]any{}})
			dead := newFakeClient(t, h, true)
			dead.call("samp.hub.declareSubscriptions", dead.key, map[string]any{"test.*": map[string]any{}})
			dead.srv.Close()
			deadline := time.Now().Add(wait)
			sent := 0
			for time.Now().Before(deadline) {
				a.try("samp.hub.notify", a.key, dead.id, msg("test.x", nil))
				sent++
				select {
				case r := <-a.got:
					if mtypeOf(r) == "samp.hub.event.unregister" {
						if !tc.dropped {
							t.Fatalf("client dropped within DropAfter %s", tc.dropAfter)
						}
						return
					}
				case <-time.After(100 * time.Millisecond):
				}
				if !tc.dropped && sent >= 10 {
					got := toStrings(a.call("samp.hub.getRegisteredClients", a.key).([]any))
					if !contains(got, dead.id) {
						t.Fatalf("unreachable client dropped within DropAfter: %v", got)
					}
					return
				}
			}
			t.Fatalf("unreachable client not dropped after %d messages", sent)
		})
	}
}

// TestIdleExit: a hub with IdleExit stays while a client is registered
// and closes itself (lockfile removed) once the last client has left.
func TestIdleExit(t *testing.T) {
	h := startHub(t, Options{IdleExit: 300 * time.Millisecond})
	c := newFakeClient(t, h, false)
	select {
	case <-h.Done():
		t.Fatal("hub closed while a client was registered")
	case <-time.After(time.Second):
	}
	c.call("samp.hub.unregister", c.key)
	select {
	case <-h.Done():
	case <-time.After(wait):
		t.Fatal("hub still running after the idle period")
	}
	if !h.IdleExited() {
		t.Error("IdleExited false after an idle exit")
	}
	if _, err := os.Stat(h.Lockfile()); !os.IsNotExist(err) {
		t.Errorf("lockfile still there after the idle exit: %v", err)
	}
}

// TestNoIdleExit: without IdleExit a hub with no client keeps running.
func TestNoIdleExit(t *testing.T) {
	h := startHub(t, Options{})
	c := newFakeClient(t, h, false)
	c.call("samp.hub.unregister", c.key)
	select {
	case <-h.Done():
		t.Fatal("hub without IdleExit closed itself")
	case <-time.After(time.Second):
	}
	if h.IdleExited() {
		t.Error("IdleExited true")
	}
}

// TestDeadClientProbed: a callable client that died without unregistering
// is dropped by the probe of its callback endpoint even though nothing is
// sent to it, so that an idle hub can still exit.
func TestDeadClientProbed(t *testing.T) {
	h := startHub(t, Options{MaxFailures: 2, DropAfter: 300 * time.Millisecond, ProbeInterval: 50 * time.Millisecond,
		IdleExit: 200 * time.Millisecond})
	alive := newFakeClient(t, h, true)
	dead := newFakeClient(t, h, true)
	dead.srv.Close()
	deadline := time.Now().Add(wait)
	for {
		got := toStrings(alive.call("samp.hub.getRegisteredClients", alive.key).([]any))
		if !contains(got, dead.id) {
			if !contains(got, ID) {
				t.Fatalf("registered clients %v", got)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("dead client %s never dropped", dead.id)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The live client, probed as often, is still registered (its calls
	// above succeeded); once it leaves the hub exits.
	select {
	case <-h.Done():
		t.Fatal("hub exited while a live client was registered")
	default:
	}
	alive.call("samp.hub.unregister", alive.key)
	select {
	case <-h.Done():
	case <-time.After(wait):
		t.Fatal("hub did not exit once its last live client left")
	}
}
