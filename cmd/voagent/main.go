// Command voagent is a desktop agent for the Virtual Observatory: it lives on
// the SAMP hub next to TOPCAT, Aladin and SPLAT and runs VO searches for them.
// This file only wires the command groups; each group lives in its own file.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	// The real binary runs its own hub as a detached "voagent hub"
	// process (tests, which run commands in-process, keep it in-process:
	// their executable is the test binary).
	detachedHub = true
	root := newRootCmd()
	root.SetArgs(sendArgs(os.Args[1:]))
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "voagent:", err)
		os.Exit(exitCode(err))
	}
}
