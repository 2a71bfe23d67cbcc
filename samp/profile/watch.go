package profile

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/fsnotify/fsnotify"
)

// Watch reports changes to a local lockfile: the returned channel receives a
// value (coalesced, never blocking the watcher) whenever the lockfile is
// created, written, renamed or removed. It watches the lockfile's directory,
// since hubs create, replace and delete the file itself. The watch ends when
// ctx is done. For http lockfiles (no local path) it returns a nil channel:
// callers poll instead.
func Watch(ctx context.Context, loc Location) (<-chan struct{}, error) {
	if loc.Path == "" {
		return nil, nil
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watching lockfile %s: %w", loc.Path, err)
	}
	dir := filepath.Dir(loc.Path)
	if err := w.Add(dir); err != nil {
		w.Close()
		return nil, fmt.Errorf("watching lockfile directory %s: %w", dir, err)
	}
	name := filepath.Clean(loc.Path)
	ch := make(chan struct{}, 1)
	go func() {
		defer w.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				if filepath.Clean(ev.Name) != name {
					continue
				}
				select {
				case ch <- struct{}{}:
				default:
				}
			case _, ok := <-w.Errors:
				if !ok {
					return
				}
				// An overflow may have hidden a change: report one.
				select {
				case ch <- struct{}{}:
				default:
				}
			}
		}
	}()
	return ch, nil
}
