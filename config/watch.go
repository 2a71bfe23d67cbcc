package config

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// ErrRemoved is wrapped by the error Watch reports when the file is gone.
var ErrRemoved = errors.New("configuration file removed; the running configuration stays")

// watchDebounce is how long Watch waits after the last change before
// reloading: editors write a file in several steps.
const watchDebounce = 100 * time.Millisecond

// Watch reloads the configuration file path (DefaultPath when "") whenever
// it changes, until ctx is done, and returns then (nil) with nothing left
// running. It watches the file's directory, so that editors replacing the
// file (write a new one, rename it over the old) are seen, and waits for
// changes to settle (~100 ms) before reloading with Load.
//
// apply is called from Watch's goroutine, one call at a time:
//   - apply(cfg, nil) for a valid new content;
//   - apply(last, err) for an invalid one (err is a *FileError with the
//     line and key) or a removed file (err wraps ErrRemoved); last is the
//     last valid configuration the watcher saw, which the caller should
//     keep running.
//
// A change that leaves the content as it was is not reported. Watch fails
// at once when the directory cannot be watched (it must exist).
func Watch(ctx context.Context, path string, log *slog.Logger, apply func(Config, error)) error {
	return watch(ctx, path, log, apply, nil)
}

// watch is Watch, calling ready (when not nil) once the directory is
// watched.
func watch(ctx context.Context, path string, log *slog.Logger, apply func(Config, error), ready func()) error {
	if path == "" {
		if path = DefaultPath(); path == "" {
			return errors.New("watching the configuration: no user configuration directory")
		}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	path = filepath.Clean(path)
	dir, base := filepath.Dir(path), filepath.Base(path)
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watching the configuration %s: %w", path, err)
	}
	defer w.Close()
	if err := w.Add(dir); err != nil {
		return fmt.Errorf("watching the configuration directory %s: %w", dir, err)
	}

	// The starting point: what the file holds now (not reported).
	last, err := Load(path)
	if err != nil {
		last = Default()
		applyEnv(&last)
	}
	content, present := readContent(path)
	if ready != nil {
		ready()
	}

	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	pending := false
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if filepath.Base(ev.Name) != base || ev.Op == fsnotify.Chmod {
				continue
			}
			log.Debug("configuration file event", "file", ev.Name, "op", ev.Op.String())
			pending = true
			timer.Reset(watchDebounce)
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			log.Warn("watching the configuration", "dir", dir, "err", err)
		case <-timer.C:
			if !pending {
				continue
			}
			pending = false
			b, ok := readContent(path)
			switch {
			case !ok:
				if !present {
					continue
				}
				present, content = false, nil
				log.Warn("configuration file removed", "file", path)
				apply(last, &FileError{Path: path, Err: ErrRemoved})
			case present && bytes.Equal(b, content):
				continue // touched, or rewritten identically
			default:
				present, content = true, b
				cfg, err := Load(path)
				if err != nil {
					log.Warn("configuration change rejected", "err", err)
					apply(last, err)
					continue
				}
				last = cfg
				log.Info("configuration reloaded", "file", path)
				apply(cfg, nil)
			}
		}
	}
}

// readContent returns the file's bytes and whether it could be read.
func readContent(path string) ([]byte, bool) {
	b, err := os.ReadFile(path)
	return b, err == nil
}
