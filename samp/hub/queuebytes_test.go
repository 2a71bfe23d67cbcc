package hub

import (
	"strings"
	"testing"
)

// TestQueueBytesBound: one slow recipient and many big messages. The
// recipient's queue is bounded in bytes, not only in count: once its
// undelivered messages reach MaxQueueBytes, notify and call are answered
// with a fault naming the recipient and the limit.
func TestQueueBytesBound(t *testing.T) {
	const limit = 4 << 20
	h := startHub(t, Options{Logger: quietLogger(t), MaxQueueBytes: limit, MaxBody: 2 << 20})
	sender := newFakeClient(t, h, true)
	slow := newFakeClient(t, h, true)
	slow.call("samp.hub.declareSubscriptions", slow.key, map[string]any{"big.msg": map[string]any{}})
	release := make(chan struct{})
	slow.mu.Lock()
	slow.block = release
	slow.mu.Unlock()
	defer close(release)

	big := strings.Repeat("x", 1<<20)
	m := msg("big.msg", map[string]any{"data": big})
	accepted := 0
	var refused error
	for i := 0; i < 40 && refused == nil; i++ {
		method, params := "samp.hub.notify", []any{sender.key, slow.id, m}
		if i%2 == 1 {
			method, params = "samp.hub.call", []any{sender.key, slow.id, "t", m}
		}
		if _, err := sender.try(method, params...); err != nil {
			refused = err
			break
		}
		accepted++
	}
	if refused == nil {
		t.Fatalf("40 messages of 1 MiB queued for a blocked client with a %d-byte limit", limit)
	}
	if accepted > limit>>20+1 {
		t.Errorf("%d messages of 1 MiB accepted for a %d-byte limit", accepted, limit)
	}
	wantFault(t, refused, slow.id)
	wantFault(t, refused, "bytes")
}

// TestQueueBytes: the queue counts the size of what it holds, releases it
// on pop and on close.
func TestQueueBytes(t *testing.T) {
	q := newQueue(100, 1000)
	d := delivery{method: "m", args: []any{strings.Repeat("a", 600)}}
	if err := q.push(d); err != nil {
		t.Fatal(err)
	}
	if err := q.push(d); err == nil || !strings.Contains(err.Error(), "1000 bytes") {
		t.Fatalf("second push of 600 bytes into 1000: %v", err)
	}
	if _, _, ok := q.pop(); !ok {
		t.Fatal("pop")
	}
	if err := q.push(d); err != nil {
		t.Fatalf("push after pop: %v", err)
	}
	// A small delivery still fits beside it.
	if err := q.push(delivery{method: "m", args: []any{"small"}}); err != nil {
		t.Fatalf("small push: %v", err)
	}
}
