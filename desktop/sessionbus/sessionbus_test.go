package sessionbus

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/voagent/voagent/internal/dbustest"
)

// TestConnectNeverLaunches puts a dbus-launch first on PATH that leaves a
// mark and fails: with no session bus, Connect must fail without running
// it (godbus's ConnectSessionBus runs it, and the real one leaves a
// dbus-daemon behind).
func TestConnectNeverLaunches(t *testing.T) {
	if _, err := os.Stat(fmt.Sprintf("/run/user/%d/bus", os.Getuid())); err == nil {
		t.Skip("this user has a session bus at /run/user/UID/bus, which Connect rightly uses")
	}
	dir := t.TempDir()
	mark := filepath.Join(dir, "launched")
	script := "#!/bin/sh\necho run > " + mark + "\nexit 1\n"
	if err := os.WriteFile(filepath.Join(dir, "dbus-launch"), []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := Connect(ctx)
	if err == nil {
		conn.Close()
		t.Fatal("Connect found a session bus where there is none")
	}
	if !errors.Is(err, ErrNone) {
		t.Errorf("error %v is not ErrNone", err)
	}
	if _, err := os.Stat(mark); err == nil {
		t.Fatal("Connect ran dbus-launch")
	}
}

// TestConnectToRunningBus connects to a private session bus and is given a
// unique name (Hello done).
func TestConnectToRunningBus(t *testing.T) {
	dbustest.Session(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if names := conn.Names(); len(names) == 0 || names[0] == "" {
		t.Fatalf("no unique name after Connect: %v", names)
	}
}
