package main

import (
	"context"
	"log/slog"

	"github.com/spf13/cobra"
)

// globals is what the root command hands to every command: its logger.
type globals struct {
	// log writes to the command's stderr, at debug level with -v.
	log   *slog.Logger
	level *slog.LevelVar
	root  *cobra.Command
}

// quietLogger is g.log with -v, else a logger showing warnings and errors
// only: for libraries (the SAMP connector) whose progress messages are
// noise in a one-shot command.
func (g *globals) quietLogger(ctx context.Context) *slog.Logger {
	if g.log.Enabled(ctx, slog.LevelDebug) {
		return g.log
	}
	return slog.New(slog.NewTextHandler(stderrOf{g.root}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// stderrOf writes to the command's stderr as it is when written to (tests
// set it after the command is built).
type stderrOf struct{ cmd *cobra.Command }

func (w stderrOf) Write(p []byte) (int, error) { return w.cmd.ErrOrStderr().Write(p) }

// newRootCmd builds the voagent command: the global flags and the list of
// commands, each given the globals.
func newRootCmd() *cobra.Command {
	var verbose bool
	root := &cobra.Command{
		Use:   "voagent",
		Short: "A Virtual Observatory desktop agent on the SAMP hub",
		Long: `A Virtual Observatory desktop agent on the SAMP hub.

Exit status: 0 success; 1 the command failed (with --all: every service
failed); 3 a command run on several services (--all) kept the answers of
some while others failed.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	g := &globals{level: new(slog.LevelVar), root: root}
	g.log = slog.New(slog.NewTextHandler(stderrOf{root}, &slog.HandlerOptions{Level: g.level}))
	root.PersistentPreRun = func(cmd *cobra.Command, _ []string) {
		g.level.Set(logLevel(cmd, verbose))
		cmd.SetContext(context.WithValue(cmd.Context(), globalsKey{}, g))
	}
	root.PersistentFlags().BoolVarP(&verbose, "verbose", "v", false, "log informational and debug messages (without it a command logs warnings and errors only)")
	root.AddCommand(
		// The agent and the SAMP hub.
		newRunCmd(g),
		newHubCmd(g),
		newStatusCmd(g),
		newEventsCmd(g),
		newSendCmd(g),
		newConfigCmd(),
		newVicinityCmd(g),
		newSpectraCmd(g),
		newCrossmatchCmd(g),
		// VO services.
		newTapCmd(g),
		newConeCmd(g),
		newSIACmd(g),
		newSSACmd(g),
		newDataLinkCmd(g),
		newSODACmd(g),
		newEPNTAPCmd(g),
		newRegistryCmd(g),
		// Tables.
		newVOTableCmd(g),
		newXmatchCmd(g),
		newClusterCmd(g),
		newSEDCmd(g),
	)
	return root
}

// logLevel is the level of the command's log: debug with -v; else
// informational for the long-running agent and hub (their log is what
// they did), warnings and errors only for one-shot commands, whose output
// is the answer.
func logLevel(cmd *cobra.Command, verbose bool) slog.Level {
	switch {
	case verbose:
		return slog.LevelDebug
	case cmd.Name() == "run" || cmd.Name() == "hub":
		return slog.LevelInfo
	}
	return slog.LevelWarn
}

// globalsKey keys the globals in a command's context.
type globalsKey struct{}

// globalsOf returns the globals the root command put in cmd's context
// (for helpers shared by commands that were not handed them).
func globalsOf(cmd *cobra.Command) *globals {
	g, _ := cmd.Context().Value(globalsKey{}).(*globals)
	return g
}
