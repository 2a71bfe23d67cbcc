package agent

import (
	"context"
	"sync/atomic"
	"testing"
)

func TestForEach(t *testing.T) {
	for _, tc := range []struct {
		name     string
		n, limit int
		cancelAt int // cancel the context when call cancelAt starts; -1: never
	}{
		{"all, limited", 50, 3, -1},
		{"limit zero means one", 5, 0, -1},
		{"none", 0, 4, -1},
		{"cancelled", 100, 2, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var running, peak, calls atomic.Int64
			forEach(ctx, tc.n, tc.limit, func(i int) {
				calls.Add(1)
				if i == tc.cancelAt {
					cancel()
				}
				r := running.Add(1)
				for {
					p := peak.Load()
					if r <= p || peak.CompareAndSwap(p, r) {
						break
					}
				}
				running.Add(-1)
			})
			if want := int64(max(1, tc.limit)); peak.Load() > want {
				t.Errorf("%d calls ran at once, limit %d", peak.Load(), want)
			}
			if running.Load() != 0 {
				t.Errorf("forEach returned with %d calls running", running.Load())
			}
			if tc.cancelAt < 0 && calls.Load() != int64(tc.n) {
				t.Errorf("%d calls, want %d", calls.Load(), tc.n)
			}
			if tc.cancelAt >= 0 && calls.Load() >= int64(tc.n) {
				t.Errorf("%d calls after cancel at %d, want fewer than %d", calls.Load(), tc.cancelAt, tc.n)
			}
		})
	}
}
