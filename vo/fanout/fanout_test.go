package fanout

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

func okTask(name string, v int) Task[int] {
	return Task[int]{Name: name, Run: func(context.Context) (int, error) { return v, nil }}
}

// hangTask ignores its context and blocks until the test ends.
func hangTask(t *testing.T, name string) Task[int] {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	return Task[int]{Name: name, Run: func(context.Context) (int, error) { <-release; return -1, nil }}
}

func TestRunOutcomes(t *testing.T) {
	boom := errors.New("garbage VOTable")
	tasks := []Task[int]{
		okTask("a", 1),
		{Name: "fails", Run: func(context.Context) (int, error) { return 0, boom }},
		{Name: "panics", Run: func(context.Context) (int, error) { panic("bad service") }},
		hangTask(t, "hangs"),
		{Name: "waits-ctx", Run: func(ctx context.Context) (int, error) { <-ctx.Done(); return 0, ctx.Err() }},
		{Name: "nil-run"},
		okTask("b", 2),
	}
	var order []string
	got := map[string]Result[int]{}
	sum := Run(context.Background(), Options{Concurrency: 3, Deadline: 300 * time.Millisecond}, tasks, func(r Result[int]) {
		order = append(order, r.Name)
		got[r.Name] = r
	})
	want := map[string]Outcome{"a": OK, "b": OK, "fails": Failed, "panics": Failed, "hangs": TimedOut, "waits-ctx": TimedOut, "nil-run": Failed}
	for name, o := range want {
		r, ok := got[name]
		if !ok {
			t.Fatalf("no result for %s", name)
		}
		if r.Outcome != o {
			t.Errorf("%s: outcome %v (err %v), want %v", name, r.Outcome, r.Err, o)
		}
		if o != OK && r.Err == nil {
			t.Errorf("%s: failure without an error", name)
		}
	}
	if got["a"].Value != 1 || got["b"].Value != 2 {
		t.Errorf("values: a=%d b=%d", got["a"].Value, got["b"].Value)
	}
	if !errors.Is(got["fails"].Err, boom) {
		t.Errorf("fails: err %v does not wrap the task's error", got["fails"].Err)
	}
	if !errors.Is(got["hangs"].Err, ErrTimeout) {
		t.Errorf("hangs: err %v is not ErrTimeout", got["hangs"].Err)
	}
	if sum.Total != len(tasks) || sum.OK != 2 || len(sum.Failures) != 5 {
		t.Errorf("summary %+v", sum)
	}
	if len(order) != len(tasks) {
		t.Errorf("%d results, want %d", len(order), len(tasks))
	}
	// The good services must not wait for the hanging one.
	pos := map[string]int{}
	for i, n := range order {
		pos[n] = i
	}
	if pos["a"] > pos["hangs"] {
		t.Errorf("result of a delivered after the hanging service: %v", order)
	}
	if s := sum.String(); s == "" {
		t.Error("empty summary string")
	}
}

func TestConcurrencyBound(t *testing.T) {
	var running, peak atomic.Int32
	var tasks []Task[int]
	for i := range 20 {
		tasks = append(tasks, Task[int]{Name: fmt.Sprint(i), Run: func(ctx context.Context) (int, error) {
			n := running.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			time.Sleep(2 * time.Millisecond)
			running.Add(-1)
			return i, nil
		}})
	}
	sum := Run(context.Background(), Options{Concurrency: 4}, tasks, nil)
	if sum.OK != 20 {
		t.Fatalf("summary %v", sum)
	}
	if p := peak.Load(); p > 4 || p < 1 {
		t.Errorf("peak concurrency %d, bound 4", p)
	}
}

func TestCancelStopsEverything(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{}, 10)
	var tasks []Task[int]
	for i := range 10 {
		tasks = append(tasks, Task[int]{Name: fmt.Sprint(i), Run: func(ctx context.Context) (int, error) {
			started <- struct{}{}
			<-ctx.Done()
			return 0, ctx.Err()
		}})
	}
	s := Start(ctx, Options{Concurrency: 2, Deadline: time.Hour}, tasks)
	<-started
	cancel()
	sum := s.Wait()
	if sum.OK != 0 || len(sum.Failures) != 10 {
		t.Fatalf("summary %v", sum)
	}
	for _, f := range sum.Failures {
		if f.Outcome != Canceled {
			t.Errorf("%s: outcome %v, want canceled", f.Name, f.Outcome)
		}
	}
	n := 0
	for range s.Results() {
		n++
	}
	if n != 10 {
		t.Errorf("%d results after cancel, want 10", n)
	}
}

func TestLatestSupersedes(t *testing.T) {
	var l Latest
	first, done1 := l.Begin(context.Background())
	second, done2 := l.Begin(context.Background())
	if first.Err() == nil || !errors.Is(context.Cause(first), ErrSuperseded) {
		t.Errorf("first search not superseded: %v", context.Cause(first))
	}
	if second.Err() != nil {
		t.Fatalf("second search cancelled: %v", second.Err())
	}
	done1() // late release of the old search must not touch the new one
	if second.Err() != nil {
		t.Fatalf("releasing the old search cancelled the new one")
	}
	l.Stop()
	if second.Err() == nil {
		t.Error("Stop did not cancel the current search")
	}
	done2()
}

func TestEmpty(t *testing.T) {
	sum := Run[int](context.Background(), Options{}, nil, nil)
	if sum.Total != 0 || sum.OK != 0 {
		t.Errorf("summary %v", sum)
	}
}

// BenchmarkRun measures the fan-out's own cost per task (tasks that return
// at once).
func BenchmarkRun(b *testing.B) {
	tasks := make([]Task[int], 100)
	for i := range tasks {
		tasks[i] = okTask(fmt.Sprint(i), i)
	}
	b.ReportAllocs()
	for b.Loop() {
		sum := Run(context.Background(), Options{Concurrency: 8}, tasks, func(Result[int]) {})
		if sum.OK != len(tasks) {
			b.Fatal(sum)
		}
	}
}
