// Package fanout runs one query over many services at once: bounded
// concurrency, a deadline per service, results streamed out in the order the
// services answer, and a summary of which services failed and why.
//
// A hanging, failing or garbage-sending service never delays or loses the
// others' results: each task runs in its own goroutine, its deadline is
// enforced here (not trusted to the task), and a task that panics becomes a
// failure like any other. Cancelling the context stops the whole fan-out;
// Latest makes "a new search cancels the previous one" (the vicinity search
// on TOPCAT row highlights) a one-liner.
package fanout

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"
)

// Defaults used when Options leaves a field zero.
const (
	DefaultConcurrency = 8
	DefaultDeadline    = 30 * time.Second
)

// Task is one query against one service.
type Task[T any] struct {
	// Name identifies the service in results and in the summary (an ivoid,
	// a short name or the access URL).
	Name string
	// Run does the work. It must honour ctx; when it does not, the fan-out
	// still reports the task as timed out at its deadline and moves on.
	Run func(ctx context.Context) (T, error)
}

// Options tune a fan-out.
type Options struct {
	// Concurrency bounds the number of tasks running at once
	// (DefaultConcurrency when <= 0). A task waiting for a slot waits at most
	// until the running ones answer or reach their deadline, so the worst
	// delay of a good service is ceil(hanging services/Concurrency) deadlines.
	Concurrency int
	// Deadline bounds each task, counted from the moment it starts
	// (DefaultDeadline when <= 0).
	Deadline time.Duration
	// Logger receives one debug line per finished task (nil: none).
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Deadline <= 0 {
		o.Deadline = DefaultDeadline
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Outcome classifies how a task ended.
type Outcome int

// The outcomes of a task.
const (
	// OK: the task returned a value and no error.
	OK Outcome = iota
	// Failed: the task returned an error (or panicked).
	Failed
	// TimedOut: the task's own deadline passed first.
	TimedOut
	// Canceled: the whole fan-out was cancelled before the task finished
	// (or before it started).
	Canceled
)

// String names the outcome ("ok", "failed", "timed out", "canceled").
func (o Outcome) String() string {
	switch o {
	case OK:
		return "ok"
	case Failed:
		return "failed"
	case TimedOut:
		return "timed out"
	case Canceled:
		return "canceled"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// Result is what one task produced.
type Result[T any] struct {
	// Index is the task's position in the slice given to Start or Run.
	Index int
	// Name is the task's Name.
	Name    string
	Value   T
	Err     error
	Outcome Outcome
	// Elapsed is the time from the task's start to its result (zero for a
	// task cancelled before it started).
	Elapsed time.Duration
}

// Failure is one service that gave no result, for the summary.
type Failure struct {
	Index   int
	Name    string
	Outcome Outcome
	Err     error
}

// Summary says how a fan-out went once every task has a result.
type Summary struct {
	Total    int
	OK       int
	Failures []Failure
	Elapsed  time.Duration
}

// String gives a one-line account such as "3 of 5 services answered;
// failed: a (timed out: ...), b (failed: ...)".
func (s Summary) String() string {
	out := fmt.Sprintf("%d of %d services answered in %s", s.OK, s.Total, s.Elapsed.Round(time.Millisecond))
	for i, f := range s.Failures {
		if i == 0 {
			out += "; "
		} else {
			out += ", "
		}
		out += fmt.Sprintf("%s (%s: %v)", f.Name, f.Outcome, f.Err)
	}
	return out
}

// ErrTimeout is the error of a task that passed its deadline (wrapped with
// the deadline; test with errors.Is).
var ErrTimeout = errors.New("service did not answer before its deadline")

// Search is a running fan-out.
type Search[T any] struct {
	results chan Result[T]
	done    chan struct{}
	summary Summary
}

// Results delivers one Result per task as soon as it is known, in completion
// order; it is closed after the last one. Tasks never wait for the reader:
// results are buffered.
func (s *Search[T]) Results() <-chan Result[T] { return s.results }

// Wait blocks until every task has a result (or was cancelled) and returns
// the summary. Results need not be drained first.
func (s *Search[T]) Wait() Summary {
	<-s.done
	return s.summary
}

// Start begins running tasks and returns at once. Cancel ctx to stop them
// all: tasks not yet started are reported Canceled, running ones get their
// context cancelled and are reported Canceled without waiting for them.
func Start[T any](ctx context.Context, opts Options, tasks []Task[T]) *Search[T] {
	opts = opts.withDefaults()
	s := &Search[T]{
		// One slot per task: nobody ever blocks on delivering a result.
		results: make(chan Result[T], len(tasks)),
		done:    make(chan struct{}),
	}
	collected := make(chan Result[T], len(tasks))
	begin := time.Now()
	go func() {
		sem := make(chan struct{}, opts.Concurrency)
		var wg sync.WaitGroup
		for i, task := range tasks {
			if ctx.Err() != nil {
				collected <- notStarted[T](ctx, i, task.Name)
				continue
			}
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				collected <- notStarted[T](ctx, i, task.Name)
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := runOne(ctx, opts.Deadline, i, task)
				<-sem // the slot is free as soon as the result is known
				collected <- r
			}()
		}
		wg.Wait()
		close(collected)
	}()
	go func() {
		defer close(s.done)
		defer close(s.results)
		s.summary.Total = len(tasks)
		for r := range collected {
			if r.Outcome == OK {
				s.summary.OK++
			} else {
				s.summary.Failures = append(s.summary.Failures, Failure{Index: r.Index, Name: r.Name, Outcome: r.Outcome, Err: r.Err})
			}
			opts.Logger.Debug("fan-out task finished", "service", r.Name, "outcome", r.Outcome.String(),
				"elapsed", r.Elapsed, "err", r.Err)
			s.results <- r
		}
		s.summary.Elapsed = time.Since(begin)
	}()
	return s
}

// Run runs tasks like Start and calls emit for each result as it arrives
// (from a single goroutine, so emit needs no locking), then returns the
// summary. A slow emit delays only the delivery of later results, never the
// tasks themselves.
func Run[T any](ctx context.Context, opts Options, tasks []Task[T], emit func(Result[T])) Summary {
	s := Start(ctx, opts, tasks)
	for r := range s.Results() {
		if emit != nil {
			emit(r)
		}
	}
	return s.Wait()
}

func notStarted[T any](ctx context.Context, i int, name string) Result[T] {
	return Result[T]{Index: i, Name: name, Outcome: Canceled, Err: fmt.Errorf("not started: %w", context.Cause(ctx))}
}

// runOne runs a task in its own goroutine under its deadline and returns its
// result, or a timeout/cancel result as soon as the deadline passes or ctx
// is cancelled, whether or not the task has returned.
func runOne[T any](ctx context.Context, deadline time.Duration, i int, task Task[T]) Result[T] {
	start := time.Now()
	tctx, cancel := context.WithTimeoutCause(ctx, deadline, fmt.Errorf("%w (%s)", ErrTimeout, deadline))
	defer cancel()
	type answer struct {
		v   T
		err error
	}
	ch := make(chan answer, 1) // buffered: a straggler never blocks
	go func() {
		var a answer
		defer func() {
			if p := recover(); p != nil {
				a = answer{err: fmt.Errorf("service query panicked: %v\n%s", p, debug.Stack())}
			}
			ch <- a
		}()
		if task.Run == nil {
			a.err = errors.New("task has no Run function")
			return
		}
		a.v, a.err = task.Run(tctx)
	}()
	r := Result[T]{Index: i, Name: task.Name}
	select {
	case a := <-ch:
		r.Value, r.Err = a.v, a.err
	case <-tctx.Done():
		// Prefer an answer that arrived at the same moment.
		select {
		case a := <-ch:
			r.Value, r.Err = a.v, a.err
		default:
			r.Err = context.Cause(tctx)
		}
	}
	r.Elapsed = time.Since(start)
	r.Outcome = classify(ctx, tctx, r.Err)
	if r.Outcome != OK && r.Err == nil {
		r.Err = context.Cause(tctx)
	}
	return r
}

func classify(parent, task context.Context, err error) Outcome {
	switch {
	case err == nil:
		return OK
	case parent.Err() != nil:
		return Canceled
	case task.Err() != nil || errors.Is(err, ErrTimeout):
		return TimedOut
	}
	return Failed
}

// Latest runs at most one fan-out at a time: each Begin cancels the context
// of the previous one. Use it where a new request supersedes the last, as a
// new TOPCAT row highlight supersedes the vicinity search of the previous
// row. The zero value is ready to use.
type Latest struct {
	mu     sync.Mutex
	cancel context.CancelCauseFunc
	gen    uint64
}

// ErrSuperseded is the cancellation cause of a search replaced by a newer one.
var ErrSuperseded = errors.New("superseded by a newer search")

// Begin cancels the previous search (with cause ErrSuperseded) and returns
// the context for the new one, and a function to call when the new search is
// over (it releases the context; calling it after a newer Begin is harmless).
func (l *Latest) Begin(ctx context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	l.mu.Lock()
	if l.cancel != nil {
		l.cancel(ErrSuperseded)
	}
	l.gen++
	gen := l.gen
	l.cancel = cancel
	l.mu.Unlock()
	return ctx, func() {
		cancel(context.Canceled)
		l.mu.Lock()
		if l.gen == gen {
			l.cancel = nil
		}
		l.mu.Unlock()
	}
}

// Stop cancels the current search, if any.
func (l *Latest) Stop() {
	l.mu.Lock()
	if l.cancel != nil {
		l.cancel(context.Canceled)
		l.cancel = nil
	}
	l.mu.Unlock()
}
