package dal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

var (
	errIdle  = errors.New("service silent for too long")
	errTotal = errors.New("total time limit reached")
)

// guard enforces a request's total and idle timeouts through its context.
type guard struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	stopT  context.CancelFunc
	idle   time.Duration
	timer  *time.Timer
	once   sync.Once
}

func newGuard(parent context.Context, total, idle time.Duration) *guard {
	ctx, cancel := context.WithCancelCause(parent)
	tctx, stop := context.WithTimeoutCause(ctx, total, fmt.Errorf("%w: %w (%s)", ErrTimeout, errTotal, total))
	g := &guard{ctx: tctx, cancel: cancel, stopT: stop, idle: idle}
	g.timer = time.AfterFunc(idle, func() {
		cancel(fmt.Errorf("%w: %w (no data for %s)", ErrTimeout, errIdle, idle))
	})
	return g
}

// touch restarts the idle timer: the service just sent something.
func (g *guard) touch() { g.timer.Reset(g.idle) }

// release stops the timers and cancels the request's context.
func (g *guard) release() {
	g.once.Do(func() {
		g.timer.Stop()
		g.stopT()
		g.cancel(context.Canceled)
	})
}

// cause explains err by the guard's timeouts when one of them fired, or by
// the caller's context.
func (g *guard) cause(err error) error {
	if g.ctx.Err() == nil {
		return err
	}
	c := context.Cause(g.ctx)
	switch {
	case errors.Is(c, ErrTimeout):
		return c
	case errors.Is(c, context.DeadlineExceeded): // the caller's deadline
		return fmt.Errorf("%w: %w", ErrTimeout, c)
	case c != nil:
		return c
	}
	return err
}

// guardedBody is a response body under the guard and the size limit.
type guardedBody struct {
	rc    io.ReadCloser
	g     *guard
	resp  *Response
	left  int64
	limit int64
	err   error // sticky
	eof   bool  // the body ended normally
	n     int64
}

func (b *guardedBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if b.left <= 0 {
		// Probe for one more byte: exactly limit bytes is fine.
		var one [1]byte
		n, err := b.rc.Read(one[:])
		if n > 0 {
			b.err = b.resp.fail(b.resp.StatusCode, fmt.Errorf("%w (%d bytes)", ErrTooLarge, b.limit))
			return 0, b.err
		}
		if err != nil {
			return 0, b.wrap(err)
		}
		return 0, nil
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	if n > 0 {
		b.g.touch()
		b.left -= int64(n)
		b.n += int64(n)
	}
	if err != nil {
		return n, b.wrap(err)
	}
	return n, nil
}

// wrap turns a read error into an *Error (io.EOF stays io.EOF).
func (b *guardedBody) wrap(err error) error {
	if err == io.EOF {
		b.eof = true
		return err
	}
	cause := b.g.cause(err)
	kind := ErrTruncated
	if errors.Is(cause, ErrTimeout) {
		kind = ErrTimeout
	} else if errors.Is(cause, context.Canceled) || errors.Is(cause, context.DeadlineExceeded) {
		kind = nil
	}
	if kind != nil {
		cause = kindErr(kind, cause)
	}
	b.err = b.resp.fail(b.resp.StatusCode, fmt.Errorf("reading the response after %d bytes: %w", b.n, cause))
	return b.err
}

func (b *guardedBody) Close() error {
	err := b.rc.Close()
	b.g.release()
	return err
}
