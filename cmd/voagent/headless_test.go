package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/agent/api"
	"github.com/voagent/voagent/agent/client"
	"github.com/voagent/voagent/internal/samppeer"
	"github.com/voagent/voagent/internal/syncbuf"
	"github.com/voagent/voagent/samp/profile"
)

// 'voagent run' without a usable session bus runs headless: one log line
// saying so, and the agent serves SAMP (a client registering on its hub
// is seen in its status).
func TestRunHeadless(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(dir, "no-bus"))
	t.Setenv("HOME", dir)
	t.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "cache"))
	t.Setenv("TMPDIR", dir)
	t.Setenv("SAMP_HUB", "std-lockurl:"+profile.FileURL(filepath.Join(dir, "samp.lock")))
	sock := filepath.Join(dir, "control.sock")
	t.Setenv(api.SocketEnv, sock)
	cfg := filepath.Join(dir, "voagent.toml")
	if err := os.WriteFile(cfg, []byte("catalog = []\nimages = []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var logs syncbuf.Buffer
	ran := make(chan error, 1)
	go func() { ran <- execCLI(ctx, &logs, &logs, "run", "--config", cfg) }()
	c := client.New(sock)
	if err := c.Wait(ctx); err != nil {
		t.Fatalf("the agent never answered:\n%s", logs.String())
	}
	samppeer.Receiver(t, "topcat", "table.load.votable")
	for {
		st, err := c.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if hasClient(st, "topcat") && strings.Contains(logs.String(), "running headless: no D-Bus session bus") {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no topcat on the hub or no headless line: %+v\n%s", st.Hub, logs.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	if n := strings.Count(logs.String(), "running headless"); n != 1 {
		t.Errorf("%d headless lines, want 1:\n%s", n, logs.String())
	}
	cancel()
	if err := <-ran; err != nil {
		t.Errorf("run: %v", err)
	}
}

func hasClient(st api.Status, name string) bool {
	for _, c := range st.Hub.Clients {
		if c.Name == name {
			return true
		}
	}
	return false
}
