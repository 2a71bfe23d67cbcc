// Package sessionbus connects to the user's D-Bus session bus when one is
// running, and never starts one.
//
// godbus's ConnectSessionBus runs dbus-launch when it finds no bus, and
// the daemon that starts outlives the process: an agent started on a
// machine without a desktop session (a server, CI, ssh) would leave one
// dbus-daemon behind at every start, and its tray and notifications would
// talk to a bus nobody else is on.
package sessionbus

import (
	"context"
	"errors"
	"fmt"

	"github.com/godbus/dbus/v5"
)

// ErrNone is matched (errors.Is) by Connect's error when there is no
// session bus to connect to: DBUS_SESSION_BUS_ADDRESS is unset and there is
// no /run/user/UID/bus, or the bus there does not answer.
var ErrNone = errors.New("no D-Bus session bus to connect to")

// Connect connects to the session bus named by DBUS_SESSION_BUS_ADDRESS
// or, when that is unset, the one at /run/user/UID/bus; it authenticates
// and registers (Hello) as godbus's ConnectSessionBus does. The caller
// closes the connection.
func Connect(ctx context.Context) (*dbus.Conn, error) {
	conn, err := dbus.SessionBusPrivateNoAutoStartup(dbus.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNone, err)
	}
	if err := conn.Auth(nil); err != nil {
		conn.Close()
		return nil, fmt.Errorf("authenticating on the session bus: %w", err)
	}
	if err := conn.Hello(); err != nil {
		conn.Close()
		return nil, fmt.Errorf("registering on the session bus: %w", err)
	}
	return conn, nil
}
