package hub

import (
	"reflect"
	"testing"
	"time"
)

// TestParseCallTimeout: a callAndWait timeout is clamped, never overflowed:
// non-positive, non-finite and absurd values become the hub's maximum.
func TestParseCallTimeout(t *testing.T) {
	const max = 90 * time.Second
	for _, tc := range []struct {
		in   string
		want time.Duration
		bad  bool
	}{
		{in: "10", want: 10 * time.Second},
		{in: " 2.5 ", want: 2500 * time.Millisecond},
		{in: "0", want: max},
		{in: "-5", want: max},
		{in: "1e300", want: max},
		{in: "Inf", want: max},
		{in: "-Inf", want: max},
		{in: "NaN", want: max},
		{in: "", want: max},
		{in: "91", want: max},
		{in: "soon", bad: true},
	} {
		got, err := parseCallTimeout(tc.in, max)
		if tc.bad {
			if err == nil {
				t.Errorf("parseCallTimeout(%q) = %v, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("parseCallTimeout(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

// TestCallAndWaitAbsurdTimeouts: over XML-RPC, timeouts that overflowed into
// an immediate "no reply" wait for the reply instead.
func TestCallAndWaitAbsurdTimeouts(t *testing.T) {
	h := startHub(t, Options{Logger: quietLogger(t)})
	a := newFakeClient(t, h, true)
	b := newFakeClient(t, h, true)
	b.call("samp.hub.declareSubscriptions", b.key, map[string]any{"x.y": map[string]any{}})
	resp := map[string]any{"samp.status": "samp.ok", "samp.result": map[string]any{}}
	for _, timeout := range []string{"1e300", "Inf", "-5", "NaN", ""} {
		go func() {
			r := b.next()
			b.try("samp.hub.reply", b.key, r.params[1], resp)
		}()
		got, err := a.try("samp.hub.callAndWait", a.key, b.id, msg("x.y", nil), timeout)
		if err != nil || !reflect.DeepEqual(got, resp) {
			t.Errorf("callAndWait timeout %q: %v, %v", timeout, got, err)
		}
	}
}
