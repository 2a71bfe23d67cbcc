package main

import (
	"github.com/spf13/cobra"

	"github.com/voagent/voagent/agent"
	"github.com/voagent/voagent/agent/api"
	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/handlers"
)

func newRunCmd(g *globals) *cobra.Command {
	var cfgPath, socket string
	var noHub bool
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the agent on the SAMP hub (its own hub when none is running)",
		Long: `Run the agent: it registers with the SAMP hub (starting its own when none runs and
samp.start_hub is set), answers TOPCAT's highlighted rows with vicinity searches,
and serves its control API on a user-only Unix socket (voagent status, events,
vicinity --send, spectra --send and send use it). SIGINT, SIGTERM and SIGHUP stop it
cleanly: it unregisters, cancels its searches and removes its result files.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAgent(cmd, g, cfgPath, socket, noHub)
		},
	}
	cmd.Flags().StringVar(&cfgPath, "config", "", "configuration file (default "+config.DefaultPath()+" when present)")
	cmd.Flags().StringVar(&socket, "socket", "", "control socket (default $"+api.SocketEnv+", else "+api.DefaultSocketPath()+")")
	cmd.Flags().BoolVar(&noHub, "no-hub", false, "never start a hub of our own; wait for one")
	return cmd
}

// runAgent loads the configuration and runs the agent until the command's
// context ends (a signal).
func runAgent(cmd *cobra.Command, g *globals, cfgPath, socket string, noHub bool) error {
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
	a := agent.New(cfg, g.log, agent.WithConfigPath(path), agent.WithControlSocket(socket),
		agent.WithResultsDir(cfg.Results.Dir))
	handlers.Register(a)
	return a.Run(cmd.Context())
}
