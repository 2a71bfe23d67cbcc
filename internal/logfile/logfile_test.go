package logfile

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPath(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	tests := []struct{ state, want string }{
		{"/s/state", "/s/state/voagent/voagent.log"},
		{"", filepath.Join(home, ".local", "state", "voagent", "voagent.log")},
		{"relative/ignored", filepath.Join(home, ".local", "state", "voagent", "voagent.log")},
	}
	for _, tt := range tests {
		t.Setenv("XDG_STATE_HOME", tt.state)
		got, err := Path("voagent.log")
		if err != nil || got != tt.want {
			t.Errorf("XDG_STATE_HOME=%q: Path = %s, %v; want %s", tt.state, got, err, tt.want)
		}
	}
}

func TestOpenWritesAndRotates(t *testing.T) {
	p := filepath.Join(t.TempDir(), "state", "voagent", "voagent.log")
	w, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	line := []byte("msg=hello\n")
	if _, err := w.Write(line); err != nil {
		t.Fatal(err)
	}
	// One write bigger than what is left moves the log aside.
	big := bytes.Repeat([]byte("x"), MaxMB<<20-len(line)/2)
	if _, err := w.Write(append(big, '\n')); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(filepath.Dir(p))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if len(names) < 2 {
		t.Fatalf("after going past %d MB the log directory holds %v, want the log and a rotated one", MaxMB, names)
	}
	b, _ := os.ReadFile(p)
	if bytes.Contains(b, line) {
		t.Errorf("the current log still holds the first line after rotation")
	}
	if fi, err := os.Stat(filepath.Dir(p)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("log directory mode %v (%v), want 0700", fi.Mode().Perm(), err)
	}
}

func TestOpenBadPath(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o600)
	_, err := Open(filepath.Join(file, "voagent.log"))
	if err == nil || !strings.Contains(err.Error(), file) {
		t.Fatalf("Open under a regular file: %v, want an error naming the path", err)
	}
}

func TestUnread(t *testing.T) {
	null, _ := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	defer null.Close()
	closed, _ := os.Create(filepath.Join(t.TempDir(), "closed"))
	closed.Close()
	file, _ := os.Create(filepath.Join(t.TempDir(), "file"))
	defer file.Close()
	r, w, _ := os.Pipe()
	defer r.Close()
	defer w.Close()
	tests := []struct {
		name string
		w    io.Writer
		want bool
	}{
		{"/dev/null", null, true},
		{"closed", closed, true},
		{"regular file", file, false},
		{"pipe", w, false},
		{"buffer", &bytes.Buffer{}, false},
	}
	for _, tt := range tests {
		if got := Unread(tt.w); got != tt.want {
			t.Errorf("Unread(%s) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestOnTerminal(t *testing.T) {
	if OnTerminal(&bytes.Buffer{}) {
		t.Error("a buffer is not a terminal")
	}
	f, _ := os.Open(os.DevNull)
	defer f.Close()
	if OnTerminal(f) {
		t.Error("/dev/null is not a terminal")
	}
}
