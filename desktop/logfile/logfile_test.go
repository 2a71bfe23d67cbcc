package logfile

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestUnread(t *testing.T) {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	file, err := os.Create(filepath.Join(t.TempDir(), "err.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	tests := []struct {
		name string
		w    any
		want bool
	}{
		{"/dev/null", null, true},
		{"pipe", w, false},
		{"file the user chose", file, false},
		{"buffer", &bytes.Buffer{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got bool
			switch v := tt.w.(type) {
			case *os.File:
				got = Unread(v)
			case *bytes.Buffer:
				got = Unread(v)
			}
			if got != tt.want {
				t.Errorf("Unread = %v, want %v", got, tt.want)
			}
		})
	}
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	lw, p := For(null)
	if p != Path() || filepath.Base(p) != "voagent.log" {
		t.Fatalf("For(/dev/null) path %q", p)
	}
	if _, err := lw.Write([]byte("hello\n")); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(p); err != nil || string(b) != "hello\n" {
		t.Errorf("log file: %q, %v", b, err)
	}
}
