package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/voagent/voagent/samp/hub"
	"github.com/voagent/voagent/samp/profile"
)

// TestHubStartRace starts 20 real `voagent hub` processes at once on one
// lockfile, several times, on no lockfile and on a stale one: exactly one
// hub runs each time, the one the lockfile names, and every other exits
// saying a hub is already running.
func TestHubStartRace(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 100 processes")
	}
	bin := buildVoagent(t)
	const n = 20
	for round := range 5 {
		dir := t.TempDir()
		lock := filepath.Join(dir, "samp.lock")
		if round%2 == 1 {
			// A stale lockfile: its hub's port does not answer.
			stale := &profile.LockInfo{Secret: "stale", XMLRPCURL: "http://127.0.0.1:9/xmlrpc"}
			if err := profile.WriteLockfile(lock, stale); err != nil {
				t.Fatal(err)
			}
		}
		env := append(os.Environ(), "HOME="+dir, "XDG_STATE_HOME="+filepath.Join(dir, "state"))
		type proc struct {
			cmd  *exec.Cmd
			out  *bytes.Buffer
			done chan error
		}
		procs := make([]*proc, n)
		for i := range procs {
			p := &proc{cmd: exec.Command(bin, "hub", "--lockfile", lock), out: new(bytes.Buffer), done: make(chan error, 1)}
			p.cmd.Env = env
			p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
			procs[i] = p
		}
		for _, p := range procs {
			if err := p.cmd.Start(); err != nil {
				t.Fatal(err)
			}
			go func() { p.done <- p.cmd.Wait() }()
		}
		// The losers exit; the winner runs until it is interrupted.
		var running []*proc
		limit := time.After(20 * time.Second)
		exited := 0
		pending := append([]*proc(nil), procs...)
		for exited < n-1 && len(pending) > 0 {
			select {
			case <-limit:
				running = pending
				pending = nil
				continue
			case <-time.After(50 * time.Millisecond):
			}
			var still []*proc
			for _, p := range pending {
				select {
				case err := <-p.done:
					exited++
					if err == nil || !bytes.Contains(p.out.Bytes(), []byte("already running")) {
						t.Errorf("round %d: a losing hub exited with %v:\n%s", round, err, p.out)
					}
				default:
					still = append(still, p)
				}
			}
			pending = still
		}
		if running == nil {
			running = pending
		}
		if len(running) != 1 {
			t.Errorf("round %d: %d hubs running after %d exited, want exactly 1", round, len(running), exited)
		}
		info := readLock(t, lock)
		for _, p := range running {
			if strconv.Itoa(p.cmd.Process.Pid) != info.Extra[hub.LockKeyPID] && len(running) == 1 {
				t.Errorf("round %d: the lockfile names pid %s, the running hub is %d", round, info.Extra[hub.LockKeyPID], p.cmd.Process.Pid)
			}
			p.cmd.Process.Signal(syscall.SIGINT)
			<-p.done
		}
		if _, err := os.Stat(lock); !os.IsNotExist(err) {
			t.Errorf("round %d: lockfile left behind: %v", round, err)
		}
	}
}

func readLock(t *testing.T, path string) *profile.LockInfo {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	info, err := profile.ParseLockfile(f)
	if err != nil {
		t.Fatal(err)
	}
	return info
}
