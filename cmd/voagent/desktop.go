package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/voagent/voagent/desktop/autostart"
	"github.com/voagent/voagent/version"
)

// newVersionCmd prints the version and commit (as --version does).
func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print voagent's version and the commit it was built from",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, args []string) {
			fmt.Fprintln(cmd.OutOrStdout(), "voagent", version.String())
		},
	}
}

// newInstallAutostartCmd writes or removes the session autostart entry.
func newInstallAutostartCmd() *cobra.Command {
	var systemd, remove bool
	cmd := &cobra.Command{
		Use:   "install-autostart",
		Short: "Start 'voagent run' with your desktop session (XDG autostart, or a systemd user unit)",
		Long: `Write an XDG autostart entry ($XDG_CONFIG_HOME/autostart/voagent.desktop) that runs
'voagent run' (this executable) when you log in; --systemd writes a systemd user unit
($XDG_CONFIG_HOME/systemd/user/voagent.service) instead, to enable with
'systemctl --user enable --now voagent.service'. --remove removes either.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if remove {
				removed, err := autostart.Remove()
				for _, p := range removed {
					fmt.Fprintln(cmd.OutOrStdout(), "removed", p)
				}
				if err == nil && len(removed) == 0 {
					fmt.Fprintln(cmd.OutOrStdout(), "no autostart entry was installed")
				}
				return err
			}
			exe, err := os.Executable()
			if err == nil {
				exe, err = filepath.EvalSymlinks(exe)
			}
			if err != nil {
				return fmt.Errorf("finding voagent's executable for autostart: %w", err)
			}
			p, err := autostart.Install(exe, systemd)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "wrote", p)
			if systemd {
				fmt.Fprintln(cmd.OutOrStdout(), "enable it with: systemctl --user daemon-reload && systemctl --user enable --now voagent.service")
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&systemd, "systemd", false, "write a systemd user unit instead of an XDG autostart entry")
	cmd.Flags().BoolVar(&remove, "remove", false, "remove the autostart entry and the systemd unit")
	return cmd
}
