package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/voagent/voagent/agent"
	"github.com/voagent/voagent/agent/api"
	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/vo/registry"
	"github.com/voagent/voagent/vo/skypos"
	"github.com/voagent/voagent/vo/votable"
)

func newSpectraCmd(g *globals) *cobra.Command {
	var (
		cfgPath, table, reg, to string
		pos                     agent.Position
		radius                  float64
		send                    bool
	)
	cmd := &cobra.Command{
		Use:   "spectra (--table FILE | --ra DEG --dec DEG) [--registry URL] [--radius ARCSEC] [--send [--to NAME]]",
		Short: "Find spectra near positions in every ObsCore and SSA service of the Registry",
		Long: `Asks the Registry for the ObsCore (TAP) and SSA services, all at once: to each ObsCore
service that accepts uploads the positions go as a table joined against ivoa.obscore
(spectra only); each SSA service is asked around every position. A dataset offered by
several services is given once. Each spectrum is listed, or with --send given to SPLAT
(--to) over SAMP with spectrum.load.ssa-generic as soon as its service answers.
Positions come from the pos.eq.ra/pos.eq.dec columns of --table, or from --ra/--dec.`,
		Example: `  voagent spectra --table targets.vot --registry http://127.0.0.1:8080/tap --radius 30
  voagent spectra --ra 150 --dec 2 --radius 60 --send --to splat`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			positions, rows, err := spectraPositions(cmd, table, pos)
			if err != nil {
				return err
			}
			if !cmd.Flags().Changed("registry") {
				reg = ""
			}
			req := api.SpectraRequest{RadiusArcsec: radius, Registry: reg, Send: send, To: to}
			for _, p := range positions {
				req.Positions = append(req.Positions, api.Position{RA: p.RA, Dec: p.Dec})
			}
			var rep api.Report
			if send {
				// SPLAT is on the running hub: through the agent.
				err = withAgent(cmd.Context(), g, cfgPath, func(ctx context.Context, ag agentAPI) error {
					var err error
					rep, err = ag.Spectra(ctx, req)
					return err
				})
			} else {
				cfg, lerr := config.Load(cfgPath)
				if lerr != nil {
					return lerr
				}
				rep, err = agent.New(cfg, g.log).Spectra(cmd.Context(), req, "cli")
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "SERVICE\tROW\tTARGET\tSPECTRUM\tSENT")
			failed := 0
			for _, r := range rep.Results {
				sent := "-"
				switch {
				case r.SendError != "":
					sent = r.SendError
					failed++
				case len(r.SentTo) > 0:
					sent = "samp.ok"
				}
				fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", r.Service, rows[r.Pos], r.Target, r.URL, sent)
			}
			tw.Flush()
			if rep.Summary != "" {
				fmt.Fprintln(cmd.ErrOrStderr(), rep.Summary)
			}
			switch {
			case err != nil:
				return err
			case rep.Search.Answered == 0:
				return errors.New("no ObsCore or SSA service answered")
			case failed > 0:
				return fmt.Errorf("%d spectra were not delivered to %q", failed, to)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfgPath, "config", "", "configuration file (default "+config.DefaultPath()+" when present)")
	f.StringVar(&table, "table", "", "VOTable whose rows give the positions (pos.eq.ra/pos.eq.dec columns)")
	f.Float64Var(&pos.RA, "ra", 0, "right ascension (ICRS degrees), without --table")
	f.Float64Var(&pos.Dec, "dec", 0, "declination (ICRS degrees), without --table")
	f.Float64Var(&radius, "radius", 10, "search radius around each position, arcsec")
	f.StringVar(&reg, "registry", registry.DefaultURL(), "RegTAP service listing the ObsCore and SSA services (default: spectra.registry of the configuration, else this)")
	f.BoolVar(&send, "send", false, "send each spectrum over SAMP (spectrum.load.ssa-generic)")
	f.StringVar(&to, "to", "splat", `samp.name of the receiver with --send ("" for every subscriber)`)
	cmd.MarkFlagsMutuallyExclusive("table", "ra")
	cmd.MarkFlagsMutuallyExclusive("table", "dec")
	cmd.MarkFlagsRequiredTogether("ra", "dec")
	return cmd
}

// spectraPositions reads the positions from --table (with the row of each),
// or takes --ra/--dec.
func spectraPositions(cmd *cobra.Command, table string, pos agent.Position) ([]agent.Position, []int, error) {
	if table == "" {
		if !cmd.Flags().Changed("ra") {
			return nil, nil, errors.New("give --table FILE or --ra and --dec")
		}
		return []agent.Position{pos}, []int{0}, nil
	}
	t, err := votable.ReadTableFile(cmd.Context(), table)
	if err != nil {
		return nil, nil, err
	}
	cols, err := skypos.Find(t, skypos.Options{})
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", table, err)
	}
	ts := []*votable.Table{t}
	var out []agent.Position
	var rows []int
	var skipped []string
	for i := range ts[0].Rows() {
		var p agent.Position
		var ok bool
		if p.RA, p.Dec, ok = cols.At(t, i); !ok {
			skipped = append(skipped, fmt.Sprint(i))
			continue
		}
		out, rows = append(out, p), append(rows, i)
	}
	if len(out) == 0 {
		return nil, nil, fmt.Errorf("%s: no row has a position in %s", table, cols.Describe(t))
	}
	if len(skipped) > 0 {
		fmt.Fprintf(cmd.ErrOrStderr(), "rows without a position, skipped: %s\n", strings.Join(skipped, ", "))
	}
	return out, rows, nil
}
