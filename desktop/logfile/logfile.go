// Package logfile sends the agent's log to $XDG_STATE_HOME/voagent/voagent.log
// (rotated by lumberjack) when its stderr goes nowhere anyone reads: not a
// terminal, a pipe, a socket (the systemd journal) or a file the user
// chose, as when a session manager starts voagent from its autostart entry
// with stderr on /dev/null.
package logfile

import (
	"io"
	"os"
	"path/filepath"

	"golang.org/x/term"
	"gopkg.in/natefinch/lumberjack.v2"
)

// Path is $XDG_STATE_HOME/voagent/voagent.log (~/.local/state when unset).
func Path() string {
	d := os.Getenv("XDG_STATE_HOME")
	if !filepath.IsAbs(d) {
		home, err := os.UserHomeDir()
		if err != nil {
			home = os.TempDir()
		}
		d = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(d, "voagent", "voagent.log")
}

// Unread reports whether stderr goes nowhere anyone reads (see the
// package comment).
func Unread(stderr io.Writer) bool {
	f, ok := stderr.(*os.File)
	if !ok {
		return false
	}
	if term.IsTerminal(int(f.Fd())) {
		return false
	}
	fi, err := f.Stat()
	if err != nil {
		return true // closed or invalid
	}
	m := fi.Mode()
	return m&(os.ModeNamedPipe|os.ModeSocket) == 0 && !m.IsRegular()
}

// For returns the writer the log should go to: stderr, or the rotated log
// file (10 MB, 3 old files kept for 30 days) when Unread(stderr).
func For(stderr io.Writer) (w io.Writer, path string) {
	if !Unread(stderr) {
		return stderr, ""
	}
	p := Path()
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return stderr, ""
	}
	return &lumberjack.Logger{Filename: p, MaxSize: 10, MaxBackups: 3, MaxAge: 30}, p
}
