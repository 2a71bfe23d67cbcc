package main

import (
	"os"
	"path/filepath"

	"context"
	"github.com/voagent/voagent/agent/api"
	"io"
	"testing"
	"time"

	"github.com/voagent/voagent/internal/syncbuf"
)

// runCLI runs voagent with args in-process, as main does, and returns what
// it wrote to stdout and to stderr (logs included), and its error.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	if os.Getenv(api.SocketEnv) == "" {
		// Never the user's running agent: commands that use one find
		// none at this socket, unless a test starts one there.
		t.Setenv(api.SocketEnv, filepath.Join(t.TempDir(), "no-agent.sock"))
	}
	if os.Getenv("XDG_CACHE_HOME") == "" {
		// What an in-process agent keeps goes where the test removes it.
		t.Setenv("XDG_CACHE_HOME", t.TempDir())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	var out, errOut syncbuf.Buffer
	err = execCLI(ctx, &out, &errOut, args...)
	return out.String(), errOut.String(), err
}

// execCLI runs voagent with args, writing to stdout and stderr, until it
// returns or ctx is cancelled (as SIGINT does through main): runCLI, or a
// long-running command started in a goroutine.
func execCLI(ctx context.Context, stdout, stderr io.Writer, args ...string) error {
	root := newRootCmd()
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetArgs(sendArgs(args))
	return root.ExecuteContext(ctx)
}
