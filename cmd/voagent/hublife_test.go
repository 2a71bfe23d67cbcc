package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/voagent/voagent/agent/api"
	"github.com/voagent/voagent/agent/client"
	"github.com/voagent/voagent/internal/peertest"
	"github.com/voagent/voagent/samp/connection"
	"github.com/voagent/voagent/samp/connection/conntest"
	"github.com/voagent/voagent/samp/hub"
	"github.com/voagent/voagent/samp/profile"
)

// buildVoagent builds the voagent binary into a temporary directory: these
// tests run the real processes (the agent and the detached hub it starts).
func buildVoagent(t *testing.T) string {
	t.Helper()
	goBin := peertest.Command(t, "go")
	bin := filepath.Join(t.TempDir(), "voagent")
	out, err := exec.Command(goBin, "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// agentEnv is a private home for a voagent process: control socket, state
// (the hub's log), cache, and a Registry nobody answers on loopback (no
// public service is touched).
func agentEnv(t *testing.T, e *conntest.Env) (env []string, sock, state string) {
	home := filepath.Join(e.Dir, "home")
	sock = filepath.Join(e.Dir, "control.sock")
	state = filepath.Join(home, "state")
	env = []string{"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"XDG_CACHE_HOME=" + filepath.Join(home, "cache"), "XDG_STATE_HOME=" + state,
		"TMPDIR=" + e.Dir, api.SocketEnv + "=" + sock, "IVOA_REGISTRY=http://127.0.0.1:9/reg"}
	return env, sock, state
}

// procStat returns the state and session id of process pid from
// /proc/PID/stat ("" and 0 when there is no such process).
func procStat(pid int) (state string, session int) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", 0
	}
	s := string(b)
	// pid (comm) state ppid pgrp session ...; comm may hold spaces.
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 4 {
		return "", 0
	}
	session, _ = strconv.Atoi(f[3])
	return f[0], session
}

// alive tells whether process pid exists and is not a zombie.
func alive(pid int) bool {
	state, _ := procStat(pid)
	return state != "" && state != "Z"
}

// ourHubPID waits for a lockfile naming voagent's hub and returns the
// hub's process id; the process is killed at the end of the test if it is
// still there.
func ourHubPID(t *testing.T, e *conntest.Env) (int, *profile.LockInfo) {
	t.Helper()
	var pid int
	var lock *profile.LockInfo
	loc, _ := e.Location()
	conntest.Eventually(t, "a lockfile of voagent's hub", func() bool {
		l, err := profile.ReadLockfile(context.Background(), loc)
		if err != nil || l.Extra["hub.impl"] != hub.Impl {
			return false
		}
		pid, _ = strconv.Atoi(l.Extra[hub.LockKeyPID])
		lock = l
		return pid > 0
	})
	t.Cleanup(func() {
		// The clients of the test left (their cleanups ran first): the
		// hub is gone, or goes after its idle period.
		for deadline := time.Now().Add(30 * time.Second); alive(pid) && time.Now().Before(deadline); {
			time.Sleep(50 * time.Millisecond)
		}
		if alive(pid) {
			t.Errorf("the hub (pid %d) is still running at the end of the test: killed", pid)
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	return pid, lock
}

// TestDetachedHubOutlivesAgent: 'voagent run' with no hub running starts
// 'voagent hub' as a process of its own session and says it is its own
// hub; when the agent is stopped (SIGTERM) while an astropy client is
// registered, the hub stays and still routes to that client; once the
// client has left, the hub exits after its idle period and removes its
// lockfile.
func TestDetachedHubOutlivesAgent(t *testing.T) {
	e := conntest.NewEnv(t)
	peertest.PythonModule(t, "astropy.samp")
	bin := buildVoagent(t)
	env, sock, state := agentEnv(t, e)
	ag := e.StartWith(t, conntest.StartOptions{Env: env}, bin, "-v", "run", "--hub-idle-exit", "2s")
	hubPID, lock := ourHubPID(t, e)
	if hubPID == ag.Pid() {
		t.Fatalf("the hub runs in the agent's process %d", hubPID)
	}
	if _, sid := procStat(hubPID); sid != hubPID {
		t.Errorf("the hub (pid %d) is in session %d, not a session of its own", hubPID, sid)
	}
	c := client.New(sock)
	conntest.Eventually(t, "the agent registered with its own hub", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		st, err := c.Status(ctx)
		return err == nil && st.Hub.Connected && st.Hub.Own && st.Hub.URL == lock.XMLRPCURL
	})
	peer := e.AstropyPeer(t, "stayer")

	ag.Stop(syscall.SIGTERM)
	if out := ag.Output(); !strings.Contains(out, "voagent stopping") || !strings.Contains(out, "terminated") {
		t.Errorf("the agent did not log its stop with the signal as reason:\n%s", out)
	}
	if !alive(hubPID) {
		t.Fatalf("the hub stopped with the agent; its log:\n%s", readFile(filepath.Join(state, "voagent", "hub.log")))
	}
	// The hub still routes to the client that stayed.
	r := e.AstropyCall(t, "call", "stayer", "samp.app.ping")
	if r["samp.status"] != "samp.ok" {
		t.Errorf("ping of the client that stayed, after the agent stopped: %v", r)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := connection.Ping(ctx, lock.XMLRPCURL, connection.Options{}); err != nil {
		t.Fatalf("hub ping after the agent stopped: %v", err)
	}

	peer.Leave()
	<-peer.Done()
	conntest.Eventually(t, "the idle hub to exit", func() bool { return !alive(hubPID) })
	if _, err := os.Stat(e.Lock); !os.IsNotExist(err) {
		t.Errorf("lockfile still there after the hub's idle exit: %v", err)
	}
	hubLog := readFile(filepath.Join(state, "voagent", "hub.log"))
	if !strings.Contains(hubLog, "no client for 2s") {
		t.Errorf("the hub's log does not give the idle exit as its reason:\n%s", hubLog)
	}
}

// TestAgentRestartsHubWhenGone: a JSAMP hub the agent was registered with
// stops; after the grace period the agent starts its own (detached) hub
// and registers with it.
func TestAgentRestartsHubWhenGone(t *testing.T) {
	e := conntest.NewEnv(t)
	conntest.RequireJSAMP(t)
	bin := buildVoagent(t)
	jsamp := e.JSAMPHub(t)
	env, sock, _ := agentEnv(t, e)
	ag := e.StartWith(t, conntest.StartOptions{Env: env}, bin, "-v", "run", "--hub-idle-exit", "2s")
	c := client.New(sock)
	status := func() api.Status { return agentStatus(c) }
	conntest.Eventually(t, "the agent registered with the JSAMP hub", func() bool {
		st := status()
		return st.Hub.Connected && !st.Hub.Own
	})
	jsamp.Stop(syscall.SIGTERM)
	hubPID, lock := ourHubPID(t, e)
	conntest.Eventually(t, "the agent registered with its own hub", func() bool {
		st := status()
		return st.Hub.Connected && st.Hub.Own && st.Hub.URL == lock.XMLRPCURL
	})
	ag.Stop(syscall.SIGTERM)
	// Nobody is left: the hub goes after its idle period.
	conntest.Eventually(t, "the idle hub to exit", func() bool { return !alive(hubPID) })
}

// agentStatus is the agent's status through its control socket (zero when
// it does not answer within 5 s).
func agentStatus(c *client.Client) api.Status {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, _ := c.Status(ctx)
	return st
}

// pingThrough registers with the hub of lock and pings client id through
// it (samp.app.ping, callAndWait): nil when it answers samp.ok.
func pingThrough(lock *profile.LockInfo, id string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := connection.Register(ctx, lock, connection.Options{})
	if err != nil {
		return err
	}
	defer conn.Unregister(context.Background())
	r, err := conn.CallAndWait(ctx, id, connection.NewMessage("samp.app.ping", nil), 30*time.Second)
	if err == nil {
		err = r.Err()
	}
	return err
}

func readFile(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

// TestAladinKeepsHubAcrossAgentRestart: Aladin on the hub voagent started;
// voagent is stopped and started again: the same hub stays, Aladin stays
// registered and its callbacks keep working (Aladin's SAMP client stops
// its callback server when its hub shuts down and never restarts it, so a
// hub going down with voagent made Aladin unreachable).
func TestAladinKeepsHubAcrossAgentRestart(t *testing.T) {
	e := conntest.NewEnv(t)
	display := e.Xvfb(t)
	bin := buildVoagent(t)
	env, sock, state := agentEnv(t, e)
	ag := e.StartWith(t, conntest.StartOptions{Env: env}, bin, "-v", "run", "--hub-idle-exit", "2s")
	hubPID, lock := ourHubPID(t, e)
	aladin := e.Aladin(t, display)
	ag.Stop(syscall.SIGTERM)
	ag = e.StartWith(t, conntest.StartOptions{Env: env}, bin, "-v", "run", "--hub-idle-exit", "2s")
	c := client.New(sock)
	conntest.Eventually(t, "the new agent registered with the same hub", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		st, err := c.Status(ctx)
		return err == nil && st.Hub.Connected && st.Hub.Own && st.Hub.URL == lock.XMLRPCURL
	})
	if !alive(hubPID) {
		t.Fatal("the hub did not survive the agent's restart")
	}
	if err := pingThrough(lock, aladin); err != nil {
		t.Fatalf("ping Aladin after the agent's restart: %v", err)
	}
	ag.Stop(syscall.SIGTERM)
	if log := readFile(filepath.Join(state, "voagent", "hub.log")); strings.Contains(log, "callback failed") {
		t.Errorf("a callback failed:\n%s", log)
	}
}

// TestTOPCATKeepsHubAcrossAgentRestart: real TOPCAT joins the hub voagent
// started; voagent exits: the hub stays with TOPCAT on it, which still
// answers through it; voagent started again joins the same hub and sees
// TOPCAT there.
func TestTOPCATKeepsHubAcrossAgentRestart(t *testing.T) {
	topcat := peertest.Command(t, "topcat")
	e := conntest.NewEnv(t)
	display := e.Xvfb(t)
	bin := buildVoagent(t)
	env, sock, _ := agentEnv(t, e)
	ag := e.StartWith(t, conntest.StartOptions{Env: env}, bin, "-v", "run", "--hub-idle-exit", "2s")
	hubPID, lock := ourHubPID(t, e)
	e.StartWith(t, conntest.StartOptions{Env: []string{"DISPLAY=" + display}, Group: true}, topcat, "-nohub")
	tid := e.WaitClient(t, "topcat")
	ag.Stop(syscall.SIGTERM)
	if !alive(hubPID) {
		t.Fatal("the hub stopped with the agent while TOPCAT was on it")
	}
	if err := pingThrough(lock, tid); err != nil {
		t.Fatalf("ping TOPCAT after the agent left: %v", err)
	}
	ag = e.StartWith(t, conntest.StartOptions{Env: env}, bin, "-v", "run", "--hub-idle-exit", "2s")
	c := client.New(sock)
	conntest.Eventually(t, "the new agent on the same hub, seeing TOPCAT", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		st, err := c.Status(ctx)
		if err != nil || !st.Hub.Connected || !st.Hub.Own || st.Hub.URL != lock.XMLRPCURL {
			return false
		}
		for _, cl := range st.Hub.Clients {
			if cl.ID == tid && cl.Name == "topcat" {
				return true
			}
		}
		return false
	})
	ag.Stop(syscall.SIGTERM)
}

// TestTOPCATQuitsWithItsHub: voagent on the hub of TOPCAT (TOPCAT's own,
// in its process); TOPCAT quits and its hub with it: voagent starts its own
// hub after the grace period, where a tool started next finds it.
func TestTOPCATQuitsWithItsHub(t *testing.T) {
	topcat := peertest.Command(t, "topcat")
	peertest.PythonModule(t, "astropy.samp")
	e := conntest.NewEnv(t)
	display := e.Xvfb(t)
	bin := buildVoagent(t)
	tc := e.StartWith(t, conntest.StartOptions{Env: []string{"DISPLAY=" + display}, Group: true}, topcat, "-hub")
	loc, _ := e.Location()
	var topcatHub string
	conntest.Eventually(t, "TOPCAT's hub", func() bool {
		l, err := profile.ReadLockfile(context.Background(), loc)
		if err == nil && l.Extra["hub.impl"] != hub.Impl {
			topcatHub = l.XMLRPCURL
		}
		return topcatHub != ""
	})
	env, sock, _ := agentEnv(t, e)
	ag := e.StartWith(t, conntest.StartOptions{Env: env}, bin, "-v", "run", "--hub-idle-exit", "2s")
	c := client.New(sock)
	status := func() api.Status { return agentStatus(c) }
	conntest.Eventually(t, "the agent on TOPCAT's hub", func() bool {
		st := status()
		return st.Hub.Connected && !st.Hub.Own && st.Hub.URL == topcatHub
	})
	tc.Stop(syscall.SIGTERM)
	hubPID, lock := ourHubPID(t, e)
	conntest.Eventually(t, "the agent on its own hub", func() bool {
		st := status()
		return st.Hub.Connected && st.Hub.Own && st.Hub.URL == lock.XMLRPCURL
	})
	peer := e.AstropyPeer(t, "next-tool") // a tool started now finds our hub
	if r := e.AstropyCall(t, "call", "next-tool", "samp.app.ping"); r["samp.status"] != "samp.ok" {
		t.Errorf("a tool on our hub: %v", r)
	}
	peer.Leave()
	<-peer.Done()
	ag.Stop(syscall.SIGTERM)
	conntest.Eventually(t, "the idle hub to exit", func() bool { return !alive(hubPID) })
}
