package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/voagent/voagent/desktop/autostart"
)

// newInstallAutostartCmd is `voagent install-autostart [--systemd] [--remove]`.
func newInstallAutostartCmd() *cobra.Command {
	var systemd, remove bool
	var cfgPath string
	cmd := &cobra.Command{
		Use:   "install-autostart",
		Short: "Start voagent run with the desktop session (XDG autostart, or a systemd user unit)",
		Long: `Write an XDG autostart entry ($XDG_CONFIG_HOME/autostart/voagent.desktop) that starts
'voagent run' when the desktop session starts; with --systemd a systemd user unit
($XDG_CONFIG_HOME/systemd/user/voagent.service) enabled for default.target instead
(then 'systemctl --user daemon-reload' and 'systemctl --user start voagent').
--remove deletes what the same command (with or without --systemd) wrote.
Started that way, voagent logs to $XDG_STATE_HOME/voagent/voagent.log, rotated.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o := autostart.Options{Systemd: systemd}
			out := cmd.OutOrStdout()
			if remove {
				removed, err := autostart.Remove(o)
				for _, p := range removed {
					fmt.Fprintln(out, "removed", p)
				}
				if err == nil && len(removed) == 0 {
					fmt.Fprintln(out, "nothing to remove: voagent was not set to start with the session")
				}
				return err
			}
			exe, err := os.Executable()
			if err != nil {
				return fmt.Errorf("finding voagent's executable: %w", err)
			}
			if o.Exe, err = filepath.EvalSymlinks(exe); err != nil {
				return fmt.Errorf("finding voagent's executable: %w", err)
			}
			if cfgPath != "" {
				abs, err := filepath.Abs(cfgPath)
				if err != nil {
					return fmt.Errorf("--config %s: %w", cfgPath, err)
				}
				o.Args = []string{"--config", abs}
			}
			written, err := autostart.Install(o)
			for _, p := range written {
				fmt.Fprintln(out, "wrote", p)
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&systemd, "systemd", false, "a systemd user unit instead of an XDG autostart entry")
	cmd.Flags().BoolVar(&remove, "remove", false, "remove the autostart entry (or with --systemd the unit)")
	cmd.Flags().StringVar(&cfgPath, "config", "", "the configuration file 'voagent run' is started with")
	return cmd
}
