package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/voagent/voagent/agent"
	"github.com/voagent/voagent/agent/api"
	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/vo/adql"
)

func newVicinityCmd(g *globals) *cobra.Command {
	var (
		cfgPath string
		pos     agent.Position
		radius  float64
		pf      *posFlags
		outDir  string
	)
	cmd := &cobra.Command{
		Use:   "vicinity (--ra RA --dec DEC | --pos POS) [--radius R] [--config FILE] [--output-dir DIR | --send]",
		Short: "Search the configured catalogues and image services around a position",
		Long: `Runs the agent's vicinity search once: every [[catalog]] and [[images]] service of the
configuration, at once, each within search.timeout. Without --send the answers are
written to --output-dir (one VOTable per catalogue, the first FITS image of each image
service). With --send they go over SAMP as when a row is highlighted in TOPCAT: Aladin
(vicinity.point_at) is pointed there, the tables go to vicinity.send_to and the images
to vicinity.images_to.`,
		Example: `  voagent vicinity --config voagent.toml --ra 150.2 --dec 2.1 --output-dir near/
  voagent vicinity --config voagent.toml --ra 150.2 --dec 2.1 --radius 30 --send
  voagent vicinity --pos M31 --radius 2arcmin --send
  voagent vicinity --pos "10:00:28.6 +02:12:21" --output-dir near/`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if pos.RA, pos.Dec, err = pf.position(cmd.Context()); err != nil {
				return err
			}
			if r, ok, err := pf.radiusDeg(); err != nil {
				return err
			} else if ok {
				radius = r * 3600
			}
			if err := adql.CheckPosition(pos.RA, pos.Dec); err != nil {
				return fmt.Errorf("--ra/--dec: %w", err)
			}
			cfg, err := config.Load(cfgPath)
			if err != nil {
				return err
			}
			if len(cfg.Catalogs)+len(cfg.Images) == 0 {
				return errors.New("the configuration names no [[catalog]] or [[images]] service to search")
			}
			if radius > 0 {
				cfg.Search.RadiusArcsec = radius
				for i := range cfg.Catalogs {
					cfg.Catalogs[i].RadiusArcsec = 0
				}
				for i := range cfg.Images {
					cfg.Images[i].RadiusArcsec = 0
				}
			}
			if err := cfg.Validate(); err != nil {
				return err
			}
			if err := refuseName(cmd, "each table is named after its catalogue"); err != nil {
				return err
			}
			switch to := sendFlag(cmd); {
			case to == sendDefault:
				return vicinitySend(cmd, g, cfgPath, pos, radius)
			case to != "":
				return fmt.Errorf("%w (vicinity.send_to, point_at, images_to): give --send without a name", errNoSendName)
			}
			return vicinityFiles(cmd, g.log, cfg, pos, outDir)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfgPath, "config", "", "configuration file (default "+config.DefaultPath()+" when present)")
	pf = addPosFlags(cmd, posSpec{Radius: true, RadiusUnit: "arcsec", RadiusHelp: "cone radius for every service (default: the configuration's)"})
	pf.cfgPath = &cfgPath
	f.StringVar(&outDir, "output-dir", ".", "where the answers are written (without --send)")
	addSendFlag(f)
	f.Lookup("send").Usage = "send the answers over SAMP instead of writing them, as a highlighted row does (to vicinity.send_to, point_at and images_to of the configuration)"
	cmd.MarkFlagsMutuallyExclusive("send", "output-dir")
	return cmd
}

// vicinityFiles writes each answer to dir and prints a line per service.
func vicinityFiles(cmd *cobra.Command, log *slog.Logger, cfg config.Config, pos agent.Position, dir string) error {
	a := agent.New(cfg, log)
	if err := a.KeepResultsIn(dir); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVICE\tFOUND\tFILE")
	sum, err := a.FindVicinity(cmd.Context(), pos, agent.VicinityOptions{}, func(_ context.Context, f agent.Found) {
		switch {
		case f.Err != nil:
			fmt.Fprintf(tw, "%s\tfailed\t%v\n", f.Catalog, f.Err)
		case f.Table != nil:
			note := ""
			if f.Truncation != nil {
				note = " (truncated)"
			}
			fmt.Fprintf(tw, "%s\t%d rows%s\t%s\n", f.Catalog, f.Table.Data.Rows(), note, strings.TrimPrefix(f.Table.URL, "file://"))
		case f.ImageURL != "":
			fmt.Fprintf(tw, "%s\t%d images\t%s\n", f.Catalog, len(f.Images), strings.TrimPrefix(f.ImageURL, "file://"))
		default:
			fmt.Fprintf(tw, "%s\t0 images\t-\n", f.Catalog)
		}
	})
	tw.Flush()
	fmt.Fprintln(cmd.ErrOrStderr(), sum.String())
	if err != nil {
		return err
	}
	if sum.OK == 0 {
		return errors.New("no service answered")
	}
	return nil
}

// vicinitySend runs the search as a highlighted row does, in the running
// agent (which keeps and serves the results; its configuration applies),
// else in an agent run by this command on the running hub.
func vicinitySend(cmd *cobra.Command, g *globals, cfgPath string, pos agent.Position, radius float64) error {
	return withAgent(cmd.Context(), g, cfgPath, func(ctx context.Context, ag agentAPI) error {
		reps, err := ag.Vicinity(ctx, api.VicinityRequest{Position: &api.Position{RA: pos.RA, Dec: pos.Dec},
			RadiusArcsec: radius, Send: true})
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SERVICE\tFOUND\tSENT TO\tFILE")
		answered, found, delivered := 0, 0, 0
		for _, rep := range reps {
			answered += rep.Search.Answered
			delivered += rep.Search.Delivered
			for _, r := range rep.Results {
				if r.Kind == "image" || r.Rows > 0 {
					found++
				}
			}
			for _, r := range rep.Results {
				to := strings.Join(r.SentTo, ",")
				if r.SendError != "" {
					to = "not sent: " + r.SendError
				} else if to == "" {
					to = "-"
				}
				fmt.Fprintf(tw, "%s\t%d %ss\t%s\t%s\n", r.Service, r.Rows, map[string]string{"table": "row", "image": "image"}[r.Kind], to, r.Path)
			}
			fmt.Fprintln(cmd.ErrOrStderr(), rep.Summary)
		}
		tw.Flush()
		switch {
		case answered == 0:
			return errors.New("no service answered")
		case found > 0 && delivered == 0:
			return fmt.Errorf("none of the %d results was delivered (listed above; kept in the agent)", found)
		}
		return nil
	})
}
