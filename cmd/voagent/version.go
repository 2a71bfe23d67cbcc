package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/voagent/voagent/internal/buildinfo"
)

// newVersionCmd is `voagent version`: the same line as `voagent --version`.
func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print voagent's version and the commit it was built from",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), buildinfo.Read())
			return err
		},
	}
}
