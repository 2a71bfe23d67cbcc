package agent

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/voagent/voagent/samp/connection"
	"github.com/voagent/voagent/samp/hub"
	"github.com/voagent/voagent/samp/profile"
)

// hubLogMax is the size past which a detached hub's log is moved to .1 when
// a new hub starts.
const hubLogMax = 4 << 20

// hubStartWait bounds the wait for a detached hub's lockfile.
const hubStartWait = 20 * time.Second

// HubLogPath is where a detached hub logs: $XDG_STATE_HOME/voagent/hub.log,
// else ~/.local/state/voagent/hub.log.
func HubLogPath() string {
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return filepath.Join(os.TempDir(), fmt.Sprintf("voagent-%d", os.Getuid()), "hub.log")
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "voagent", "hub.log")
}

// openHubLog opens the detached hub's log for appending, moving a large one
// aside first.
func (a *Agent) openHubLog() (*os.File, string, error) {
	path := a.hubLogPath
	if path == "" {
		path = HubLogPath()
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, path, fmt.Errorf("creating the hub's log directory: %w", err)
	}
	if st, err := os.Stat(path); err == nil && st.Size() > hubLogMax {
		os.Rename(path, path+".1")
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, path, fmt.Errorf("opening the hub's log: %w", err)
	}
	return f, path, nil
}

// startDetachedHub runs "voagent hub" as a process of its own session
// (it gets no signal meant for the agent and outlives it), with stdin and
// stdout on /dev/null and stderr (its log) in the hub log, waits until its
// lockfile names a hub that answers, and returns a stop function that
// leaves the hub running: it exits by itself once idle.
func (a *Agent) startDetachedHub(ctx context.Context, loc profile.Location) (func(context.Context) error, error) {
	if loc.Path == "" {
		return nil, fmt.Errorf("starting a SAMP hub: the lockfile %s is not a local file", loc.URL)
	}
	logf, logPath, err := a.openHubLog()
	if err != nil {
		return nil, err
	}
	defer logf.Close() // the child has its own descriptor
	cmd := exec.Command(a.hubExe, "hub", "--lockfile", loc.Path, "--idle-exit", a.hubIdleExit.String())
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting a SAMP hub process (%s hub): %w", a.hubExe, err)
	}
	pid := cmd.Process.Pid
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }() // reaps it if it exits while we run

	wctx, cancel := context.WithTimeout(ctx, hubStartWait)
	defer cancel()
	for {
		if url, ok := a.ourHubUp(wctx, loc, pid); ok {
			a.log.Info("no SAMP hub was running: started our own as a separate process (it stays while clients use it)",
				"pid", pid, "lockfile", loc.Path, "url", url, "idle_exit", a.hubIdleExit, "log", logPath)
			return func(context.Context) error {
				a.log.Info("leaving our SAMP hub running for the other clients", "pid", pid, "idle_exit", a.hubIdleExit)
				return nil
			}, nil
		}
		select {
		case err := <-exited:
			// Most likely another hub took the lockfile first.
			return nil, fmt.Errorf("the SAMP hub process (pid %d) exited at start (%v): see %s", pid, err, logPath)
		case <-wctx.Done():
			cmd.Process.Kill()
			<-exited
			if ctx.Err() != nil {
				return nil, fmt.Errorf("starting a SAMP hub: %w", ctx.Err())
			}
			return nil, fmt.Errorf("the SAMP hub process (pid %d) wrote no lockfile in %s: see %s", pid, hubStartWait, logPath)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// ourHubUp tells whether the lockfile names the hub in process pid and it
// answers.
func (a *Agent) ourHubUp(ctx context.Context, loc profile.Location, pid int) (string, bool) {
	lock, err := profile.ReadLockfile(ctx, loc)
	if err != nil || lock.Extra["hub.impl"] != hub.Impl || lock.Extra[hub.LockKeyPID] != strconv.Itoa(pid) {
		if err != nil && !errors.Is(err, profile.ErrNoLockfile) {
			a.log.Debug("reading the new hub's lockfile", "err", err)
		}
		return "", false
	}
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if connection.Ping(pctx, lock.XMLRPCURL, connection.Options{}) != nil {
		return "", false
	}
	return lock.XMLRPCURL, true
}
