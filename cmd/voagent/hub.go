package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/voagent/voagent/samp/hub"
)

func newHubCmd(g *globals) *cobra.Command {
	var lockfile string
	var idleExit time.Duration
	cmd := &cobra.Command{
		Use:   "hub",
		Short: "Run a SAMP hub (Standard Profile) until interrupted",
		Long: `Run a SAMP 1.3 hub for the Standard Profile on 127.0.0.1.

The lockfile goes to --lockfile, else where clients look for it: the file
named by SAMP_HUB=std-lockurl:file://PATH, else ~/.samp. The hub refuses to
start when a live hub owns that lockfile and replaces a stale one. On SIGINT,
SIGTERM or SIGHUP it tells the clients it is shutting down and removes the
lockfile.

With --idle-exit D the hub also stops by itself once it has had no client
for D: from its start until the first client registers, and from each time
the last client leaves. 'voagent run' starts its hub this way (as a process
of its own that outlives the agent, so that TOPCAT and Aladin keep their
hub when voagent stops); a hub started by hand runs until stopped.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context() // cancelled on SIGINT, SIGTERM and SIGHUP (see main)
			if idleExit < 0 {
				return fmt.Errorf("--idle-exit %s: must not be negative", idleExit)
			}
			h, err := hub.New(hub.Options{Lockfile: lockfile, Logger: g.log, IdleExit: idleExit})
			if err != nil {
				return err
			}
			if err := h.Start(ctx); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "SAMP hub running at %s\nlockfile: %s\n", h.URL(), h.Lockfile())
			select {
			case <-ctx.Done():
			case <-h.Done():
			}
			reason := "stopped"
			switch {
			case h.IdleExited():
				reason = fmt.Sprintf("no client for %s (--idle-exit)", idleExit)
			case ctx.Err() != nil:
				reason = context.Cause(ctx).Error()
			}
			g.log.Info("SAMP hub stopping", "reason", reason)
			return h.Close()
		},
	}
	cmd.Flags().StringVar(&lockfile, "lockfile", "", "lockfile path (default: from SAMP_HUB, else ~/.samp)")
	cmd.Flags().DurationVar(&idleExit, "idle-exit", 0, "stop once no client has been registered for this long (0: never)")
	return cmd
}
