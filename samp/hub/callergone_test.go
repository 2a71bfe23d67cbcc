package hub

import (
	"bytes"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/samp/xmlrpc"
)

// TestCallAndWaitCallerGone sends callAndWait with no timeout ("0") over a
// raw connection to a recipient that never answers, then closes the
// connection: the hub must notice that the caller went away, forget the
// call and free the connection, instead of holding both for the maximum
// timeout.
func TestCallAndWaitCallerGone(t *testing.T) {
	h := startHub(t, Options{})
	a := newFakeClient(t, h, false)
	b := newFakeClient(t, h, true)
	b.call("samp.hub.declareSubscriptions", b.key, map[string]any{"x.y": map[string]any{}})
	release := make(chan struct{})
	b.mu.Lock()
	b.block = release
	b.mu.Unlock()
	defer close(release)

	var body bytes.Buffer
	if err := xmlrpc.EncodeCall(&body, "samp.hub.callAndWait", []any{a.key, b.id, msg("x.y", nil), "0"}); err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimSuffix(strings.TrimPrefix(h.URL(), "http://"), "/xmlrpc")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "POST /xmlrpc HTTP/1.1\r\nHost: %s\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n", addr, body.Len())
	conn.Write(body.Bytes())
	pendingCalls := func() int {
		h.mu.Lock()
		defer h.mu.Unlock()
		return len(h.pending)
	}
	waitFor(t, "the call to be pending", func() bool { return pendingCalls() == 1 })
	conn.Close()
	waitFor(t, "the hub to forget the call of a caller gone", func() bool { return pendingCalls() == 0 })
}

// waitFor polls cond until it holds, failing the test after the generous
// bound wait.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
