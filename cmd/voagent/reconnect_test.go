package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/agent/client"
	"github.com/voagent/voagent/internal/syncbuf"
	"github.com/voagent/voagent/samp/profile"
)

// `voagent reconnect` against a running agent on its own hub: it registers
// again (a new self-id); with no agent it says none runs.
func TestReconnectCmd(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	for _, k := range []string{"XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR"} {
		t.Setenv(k, filepath.Join(home, strings.ToLower(k)))
	}
	t.Setenv("TMPDIR", home)
	// The default catalogues' identifiers are resolved on loopback only
	// (a port with nothing behind it): no test touches a public service.
	t.Setenv("IVOA_REGISTRY", "http://127.0.0.1:9/tap")
	t.Setenv("SAMP_HUB", "std-lockurl:"+profile.FileURL(filepath.Join(home, "samp.lock")))
	sock := filepath.Join(home, "run", "control.sock")

	if _, _, err := runCLI(t, "reconnect", "--socket", sock, "--timeout", "2s"); err == nil {
		t.Fatal("reconnect with no agent running succeeded")
	}

	ctx, cancel := context.WithCancel(context.Background())
	var logs syncbuf.Buffer
	ran := make(chan error, 1)
	go func() { ran <- execCLI(ctx, &logs, &logs, "run", "--socket", sock) }()
	defer func() { cancel(); <-ran }()
	c := client.New(sock)
	wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
	defer wcancel()
	if err := c.Wait(wctx); err != nil {
		t.Fatalf("the agent's control socket never answered:\n%s", logs.String())
	}
	var before string
	for before == "" {
		st, err := c.Status(wctx)
		if err != nil {
			t.Fatal(err)
		}
		before = st.Hub.SelfID
		if before == "" {
			time.Sleep(20 * time.Millisecond)
		}
	}
	out, _, err := runCLI(t, "reconnect", "--socket", sock)
	if err != nil {
		t.Fatalf("reconnect: %v\n%s", err, logs.String())
	}
	if !strings.HasPrefix(out, "registered as ") || strings.Contains(out, " "+before+" ") || !strings.Contains(out, "voagent's own hub") {
		t.Errorf("reconnect printed %q (self-id before: %s)", out, before)
	}
}
