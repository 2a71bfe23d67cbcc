package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/internal/syncbuf"
)

// TestHubCommand runs `voagent hub --lockfile PATH` until its context is
// cancelled (as SIGINT does through main) and checks the lockfile's life.
func TestHubCommand(t *testing.T) {
	lock := filepath.Join(t.TempDir(), "samp.lock")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out syncbuf.Buffer
	done := make(chan error, 1)
	go func() { done <- execCLI(ctx, &out, &out, "hub", "--lockfile", lock) }()

	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(out.String(), "lockfile: "+lock) {
		select {
		case err := <-done:
			t.Fatalf("hub command ended early: %v\n%s", err, out.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("hub command printed no lockfile line:\n%s", out.String())
		}
	}
	st, err := os.Stat(lock)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("lockfile: %v, %v", st, err)
	}

	// A second hub on the same lockfile refuses to start.
	if _, _, err := runCLI(t, "hub", "--lockfile", lock); err == nil || !strings.Contains(err.Error(), "already running") {
		t.Errorf("second hub: %v", err)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("hub command: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("hub command did not stop when cancelled")
	}
	if _, err := os.Stat(lock); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lockfile left behind: %v", err)
	}
}

// TestHubIdleExit: `voagent hub --idle-exit D` stops by itself when no
// client registers, removes its lockfile and logs why; a bad duration is
// refused.
func TestHubIdleExit(t *testing.T) {
	for _, tc := range []struct {
		name    string
		idle    string
		wantErr string
	}{
		{"idle exit", "300ms", ""},
		{"negative", "-1s", "--idle-exit -1s: must not be negative"},
		{"not a duration", "soon", "invalid argument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lock := filepath.Join(t.TempDir(), "samp.lock")
			_, stderr, err := runCLI(t, "hub", "--lockfile", lock, "--idle-exit", tc.idle)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %v, want an error with %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(stderr, "no client for 300ms") {
				t.Errorf("the hub did not log its idle exit:\n%s", stderr)
			}
			if _, err := os.Stat(lock); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("lockfile left behind: %v", err)
			}
		})
	}
}
