package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/voagent/voagent/agent/client"
	"github.com/voagent/voagent/samp/connection"
	"github.com/voagent/voagent/samp/connection/conntest"
)

// threads is the number of threads of process pid (/proc/PID/status).
func threads(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "Threads:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	t.Fatalf("no Threads line in /proc/%d/status", pid)
	return 0
}

// TestAgentSurvivesFilesThatNeverEnd: the real 'voagent run' is sent 900
// table.load.votable messages naming a FIFO nobody writes, /dev/zero and a
// directory (issue 14 item 2: each pinned a thread for ever, 10,000
// crashed the process). Each is refused; the agent's threads stay few, it
// still answers pings through the hub and its control socket.
func TestAgentSurvivesFilesThatNeverEnd(t *testing.T) {
	e := conntest.NewEnv(t)
	bin := buildVoagent(t)
	env, sock, _ := agentEnv(t, e)
	ag := e.StartWith(t, conntest.StartOptions{Env: env}, bin, "run", "--no-tray", "--hub-idle-exit", "2s")
	_, lock := ourHubPID(t, e)
	c := client.New(sock)
	var self string
	conntest.Eventually(t, "the agent registered with its own hub", func() bool {
		st := agentStatus(c)
		self = st.Hub.SelfID
		return st.Hub.Connected && self != ""
	})
	fifo := filepath.Join(e.Dir, "never.vot")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	before := threads(t, ag.Pid())
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := connection.Register(ctx, lock, connection.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Unregister(context.Background())
	for i := range 300 {
		for _, path := range []string{fifo, "/dev/zero", e.Dir} {
			msg := connection.NewMessage("table.load.votable", map[string]any{
				"url": "file://" + path, "table-id": "hostile-" + strconv.Itoa(i), "name": "hostile"})
			if err := conn.Notify(ctx, self, msg); err != nil {
				t.Fatalf("notify %d (%s): %v", i, path, err)
			}
		}
	}
	// Every message handled (refused) while the agent stays responsive.
	if err := pingThrough(lock, self); err != nil {
		t.Fatalf("the agent does not answer a ping after the hostile messages: %v", err)
	}
	after := threads(t, ag.Pid())
	t.Logf("agent threads: %d before, %d after 900 hostile table.load.votable", before, after)
	if after > before+16 {
		t.Errorf("agent threads grew from %d to %d: messages pin threads", before, after)
	}
	if st := agentStatus(c); !st.Hub.Connected || len(st.Tables) != 0 {
		t.Errorf("after the hostile messages: connected %v, tables held %d", st.Hub.Connected, len(st.Tables))
	}
	ag.Stop(syscall.SIGTERM)
}
