// Package logfile is where a long-running voagent logs when it has no
// terminal (started by the desktop's autostart or systemd): a file in the
// XDG state directory, rotated by size (gopkg.in/natefinch/lumberjack.v2).
package logfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/term"
	"gopkg.in/natefinch/lumberjack.v2"
)

// Rotation limits: the log is moved aside at MaxMB megabytes, Backups old
// logs are kept (compressed) for at most MaxAgeDays.
const (
	MaxMB      = 10
	Backups    = 3
	MaxAgeDays = 28
)

// Path is the agent's log file: $XDG_STATE_HOME/voagent/<name>, else
// ~/.local/state/voagent/<name>.
func Path(name string) (string, error) {
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" || !filepath.IsAbs(dir) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("finding the log directory: %w", err)
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "voagent", name), nil
}

// Open returns a writer appending to the log at path, rotated by size. The
// directory is created (0700) and the file checked to be writable now, so a
// bad path is an error at start-up rather than lost lines later.
func Open(path string) (io.WriteCloser, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("opening the log %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the log %s: %w", path, err)
	}
	f.Close()
	return &lumberjack.Logger{Filename: path, MaxSize: MaxMB, MaxBackups: Backups, MaxAge: MaxAgeDays, Compress: true}, nil
}

// Unread reports whether what is written to w goes where nobody reads it:
// /dev/null or another device that is not a terminal, or a descriptor that
// is closed, as when a desktop session starts voagent. A terminal, a pipe
// (a parent reading the output), a socket (systemd's journal) or a file
// (a redirection) is read: false.
func Unread(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	if err != nil {
		return true
	}
	m := fi.Mode()
	return m&os.ModeCharDevice != 0 && !term.IsTerminal(int(f.Fd()))
}

// OnTerminal reports whether w is a terminal.
func OnTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
