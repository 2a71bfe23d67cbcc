package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"
	"github.com/voagent/voagent/config"
)

// newConfigCmd is `voagent config`: write, locate, show and check the
// configuration file. The logic lives in package config.
func newConfigCmd() *cobra.Command {
	var cfgPath string
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Write, locate, show and check the configuration file",
		Args:  cobra.NoArgs,
	}
	cmd.PersistentFlags().StringVar(&cfgPath, "config", "", "configuration file (default "+config.DefaultPath()+")")
	// path returns the file in use and whether it was given explicitly.
	path := func() (string, bool) {
		if cfgPath != "" {
			return cfgPath, true
		}
		return config.DefaultPath(), false
	}

	var force bool
	initCmd := &cobra.Command{
		Use:   "init",
		Short: "Write the documented defaults to the configuration file",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			p, _ := path()
			written, err := config.Init(p, force)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "wrote", written)
			return nil
		},
	}
	initCmd.Flags().BoolVar(&force, "force", false, "overwrite an existing file")

	pathCmd := &cobra.Command{
		Use:   "path",
		Short: "Print the configuration file in use and whether it exists",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			p, _ := path()
			state := "exists"
			if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
				state = "does not exist: the defaults are in use"
			} else if err != nil {
				state = err.Error()
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s (%s)\n", p, state)
			return nil
		},
	}

	var defaults bool
	showCmd := &cobra.Command{
		Use:   "show",
		Short: "Print the effective configuration as TOML (--defaults: the documented defaults)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if defaults {
				_, err := fmt.Fprint(cmd.OutOrStdout(), config.DefaultsText())
				return err
			}
			cfg, err := config.Load(cfgPath)
			if err != nil {
				return err
			}
			return config.Encode(cmd.OutOrStdout(), cfg)
		},
	}
	showCmd.Flags().BoolVar(&defaults, "defaults", false, "print the documented defaults instead")

	validateCmd := &cobra.Command{
		Use:   "validate [FILE]",
		Short: "Check a configuration file (default: the one in use); errors name file:line",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, explicit := path()
			if len(args) == 1 {
				p, explicit = args[0], true
			}
			if !explicit {
				if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
					fmt.Fprintf(cmd.OutOrStdout(), "OK: no file at %s, the defaults are in use\n", p)
					return nil
				}
			}
			if _, err := config.Load(p); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "OK:", p)
			return nil
		},
	}
	cmd.AddCommand(initCmd, pathCmd, showCmd, validateCmd)
	return cmd
}
