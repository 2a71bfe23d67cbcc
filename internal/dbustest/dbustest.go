// Package dbustest runs a private D-Bus session bus for a test and offers
// the desktop services a tray and a notifier talk to: a notification
// server (org.freedesktop.Notifications) that records what it is shown,
// and a StatusNotifierWatcher (org.kde.StatusNotifierWatcher) that records
// the items registering with it.
package dbustest

import (
	"bufio"
	"context"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/voagent/voagent/internal/peertest"
)

// Session starts a private session bus (dbus-daemon, as dbus-run-session
// does), sets DBUS_SESSION_BUS_ADDRESS for the test and returns the
// address. It skips when dbus-daemon is missing (fails under
// VOAGENT_REQUIRE_PEERS=1).
func Session(t testing.TB) string {
	t.Helper()
	bin := peertest.Command(t, "dbus-daemon")
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "--session", "--nofork", "--print-address=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting dbus-daemon: %v", err)
	}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("reading dbus-daemon's address: %v", err)
	}
	addr := strings.TrimSpace(line)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	return addr
}

// Notification is one notification a Notifications server was shown.
type Notification struct {
	App, Summary, Body string
}

// Notifications is a notification server recording what it is shown.
type Notifications struct {
	mu   sync.Mutex
	got  []Notification
	next uint32
}

// Notify implements org.freedesktop.Notifications.Notify.
func (n *Notifications) Notify(app string, replaces uint32, icon, summary, body string, actions []string, hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.got = append(n.got, Notification{App: app, Summary: summary, Body: body})
	n.next++
	return n.next, nil
}

// GetCapabilities implements org.freedesktop.Notifications.GetCapabilities.
func (n *Notifications) GetCapabilities() ([]string, *dbus.Error) { return []string{"body"}, nil }

// GetServerInformation implements org.freedesktop.Notifications.GetServerInformation.
func (n *Notifications) GetServerInformation() (string, string, string, string, *dbus.Error) {
	return "dbustest", "voagent", "1", "1.2", nil
}

// CloseNotification implements org.freedesktop.Notifications.CloseNotification.
func (n *Notifications) CloseNotification(id uint32) *dbus.Error { return nil }

// Got returns the notifications shown so far.
func (n *Notifications) Got() []Notification {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]Notification(nil), n.got...)
}

// ServeNotifications owns org.freedesktop.Notifications on the session bus
// (Session first) and records the notifications shown.
func ServeNotifications(t testing.TB) *Notifications {
	t.Helper()
	conn := connect(t)
	n := &Notifications{}
	if err := conn.Export(n, "/org/freedesktop/Notifications", "org.freedesktop.Notifications"); err != nil {
		t.Fatal(err)
	}
	own(t, conn, "org.freedesktop.Notifications")
	return n
}

// Watcher is a StatusNotifierWatcher recording the items registered.
type Watcher struct {
	conn  *dbus.Conn
	mu    sync.Mutex
	items []string
}

// RegisterStatusNotifierItem implements the watcher's method: service is a
// bus name or an object path on the sender's connection.
func (w *Watcher) RegisterStatusNotifierItem(sender dbus.Sender, service string) *dbus.Error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if strings.HasPrefix(service, "/") {
		service = string(sender) + service
	}
	w.items = append(w.items, service)
	return nil
}

// RegisterStatusNotifierHost implements the watcher's method.
func (w *Watcher) RegisterStatusNotifierHost(service string) *dbus.Error { return nil }

// Items returns the items registered so far ("busname/path" or "busname").
func (w *Watcher) Items() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.items...)
}

// WaitItem waits for the first item to register and returns it.
func (w *Watcher) WaitItem(t testing.TB, within time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if it := w.Items(); len(it) > 0 {
			return it[0]
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no StatusNotifierItem registered within %s", within)
	return ""
}

// ServeWatcher owns org.kde.StatusNotifierWatcher on the session bus
// (Session first), with IsStatusNotifierHostRegistered true.
func ServeWatcher(t testing.TB) *Watcher {
	t.Helper()
	conn := connect(t)
	w := &Watcher{conn: conn}
	const path, iface = "/StatusNotifierWatcher", "org.kde.StatusNotifierWatcher"
	if err := conn.Export(w, path, iface); err != nil {
		t.Fatal(err)
	}
	props := map[string]dbus.Variant{
		"IsStatusNotifierHostRegistered": dbus.MakeVariant(true),
		"ProtocolVersion":                dbus.MakeVariant(int32(0)),
		"RegisteredStatusNotifierItems":  dbus.MakeVariant([]string{}),
	}
	if err := conn.Export(propsOf{iface: iface, props: props}, path, "org.freedesktop.DBus.Properties"); err != nil {
		t.Fatal(err)
	}
	own(t, conn, iface)
	return w
}

// propsOf answers org.freedesktop.DBus.Properties with fixed values.
type propsOf struct {
	iface string
	props map[string]dbus.Variant
}

func (p propsOf) Get(iface, name string) (dbus.Variant, *dbus.Error) {
	v, ok := p.props[name]
	if !ok {
		return dbus.Variant{}, dbus.MakeFailedError(errUnknown(name))
	}
	return v, nil
}

func (p propsOf) GetAll(iface string) (map[string]dbus.Variant, *dbus.Error) {
	return p.props, nil
}

func (p propsOf) Set(iface, name string, v dbus.Variant) *dbus.Error { return nil }

type errUnknown string

func (e errUnknown) Error() string { return "unknown property " + string(e) }

func connect(t testing.TB) *dbus.Conn {
	t.Helper()
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatalf("connecting to the test session bus: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func own(t testing.TB, conn *dbus.Conn, name string) {
	t.Helper()
	r, err := conn.RequestName(name, dbus.NameFlagDoNotQueue)
	if err != nil || r != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("owning %s on the test bus: reply %v, %v", name, r, err)
	}
}
