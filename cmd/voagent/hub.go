package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/voagent/voagent/samp/hub"
)

func newHubCmd(g *globals) *cobra.Command {
	var lockfile string
	cmd := &cobra.Command{
		Use:   "hub",
		Short: "Run a SAMP hub (Standard Profile) until interrupted",
		Long: `Run a SAMP 1.3 hub for the Standard Profile on 127.0.0.1.

The lockfile goes to --lockfile, else where clients look for it: the file
named by SAMP_HUB=std-lockurl:file://PATH, else ~/.samp. The hub refuses to
start when a live hub owns that lockfile and replaces a stale one. On SIGINT
or SIGTERM it tells the clients it is shutting down and removes the lockfile.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context() // cancelled on SIGINT and SIGTERM (see main)
			h, err := hub.New(hub.Options{Lockfile: lockfile, Logger: g.log})
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
			return h.Close()
		},
	}
	cmd.Flags().StringVar(&lockfile, "lockfile", "", "lockfile path (default: from SAMP_HUB, else ~/.samp)")
	return cmd
}
