package api

import (
	"os"
	"path/filepath"
	"strconv"
)

// SocketEnv names the environment variable that overrides where the
// control socket is (tests, several agents side by side).
const SocketEnv = "VOAGENT_CONTROL_SOCKET"

// DefaultSocketPath is where the agent's control socket is:
// $VOAGENT_CONTROL_SOCKET, else $XDG_RUNTIME_DIR/voagent/control.sock, else
// voagent/control.sock under the user's cache directory.
func DefaultSocketPath() string {
	if p := os.Getenv(SocketEnv); p != "" {
		return p
	}
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "voagent", "control.sock")
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "voagent", "control.sock")
	}
	return filepath.Join(os.TempDir(), "voagent-"+strconv.Itoa(os.Getuid()), "control.sock")
}
