package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/voagent/voagent/agent"
	"github.com/voagent/voagent/agent/api"
	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/desktop"
	"github.com/voagent/voagent/handlers"
	"github.com/voagent/voagent/internal/logfile"
)

// detachedHub makes 'voagent run' start its hub as a separate process
// running this executable (set by main).
var detachedHub bool

func newRunCmd(g *globals) *cobra.Command {
	var cfgPath, socket string
	var noHub, noTray bool
	var hubIdle time.Duration
	var logFile string
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the agent on the SAMP hub (its own hub when none is running)",
		Long: `Run the agent: it registers with the SAMP hub (starting its own when none runs and
samp.start_hub is set), answers TOPCAT's highlighted rows with vicinity searches,
and serves its control API on a user-only Unix socket (voagent status, events,
vicinity --send, spectra --send and send use it). SIGINT, SIGTERM and SIGHUP stop it
cleanly: it unregisters, cancels its searches and removes its result files.

The hub it starts is a separate 'voagent hub' process (logging to
$XDG_STATE_HOME/voagent/hub.log): it stays when the agent stops, for TOPCAT,
Aladin and the next voagent, and exits by itself once it has had no client
for --hub-idle-exit. When the hub in use goes away (TOPCAT quitting with its
own hub), the agent starts one again if no other hub appears within 2.5 s.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if hubIdle <= 0 {
				return fmt.Errorf("--hub-idle-exit %s: must be positive", hubIdle)
			}
			log, closeLog, err := agentLog(cmd, g, logFile)
			if err != nil {
				return err
			}
			defer closeLog()
			return runAgent(cmd, &globals{log: log, level: g.level, root: g.root}, cfgPath, socket, noHub, noTray, hubIdle)
		},
	}
	cmd.Flags().StringVar(&cfgPath, "config", "", "configuration file (default "+config.DefaultPath()+" when present)")
	cmd.Flags().StringVar(&socket, "socket", "", "control socket (default $"+api.SocketEnv+", else "+api.DefaultSocketPath()+")")
	cmd.Flags().BoolVar(&noTray, "no-tray", false, "show no tray icon (without a session bus or a panel hosting tray icons voagent runs headless anyway)")
	cmd.Flags().BoolVar(&noHub, "no-hub", false, "never start a hub of our own; wait for one")
	cmd.Flags().StringVar(&logFile, "log-file", "", "log to this file, rotated (\"state\": $XDG_STATE_HOME/voagent/voagent.log, the default when stderr goes nowhere read, e.g. /dev/null; \"-\": stderr always)")
	cmd.Flags().DurationVar(&hubIdle, "hub-idle-exit", agent.DefaultHubIdleExit, "the hub we start stops once it has had no client for this long")
	return cmd
}

// runAgent loads the configuration and runs the agent until the command's
// context ends (a signal).
func runAgent(cmd *cobra.Command, g *globals, cfgPath, socket string, noHub, noTray bool, hubIdle time.Duration) error {
	path := cfgPath
	if path == "" {
		path = config.DefaultPath()
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		return err
	}
	if noHub {
		cfg.SAMP.StartHub = false
	}
	if socket == "" {
		socket = cfg.Control.Socket
	}
	if socket == "" {
		socket = api.DefaultSocketPath()
	}
	opts := []agent.Option{agent.WithConfigPath(path), agent.WithControlSocket(socket),
		agent.WithResultsDir(cfg.Results.Dir), agent.WithHubIdleExit(hubIdle)}
	if detachedHub {
		exe, err := os.Executable()
		if err != nil {
			return fmt.Errorf("finding voagent's executable to run the hub with: %w", err)
		}
		opts = append(opts, agent.WithHubCommand(exe))
	}
	a := agent.New(cfg, g.log, opts...)
	handlers.Register(a)
	ctx, cancel := context.WithCancel(cmd.Context())
	defer cancel()
	done := make(chan struct{})
	go func() { defer close(done); desktop.Run(ctx, socket, desktop.Options{NoTray: noTray}, g.log) }()
	err = a.Run(ctx)
	cancel()
	<-done
	return err
}

// agentLog is the agent's logger: g.log (stderr) unless stderr goes where
// nobody reads it (/dev/null or closed, as when a desktop session starts
// voagent), then a rotated file in the XDG state directory. --log-file
// PATH chooses the file, --log-file state the state directory's file
// always (the XDG autostart entry uses it), --log-file - stderr always.
// A pipe (a parent reading), a socket (systemd's journal) or a redirected
// file keeps stderr; so do in-process tests' buffers.
func agentLog(cmd *cobra.Command, g *globals, flag string) (*slog.Logger, func(), error) {
	nop := func() {}
	switch {
	case flag == "-":
		return g.log, nop, nil
	case flag == "" && !logfile.Unread(cmd.ErrOrStderr()):
		return g.log, nop, nil
	case flag == "" || flag == "state":
		p, err := logfile.Path("voagent.log")
		if err != nil {
			return nil, nil, err
		}
		flag = p
	}
	w, err := logfile.Open(flag)
	if err != nil {
		return nil, nil, err
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: g.level})), func() { w.Close() }, nil
}
