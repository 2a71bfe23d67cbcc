package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/voagent/voagent/vo/dataset"
	"github.com/voagent/voagent/vo/epntap"
	"github.com/voagent/voagent/vo/fanout"
	"github.com/voagent/voagent/vo/registry"
)

func newEPNTAPCmd(g *globals) *cobra.Command {
	var o svcOpts
	var regURL, glots, tapURL, target, outDir, where string
	var top, parallel int
	cmd := &cobra.Command{
		Use:   "epntap --target NAME [--registry URL | --glots URL | --tap URL] [--output-dir DIR]",
		Short: "Query every EPN-TAP service (tables *.epn_core) for a solar-system target",
		Long: `Find EPN-TAP services - tables whose name ends in epn_core - through a
RegTAP registry (--registry, the default, from $IVOA_REGISTRY), a TAP service
indexing other services' tables (--glots, GloTS) or one TAP service's own
TAP_SCHEMA (--tap), then query all of them at once for rows with the given
target_name. Each service's answer is reported as it arrives (and written to
--output-dir as <table>.xml); failures are summarised at the end.`,
		Example: `  voagent epntap --registry http://127.0.0.1:8080/tap --target Mars
  voagent epntap --tap http://127.0.0.1:8080/tap --target Jupiter --output-dir epn/`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			q := registry.TAPSync(o.client())
			var services []epntap.Service
			var err error
			switch {
			case tapURL != "":
				services, err = epntap.FromTAPSchema(ctx, q, tapURL)
			case glots != "":
				services, err = epntap.FromGloTS(ctx, q, glots)
			default:
				if regURL == "" {
					regURL = registry.DefaultURL()
				}
				services, err = epntap.FromRegistry(ctx, registry.New(regURL, q))
			}
			if err != nil {
				return err
			}
			if len(services) == 0 {
				return fmt.Errorf("no EPN-TAP service found")
			}
			if outDir != "" {
				if err := os.MkdirAll(outDir, 0o755); err != nil {
					return err
				}
			}
			out := cmd.OutOrStdout()
			var werr error
			sum, err := epntap.Search(ctx, q, services, target, top, fanout.Options{Concurrency: parallel, Deadline: o.timeout},
				func(r fanout.Result[epntap.Result]) {
					if r.Err != nil {
						fmt.Fprintf(out, "%s (%s at %s): %s: %v\n", r.Name, r.Value.Service.Table, r.Value.Service.TAPURL, r.Outcome, r.Err)
						return
					}
					if err := whereTable(ctx, r.Value.Table, where); err != nil {
						fmt.Fprintf(out, "%s (%s at %s): --where: %v\n", r.Name, r.Value.Service.Table, r.Value.Service.TAPURL, err)
						if werr == nil {
							werr = err
						}
						return
					}
					fmt.Fprintf(out, "%s (%s at %s): %d rows\n", r.Name, r.Value.Service.Table, r.Value.Service.TAPURL, r.Value.Table.Rows())
					p := ""
					if outDir != "" {
						p = filepath.Join(outDir, dataset.Sanitize(r.Value.Service.Table)+".xml")
						if err := writeVOTableFile(p, r.Value.Doc); err != nil && werr == nil {
							werr = err
						}
					}
					if err := sendTable(cmd, g, p, "EPN-TAP "+r.Value.Service.Table+" "+target, func(p string) error { return writeVOTableFile(p, r.Value.Doc) }); err != nil {
						fmt.Fprintf(out, "%s (%s): --send: %v\n", r.Name, r.Value.Service.Table, err)
						if werr == nil {
							werr = err
						}
					}
				})
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.ErrOrStderr(), sum)
			if werr != nil {
				return werr
			}
			if sum.OK == 0 {
				return fmt.Errorf("no EPN-TAP service answered")
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&regURL, "registry", "", "RegTAP registry TAP endpoint (default $IVOA_REGISTRY or "+registry.DefaultURL()+")")
	f.StringVar(&glots, "glots", "", "TAP endpoint of a table index (GloTS schema: glots.services, glots.tables)")
	f.StringVar(&tapURL, "tap", "", "query only this TAP service's own epn_core tables")
	f.StringVar(&target, "target", "", "target_name to look for (case-insensitive, as EPN-TAP names are: mars finds Mars)")
	f.IntVar(&top, "top", 1000, "at most this many rows per service (0: the service's default)")
	f.IntVar(&parallel, "parallel", 8, "services queried at once")
	f.StringVar(&outDir, "output-dir", "", "write each service's answer to DIR/<table>.xml")
	f.DurationVar(&o.timeout, "timeout", 0, "deadline per service (default 30s)")
	addWhereFlag(cmd, &where)
	addSendFlag(f)
	_ = cmd.MarkFlagRequired("target")
	return cmd
}
