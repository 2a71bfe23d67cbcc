package main

import (
	"log/slog"
	"os"

	"github.com/spf13/cobra"
)

// commandGroups lists the constructors of every command group; each file of
// this package that adds a group appends to it in an init function.
var commandGroups []func() *cobra.Command

func newRootCmd() *cobra.Command {
	var verbose bool
	root := &cobra.Command{
		Use:           "voagent",
		Short:         "A Virtual Observatory desktop agent on the SAMP hub",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRun: func(cmd *cobra.Command, args []string) {
			level := slog.LevelInfo
			if verbose {
				level = slog.LevelDebug
			}
			slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})))
		},
	}
	root.PersistentFlags().BoolVarP(&verbose, "verbose", "v", false, "log debug messages")
	for _, g := range commandGroups {
		root.AddCommand(g())
	}
	return root
}
