package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/voagent/voagent/agent/client"
)

// newReconnectCmd is `voagent reconnect`: the running agent registers with
// the SAMP hub again (the tray's "reconnect to hub").
func newReconnectCmd() *cobra.Command {
	var socket string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "reconnect",
		Short: "Have the running agent unregister from the SAMP hub and register again",
		Long: `Have the running voagent (through its control socket) unregister from its SAMP hub
and register again at once, with the hub the lockfile names now: after starting a
new hub by hand, or when a tool no longer sees voagent.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			rep, err := client.New(socket).Reconnect(ctx)
			if err != nil {
				return err
			}
			own := "external hub"
			if rep.Hub.Own {
				own = "voagent's own hub"
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "registered as %s on %s %s (%d clients)\n", rep.Hub.SelfID, own, rep.Hub.URL, len(rep.Hub.Clients))
			return err
		},
	}
	cmd.Flags().StringVar(&socket, "socket", "", "the agent's control socket (default as for voagent run)")
	cmd.Flags().DurationVar(&timeout, "timeout", 20*time.Second, "give up after this long")
	return cmd
}
