package main

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLogLevel(t *testing.T) {
	root := newRootCmd()
	for _, c := range []struct {
		args    []string
		verbose bool
		want    slog.Level
	}{
		{[]string{"cone"}, false, slog.LevelWarn},
		{[]string{"votable", "info"}, false, slog.LevelWarn},
		{[]string{"vicinity"}, false, slog.LevelWarn},
		{[]string{"cone"}, true, slog.LevelDebug},
		{[]string{"run"}, false, slog.LevelInfo},
		{[]string{"hub"}, false, slog.LevelInfo},
		{[]string{"run"}, true, slog.LevelDebug},
	} {
		cmd, _, err := root.Find(c.args)
		if err != nil {
			t.Fatal(err)
		}
		if got := logLevel(cmd, c.verbose); got != c.want {
			t.Errorf("%q -v=%v: level %v, want %v", c.args, c.verbose, got, c.want)
		}
	}
}

// TestJSONLOutput: votable convert writes JSON lines by --format and by
// the .jsonl extension, without INFO lines on stderr.
func TestJSONLOutput(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	if err := os.WriteFile(in, []byte("id,ra,name\n1,150.5,a\n2,,b\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	want := "{\"id\":1,\"ra\":150.5,\"name\":\"a\"}\n{\"id\":2,\"ra\":null,\"name\":\"b\"}\n"
	for _, args := range [][]string{
		{"votable", "convert", in, filepath.Join(dir, "out.jsonl")},
		{"votable", "convert", "--format", "jsonl", in, filepath.Join(dir, "out.txt")},
	} {
		out, stderr, err := runCLI(t, args...)
		if err != nil {
			t.Fatalf("%q: %v\n%s%s", args, err, out, stderr)
		}
		b, err := os.ReadFile(args[len(args)-1])
		if err != nil || string(b) != want {
			t.Errorf("%q wrote %q, %v; want %q", args, b, err, want)
		}
		if strings.Contains(stderr, "INFO") {
			t.Errorf("%q logged INFO lines without -v:\n%s", args, stderr)
		}
	}
}
