package hub

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/voagent/voagent/internal/peertest"
	"github.com/voagent/voagent/samp/profile"
)

const jsampJar = "/usr/share/java/jsamp.jar"

// hubEnv returns the environment for a peer using h through its private
// lockfile.
func hubEnv(h *Hub) []string {
	return append(os.Environ(), profile.EnvHub+"="+profile.StdLockURLPrefix+profile.FileURL(h.Lockfile()))
}

// runPeer runs a peer command to completion within limit, in its own
// process group (killed as a whole on timeout), and returns its output.
func runPeer(t *testing.T, limit time.Duration, env []string, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s %s did not finish within %s:\n%s", name, strings.Join(args, " "), limit, out.String())
	}
	return out.String(), err
}

// startPeer starts a long-running peer in its own process group, stopped
// (the whole group) when the test ends. The returned channel is closed when
// the peer exits.
func startPeer(t *testing.T, env []string, extra []*os.File, name string, args ...string) (*exec.Cmd, <-chan struct{}) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = env
	cmd.ExtraFiles = extra
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	log := filepath.Join(t.TempDir(), filepath.Base(name)+".log")
	f, err := os.Create(log)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		f.Close()
		t.Fatalf("starting %s: %v", name, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); f.Close(); close(exited) }()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		if t.Failed() {
			data, _ := os.ReadFile(log)
			t.Logf("%s output:\n%s", name, data)
		}
	})
	return cmd, exited
}

func java(t *testing.T) (string, string) {
	t.Helper()
	return peertest.Command(t, "java"), peertest.File(t, "jsamp", jsampJar)
}

// TestJSAMPHubTester runs JSAMP's hub conformance tester against the hub.
func TestJSAMPHubTester(t *testing.T) {
	if testing.Short() {
		t.Skip("hubtester takes 10-20 s")
	}
	j, jar := java(t)
	h := startHub(t, Options{Logger: quietLogger(t)})
	out, err := runPeer(t, 5*time.Minute, hubEnv(h), j, "-classpath", jar, "org.astrogrid.samp.JSamp", "hubtester")
	if err != nil || strings.Contains(out, "Exception") || strings.Contains(out, "Error") {
		t.Fatalf("jsamp hubtester failed (%v):\n%s", err, out)
	}
	if out != "" {
		t.Logf("hubtester output (warnings):\n%s", out)
	}
}

// TestJSAMPCalcStorm has JSAMP clients send arithmetic queries to each other
// through the hub in the three delivery modes; calcstorm checks every answer.
func TestJSAMPCalcStorm(t *testing.T) {
	j, jar := java(t)
	h := startHub(t, Options{Logger: quietLogger(t)})
	for _, mode := range []string{"sync", "async", "notify"} {
		t.Run(mode, func(t *testing.T) {
			out, err := runPeer(t, 3*time.Minute, hubEnv(h), j, "-classpath", jar, "org.astrogrid.samp.JSamp",
				"calcstorm", "-nclient", "5", "-nquery", "40", "-mode", mode)
			if err != nil || !strings.Contains(out, "Elapsed time") || strings.Contains(out, "Exception") {
				t.Fatalf("calcstorm -mode %s failed (%v):\n%s", mode, err, out)
			}
			t.Log(strings.TrimSpace(out))
		})
	}
}

// astropyScript registers two astropy clients through the hub: B declares
// metadata and answers test.echo calls (and subscribes to table.*), A looks
// B up, calls it synchronously and asynchronously, and prints what it saw.
const astropyScript = `
import json, sys, threading, time
from astropy.samp import SAMPIntegratedClient
out = {}
a = SAMPIntegratedClient(name="astro-a", description="astropy sender")
b = SAMPIntegratedClient(name="astro-b", description="astropy echo", metadata={"x.kind": "echo"})
a.connect(); b.connect()
def echo(private_key, sender_id, msg_id, mtype, params, extra):
    b.reply(msg_id, {"samp.status": "samp.ok", "samp.result": {"echo": params, "from": sender_id}})
b.bind_receive_call("test.echo", echo)
got = threading.Event()
def table(private_key, sender_id, mtype, params, extra):
    out["table"] = {"mtype": mtype, "params": params}
    got.set()
b.bind_receive_notification("table.*", table)
responses = {}
def response(private_key, sender_id, msg_tag, response):
    responses[msg_tag] = response
a.bind_receive_response("tag1", response)
bid = b.get_public_id()
out["a_id"] = a.get_public_id()
out["b_id"] = bid
out["registered"] = a.get_registered_clients()
out["b_meta"] = a.get_metadata(bid)
out["subscribed_table"] = sorted(a.get_subscribed_clients("table.load.votable").keys())
out["sync"] = a.call_and_wait(bid, {"samp.mtype": "test.echo", "samp.params": {"s": "a<b&c>", "l": ["1", {"k": "v"}]}}, "20")
out["msg_id"] = a.call(bid, "tag1", {"samp.mtype": "test.echo", "samp.params": {"n": "2"}})
a.notify(bid, {"samp.mtype": "table.load.votable", "samp.params": {"url": "file:///x.vot"}})
got.wait(20)
for i in range(200):
    if "tag1" in responses: break
    time.sleep(0.1)
out["async"] = responses.get("tag1")
a.disconnect(); b.disconnect()
print(json.dumps(out))
`

// TestAstropyClients has astropy.samp clients register, declare metadata and
// subscriptions and exchange calls through the hub.
func TestAstropyClients(t *testing.T) {
	py := peertest.PythonModule(t, "astropy.samp")
	h := startHub(t, Options{Logger: quietLogger(t)})
	out, err := runPeer(t, 2*time.Minute, hubEnv(h), py, "-c", astropyScript)
	if err != nil {
		t.Fatalf("astropy script failed (%v):\n%s", err, out)
	}
	var got struct {
		A               string         `json:"a_id"`
		B               string         `json:"b_id"`
		Registered      []string       `json:"registered"`
		BMeta           map[string]any `json:"b_meta"`
		SubscribedTable []string       `json:"subscribed_table"`
		Sync            map[string]any `json:"sync"`
		MsgID           string         `json:"msg_id"`
		Async           map[string]any `json:"async"`
		Table           map[string]any `json:"table"`
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &got); err != nil {
		t.Fatalf("astropy output: %v\n%s", err, out)
	}
	if !contains(got.Registered, ID) || !contains(got.Registered, got.B) || contains(got.Registered, got.A) {
		t.Errorf("registered clients seen by A: %v (A=%s B=%s)", got.Registered, got.A, got.B)
	}
	if got.BMeta["samp.name"] != "astro-b" || got.BMeta["x.kind"] != "echo" {
		t.Errorf("B's metadata: %v", got.BMeta)
	}
	if strings.Join(got.SubscribedTable, ",") != got.B {
		t.Errorf("clients subscribed to table.load.votable: %v, want [%s] (through table.*)", got.SubscribedTable, got.B)
	}
	wantEcho := map[string]any{"s": "a<b&c>", "l": []any{"1", map[string]any{"k": "v"}}}
	if res, _ := got.Sync["samp.result"].(map[string]any); got.Sync["samp.status"] != "samp.ok" || !jsonEqual(res["echo"], wantEcho) || res["from"] != got.A {
		t.Errorf("callAndWait response: %v", got.Sync)
	}
	if res, _ := got.Async["samp.result"].(map[string]any); got.Async["samp.status"] != "samp.ok" || !jsonEqual(res["echo"], map[string]any{"n": "2"}) {
		t.Errorf("async call response: %v (msg-id %s)", got.Async, got.MsgID)
	}
	if got.Table["mtype"] != "table.load.votable" {
		t.Errorf("notification through table.*: %v", got.Table)
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// TestTOPCATRegisters starts TOPCAT on a private Xvfb display and checks that
// it registers with the hub and answers samp.app.ping through it.
func TestTOPCATRegisters(t *testing.T) {
	if testing.Short() {
		t.Skip("TOPCAT takes several seconds to start")
	}
	xvfb := peertest.Command(t, "Xvfb")
	topcat := peertest.Command(t, "topcat")
	h := startHub(t, Options{Logger: quietLogger(t)})

	// Xvfb picks a free display and writes its number to fd 3 once ready.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	_, xexited := startPeer(t, nil, []*os.File{w}, xvfb, "-displayfd", "3", "-screen", "0", "1024x768x24", "-nolisten", "tcp")
	w.Close()
	// Keep the pipe open while Xvfb runs: it fails when it cannot write.
	t.Cleanup(func() { r.Close() })
	display := make(chan string, 1)
	go func() {
		buf := make([]byte, 16)
		n, _ := r.Read(buf)
		display <- strings.TrimSpace(string(buf[:n]))
		io.Copy(io.Discard, r)
	}()
	var disp string
	select {
	case disp = <-display:
	case <-xexited:
	case <-time.After(wait):
	}
	if _, err := strconv.Atoi(disp); err != nil {
		t.Fatalf("no display number from Xvfb -displayfd (got %q)", disp)
	}
	t.Logf("Xvfb display :%s", disp)

	env := append(hubEnv(h), "DISPLAY=:"+disp, "HOME="+t.TempDir())
	_, exited := startPeer(t, env, nil, topcat, "-nohub")

	probe := newFakeClient(t, h, false)
	id := waitForClient(t, probe, "topcat", "samp.app.ping", exited, 3*time.Minute)
	meta := probe.call("samp.hub.getMetadata", probe.key, id).(map[string]any)
	t.Logf("TOPCAT registered as %s: %v", id, meta)
	subs := probe.call("samp.hub.getSubscriptions", probe.key, id).(map[string]any)
	if _, ok := subs["table.load.votable"]; !ok {
		t.Errorf("TOPCAT subscriptions lack table.load.votable: %v", subs)
	}
	resp := probe.call("samp.hub.callAndWait", probe.key, id, msg("samp.app.ping", nil), "60").(map[string]any)
	if resp["samp.status"] != "samp.ok" {
		t.Errorf("TOPCAT's answer to samp.app.ping: %v", resp)
	}
}

// waitForClient polls the hub until a client whose samp.name is name
// (case-insensitive) is registered and subscribed to mtype, and returns its
// id.
func waitForClient(t *testing.T, c *fakeClient, name, mtype string, exited <-chan struct{}, limit time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		for _, id := range toStrings(c.call("samp.hub.getRegisteredClients", c.key).([]any)) {
			v, err := c.try("samp.hub.getMetadata", c.key, id)
			if m, ok := v.(map[string]any); err == nil && ok {
				if n, _ := m["samp.name"].(string); strings.EqualFold(n, name) {
					subs, err := c.try("samp.hub.getSubscriptions", c.key, id)
					if s, ok := subs.(map[string]any); err == nil && ok && s[mtype] != nil {
						return id
					}
				}
			}
		}
		select {
		case <-exited:
			t.Fatalf("%s exited before registering", name)
		case <-time.After(200 * time.Millisecond):
		}
	}
	t.Fatalf("no client named %s subscribed to %s within %s", name, mtype, limit)
	return ""
}
