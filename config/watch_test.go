package config

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

type applied struct {
	cfg Config
	err error
}

func TestWatch(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.toml")
	write := func(text string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("[search]\nconcurrency = 5\n")
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan applied, 10)
	ready := make(chan struct{})
	done := make(chan error)
	go func() {
		done <- watch(ctx, path, nil, func(c Config, err error) { got <- applied{c, err} }, func() { close(ready) })
	}()
	<-ready
	next := func(what string) applied {
		t.Helper()
		select {
		case a := <-got:
			return a
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: no reload reported", what)
		}
		return applied{}
	}
	steps := []struct {
		name        string
		change      func()
		concurrency int
		check       func(error) bool
	}{
		{"valid change", func() { write("[search]\nconcurrency = 7\n") }, 7, func(err error) bool { return err == nil }},
		{"invalid change", func() { write("[samp]\nname = \"x\"\n[search]\nconcurrency = 0\n") }, 7, func(err error) bool {
			var fe *FileError
			return errors.As(err, &fe) && fe.Line == 4 && fe.Key == "search.concurrency" && fe.Path == path
		}},
		{"renamed over", func() {
			tmp := filepath.Join(dir, ".config.toml.new")
			if err := os.WriteFile(tmp, []byte("[search]\nconcurrency = 9\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(tmp, path); err != nil {
				t.Fatal(err)
			}
		}, 9, func(err error) bool { return err == nil }},
		{"removed", func() {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
		}, 9, func(err error) bool { return errors.Is(err, ErrRemoved) }},
		{"recreated", func() { write("[search]\nconcurrency = 3\n") }, 3, func(err error) bool { return err == nil }},
	}
	for _, s := range steps {
		s.change()
		a := next(s.name)
		if !s.check(a.err) || a.cfg.Search.Concurrency != s.concurrency {
			t.Errorf("%s: got concurrency %d, error %v", s.name, a.cfg.Search.Concurrency, a.err)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// Nothing left running: the goroutine count comes back.
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines after Watch returned, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}

func TestWatchMissingDir(t *testing.T) {
	err := Watch(context.Background(), filepath.Join(t.TempDir(), "nope", "config.toml"), nil, func(Config, error) {})
	if err == nil {
		t.Fatal("watching a missing directory must fail")
	}
}
