package main

import (
	"bytes"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// agentLog: the state file when stderr goes nowhere read (/dev/null, as
// under a desktop session) or with --log-file state, --log-file PATH when
// given; stderr for "-", a pipe, a redirected file or an in-process writer.
func TestAgentLog(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	errFile, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer errFile.Close()
	_, pipe, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pipe.Close()
	chosen := filepath.Join(t.TempDir(), "mine.log")
	tests := []struct {
		name   string
		stderr io.Writer
		flag   string
		file   string // where the line must be; "" for the globals' logger
	}{
		{"stderr on /dev/null", null, "", filepath.Join(state, "voagent", "voagent.log")},
		{"--log-file state", errFile, "state", filepath.Join(state, "voagent", "voagent.log")},
		{"--log-file", &bytes.Buffer{}, chosen, chosen},
		{"--log-file -", null, "-", ""},
		{"stderr redirected to a file", errFile, "", ""},
		{"stderr a pipe", pipe, "", ""},
		{"in-process buffer", &bytes.Buffer{}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := &cobra.Command{}
			cmd.SetErr(tt.stderr)
			var own bytes.Buffer
			g := &globals{log: slog.New(slog.NewTextHandler(&own, nil)), level: new(slog.LevelVar)}
			log, closeLog, err := agentLog(cmd, g, tt.flag)
			if err != nil {
				t.Fatal(err)
			}
			log.Info("marker " + tt.name)
			closeLog()
			if tt.file == "" {
				if !strings.Contains(own.String(), "marker "+tt.name) {
					t.Errorf("the line did not go to the globals' logger: %q", own.String())
				}
				return
			}
			b, err := os.ReadFile(tt.file)
			if err != nil || !strings.Contains(string(b), "marker "+tt.name) {
				t.Errorf("%s: %q, %v; want the line", tt.file, b, err)
			}
			if own.Len() > 0 {
				t.Errorf("the globals' logger got %q too", own.String())
			}
		})
	}
}
