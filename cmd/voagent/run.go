package main

import (
	"github.com/spf13/cobra"
	"github.com/voagent/voagent/agent"
	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/handlers"
)

func newRunCmd(g *globals) *cobra.Command {
	var cfgPath string
	var noHub bool
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the agent on the SAMP hub (its own hub when none is running)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := config.Load(cfgPath)
			if err != nil {
				return err
			}
			if noHub {
				cfg.SAMP.StartHub = false
			}
			a := agent.New(cfg, g.log)
			handlers.Register(a)
			return a.Run(cmd.Context())
		},
	}
	cmd.Flags().StringVar(&cfgPath, "config", "", "configuration file (default "+config.DefaultPath()+" when present)")
	cmd.Flags().BoolVar(&noHub, "no-hub", false, "never start a hub of our own; wait for one")
	return cmd
}
