package main

import (
	"bytes"
	"context"
	"net"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/voagent/voagent/internal/peertest"
	"github.com/voagent/voagent/samp/connection"
	"github.com/voagent/voagent/samp/connection/conntest"
	"github.com/voagent/voagent/samp/profile"
	"github.com/voagent/voagent/samp/xmlrpc"
)

// TestHubSurvivesFDExhaustion runs `voagent hub` with 256 file descriptors
// (prlimit) and opens 400 idle connections to it: clients must still be
// able to register while they are open (the hub closes the oldest idle
// connections beyond its cap instead of running out of descriptors) and
// after they are closed (accept errors are retried, never fatal).
func TestHubSurvivesFDExhaustion(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	prlimit := peertest.Command(t, "prlimit")
	bin := buildVoagent(t)
	dir := t.TempDir()
	lock := filepath.Join(dir, "samp.lock")
	var out bytes.Buffer
	cmd := exec.Command(prlimit, "--nofile=256", bin, "hub", "--lockfile", lock)
	cmd.Env = append(cmd.Environ(), "HOME="+dir)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("hub output:\n%s", out.String())
		}
	})
	loc := profile.Location{URL: profile.FileURL(lock), Path: lock}
	var info *profile.LockInfo
	conntest.Eventually(t, "the hub's lockfile", func() bool {
		var err error
		info, err = profile.ReadLockfile(context.Background(), loc)
		return err == nil
	})
	addr := info.XMLRPCURL[len("http://"):]
	addr = addr[:len(addr)-len("/xmlrpc")]
	register := func(when string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		// A transport of its own: new connections, not a kept-alive one.
		tr := xmlrpc.NewTransport()
		defer tr.CloseIdleConnections()
		c, err := connection.Register(ctx, info, connection.Options{Transport: tr})
		if err != nil {
			t.Fatalf("registering %s: %v", when, err)
		}
		if err := c.Unregister(ctx); err != nil {
			t.Fatalf("unregistering %s: %v", when, err)
		}
	}
	register("before the flood")
	var conns []net.Conn
	for range 400 {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Logf("dial: %v", err)
			continue
		}
		conns = append(conns, c)
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	register("with 400 idle connections open")
	for _, c := range conns {
		c.Close()
	}
	conns = nil
	register("after the idle connections closed")
	select {
	case err := <-exited:
		t.Fatalf("the hub exited: %v", err)
	default:
	}
}
