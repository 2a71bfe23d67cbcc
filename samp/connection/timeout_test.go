package connection

import (
	"math"
	"testing"
	"time"
)

// TestCallTimeoutSecs: the timeout a client sends is whole seconds, at least
// 1 and clamped, never overflowed into a negative or zero value.
func TestCallTimeoutSecs(t *testing.T) {
	const def = 30 * time.Second
	for _, tc := range []struct {
		in   time.Duration
		want int
	}{
		{0, 30},
		{-5 * time.Second, 30},
		{time.Nanosecond, 1},
		{1500 * time.Millisecond, 2},
		{10 * time.Second, 10},
		{MaxCallAndWaitSecs * time.Second, MaxCallAndWaitSecs},
		{math.MaxInt64, MaxCallAndWaitSecs},
		{math.MaxInt64 - time.Second/2, MaxCallAndWaitSecs},
	} {
		if got := callTimeoutSecs(tc.in, def); got != tc.want {
			t.Errorf("callTimeoutSecs(%v) = %d, want %d", tc.in, got, tc.want)
		}
	}
}
