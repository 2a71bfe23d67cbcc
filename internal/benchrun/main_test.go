package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	outFile, errFile := filepath.Join(dir, "out"), filepath.Join(dir, "err")
	for _, tc := range []struct {
		name   string
		args   []string
		status int
		timed  bool // prints "SECONDS KIB"
	}{
		{"status passed on", []string{"-stdout", outFile, "-stderr", errFile, "--", "sh", "-c", "echo out; echo err >&2; exit 3"}, 3, true},
		{"success", []string{"--", "true"}, 0, true},
		{"past the timeout", []string{"-timeout", "100ms", "--", "sleep", "5"}, 124, false},
		{"no command", nil, 2, false},
		{"output file cannot be made", []string{"-stdout", filepath.Join(dir, "no", "such", "dir"), "--", "true"}, 1, false},
		{"command not found", []string{"--", filepath.Join(dir, "nothing-here")}, 1, false},
	} {
		var out bytes.Buffer
		if got := run(tc.args, &out); got != tc.status {
			t.Errorf("%s: status %d, want %d", tc.name, got, tc.status)
		}
		f := strings.Fields(out.String())
		if !tc.timed {
			if len(f) != 0 {
				t.Errorf("%s: printed %q", tc.name, out.String())
			}
			continue
		}
		if len(f) != 2 {
			t.Fatalf("%s: printed %q, want SECONDS KIB", tc.name, out.String())
		}
		secs, err1 := strconv.ParseFloat(f[0], 64)
		kib, err2 := strconv.Atoi(f[1])
		if err1 != nil || err2 != nil || secs <= 0 || kib <= 0 {
			t.Errorf("%s: printed %q", tc.name, out.String())
		}
	}
	for file, want := range map[string]string{outFile: "out\n", errFile: "err\n"} {
		if b, err := os.ReadFile(file); err != nil || string(b) != want {
			t.Errorf("%s holds %q (%v), want %q", file, b, err, want)
		}
	}
}
