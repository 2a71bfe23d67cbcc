package agent

import (
	"context"
	"sync"
)

// forEach calls fn(i) for i in [0, n), at most limit calls at once (at
// least one), and returns when every call started has returned. Once ctx
// is done no further call is started; fn sees ctx itself and decides what a
// cancelled call leaves behind.
func forEach(ctx context.Context, n, limit int, fn func(i int)) {
	sem := make(chan struct{}, max(1, limit))
	var wg sync.WaitGroup
	for i := range n {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			fn(i)
		}()
	}
	wg.Wait()
}
