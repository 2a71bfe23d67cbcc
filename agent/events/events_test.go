package events

import (
	"testing"
)

func TestBusOrderFilterAndDrops(t *testing.T) {
	b := NewBus(4)
	all := b.Subscribe(100)
	defer all.Close()
	only := b.Subscribe(100, HubLost)
	defer only.Close()
	small := b.Subscribe(2)
	defer small.Close()
	for i := range 10 {
		typ := SearchStarted
		if i%3 == 0 {
			typ = HubLost
		}
		b.Publish(Event{Type: typ})
	}
	for want := uint64(1); want <= 10; want++ {
		if e := <-all.C(); e.Seq != want || e.Time.IsZero() {
			t.Fatalf("event %+v, want seq %d with a time", e, want)
		}
	}
	var lost []uint64
	for len(only.C()) > 0 {
		lost = append(lost, (<-only.C()).Seq)
	}
	if len(lost) != 4 || lost[0] != 1 || lost[3] != 10 {
		t.Errorf("filtered subscription got %v, want the 4 hub.lost events", lost)
	}
	if small.Dropped() != 8 || len(small.C()) != 2 {
		t.Errorf("small buffer: dropped %d, holds %d; want 8 and 2 (publishing never waits)", small.Dropped(), len(small.C()))
	}
	since := b.Since(7)
	if len(since) != 3 || since[0].Seq != 8 || since[2].Seq != 10 {
		t.Errorf("Since(7) = %v, want 8..10", since)
	}
	if got := b.Since(0); len(got) != 4 || got[0].Seq != 7 {
		t.Errorf("Since(0) kept %d events from %d, want the last 4", len(got), got[0].Seq)
	}
	small.Close()
	small.Close() // twice is harmless
	if _, ok := <-small.C(); ok {
		// drain what was buffered
		for range small.C() {
		}
	}
	b.Publish(Event{Type: HubFound}) // a closed subscription gets nothing and blocks nothing
	if b.Last() != 11 {
		t.Errorf("Last = %d", b.Last())
	}
}
