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
		pf                      *posFlags
	)
	cmd := &cobra.Command{
		Use:   "spectra (--table FILE | --ra RA --dec DEC | --pos POS) [--registry URL] [--radius R] [--send [--to NAME]]",
		Short: "Find spectra near positions in every ObsCore and SSA service of the Registry",
		Long: `Asks the Registry for the ObsCore (TAP) and SSA services, all at once: to each ObsCore
service that accepts uploads the positions go as a table joined against ivoa.obscore
(spectra only); each SSA service is asked around every position. A dataset offered by
several services is given once. Each spectrum is listed, or with --send given to SPLAT
(--to) over SAMP with spectrum.load.ssa-generic as soon as its service answers.
Positions come from the pos.eq.ra/pos.eq.dec columns of --table, or from --ra/--dec
or --pos (coordinates or an object name).`,
		Example: `  voagent spectra --table targets.vot --registry http://127.0.0.1:8080/tap --radius 30
  voagent spectra --ra 150 --dec 2 --radius 60 --send --to splat
  voagent spectra --pos "10:00:28.6 +02:12:21" --radius 1arcmin`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			positions, rows, err := spectraPositions(cmd, table, pf)
			if err != nil {
				return err
			}
			r, _, err := pf.radiusDeg()
			if err != nil {
				return err
			}
			radius := r * 3600
			if !cmd.Flags().Changed("registry") {
				reg = ""
			}
			if err := refuseName(cmd, "each spectrum keeps its service's title"); err != nil {
				return err
			}
			send := sendFlag(cmd) != ""
			if name := sendFlag(cmd); name != "" && name != sendDefault {
				to = sendTarget(name)
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
	pf = addPosFlags(cmd, posSpec{What: "the position (without --table)", Radius: true, RadiusUnit: "arcsec", RadiusDefault: "10", RadiusHelp: "search radius around each position"})
	pf.cfgPath = &cfgPath
	f.StringVar(&reg, "registry", registry.DefaultURL(), "RegTAP service listing the ObsCore and SSA services (default: spectra.registry of the configuration, else this)")
	addSendFlag(f)
	f.Lookup("send").Usage = "send each spectrum over SAMP (spectrum.load.ssa-generic): to --to, or to the client NAME given (--send splat)"
	f.StringVar(&to, "to", "splat", `samp.name of the receiver with --send ("" for every subscriber)`)
	cmd.MarkFlagsMutuallyExclusive("table", "ra")
	cmd.MarkFlagsMutuallyExclusive("table", "dec")
	cmd.MarkFlagsMutuallyExclusive("table", "pos")
	return cmd
}

// spectraPositions reads the positions from --table (with the row of each),
// or takes --ra/--dec or --pos.
func spectraPositions(cmd *cobra.Command, table string, pf *posFlags) ([]agent.Position, []int, error) {
	if table == "" {
		if !pf.given() {
			return nil, nil, errors.New("give --table FILE, or --ra and --dec, or --pos")
		}
		var pos agent.Position
		var err error
		if pos.RA, pos.Dec, err = pf.position(cmd.Context()); err != nil {
			return nil, nil, err
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
