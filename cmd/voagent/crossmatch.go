package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/voagent/voagent/agent"
	"github.com/voagent/voagent/agent/api"
	"github.com/voagent/voagent/agent/client"
	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/samp/profile"
	"github.com/voagent/voagent/vo/votable"
)

func newCrossmatchCmd(g *globals) *cobra.Command {
	var (
		cfgPath, table, tableID, radius, join, to, out, format string
		asJSON                                                 bool
	)
	cmd := &cobra.Command{
		Use:   "crossmatch CATALOG [--table FILE | --table-id ID] [--radius 2arcsec] [--join all1|1and2] [--send [--to NAME]] [--out FILE]",
		Short: "Cross-match a table with a configured catalogue, as the agent does for TOPCAT",
		Long: `Joins a table with a [[catalog]] of the configuration: the agent's cross-match
(voagent.crossmatch over SAMP, POST /v1/crossmatch of the control API). A catalogue of
kind "tap" whose service takes uploads gets the table uploaded in chunks and joined
server-side; otherwise one cone search per row. Each row's best match within the radius
is kept, with sep_arcsec (null where none; join all1) or only matched rows (join 1and2).

The table is --table FILE (read by the agent), or --table-id, a table the running agent
holds ("last", the default: the one a tool sent it last). Through the running agent when
one runs (the result is kept and listed in 'voagent status'; --send delivers it to --to,
default vicinity.send_to); otherwise in this process (--send then needs a running hub).
--out copies the joined table (VOTable, or CSV by extension).`,
		Example: `  voagent crossmatch 2MASS --table targets.vot --radius 2arcsec --out matched.vot
  voagent crossmatch AllWISE --table-id last --send --to topcat`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := refuseName(cmd, "the agent names the joined table after the table and the catalogue"); err != nil {
				return err
			}
			send := sendFlag(cmd) != ""
			if n := sendFlag(cmd); n != "" && n != sendDefault {
				to = n // --send NAME
			}
			req := api.CrossmatchRequest{Catalog: args[0], TableID: tableID, Radius: radius, Join: join, Send: send, To: to}
			if table != "" {
				if tableID != "" {
					return fmt.Errorf("give --table or --table-id, not both")
				}
				abs, err := filepath.Abs(table)
				if err != nil {
					return err
				}
				if _, err := os.Stat(abs); err != nil {
					return fmt.Errorf("--table: %w", err)
				}
				req.URL = profile.FileURL(abs)
			}
			ctx := cmd.Context()
			var rep api.CrossmatchReport
			var err error
			c := client.New("")
			switch {
			case c.Running(ctx) || send:
				err = withAgent(ctx, g, cfgPath, func(ctx context.Context, ag agentAPI) error {
					if ip, ok := ag.(inProcess); ok {
						rep, err = ip.a.Crossmatch(ctx, req, "cli")
						return err
					}
					rep, err = c.Crossmatch(ctx, req)
					return err
				})
			case table == "":
				return fmt.Errorf("no voagent is running to hold a table: give --table FILE")
			default:
				rep, err = crossmatchHere(cmd, g, cfgPath, req, out, format)
				if err != nil {
					return err
				}
				out = "" // written already
			}
			if err != nil {
				return err
			}
			if out != "" {
				if err := copyResult(cmd, rep.Result.Path, out, format); err != nil {
					return err
				}
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(rep)
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "%s: %d of %d rows matched within %g\" (%s", rep.Catalog, rep.Matched, rep.InputRows, rep.RadiusArcsec, rep.Method)
			if rep.Chunks > 0 {
				fmt.Fprintf(w, ", %d chunk%s", rep.Chunks, map[bool]string{true: "s"}[rep.Chunks > 1])
			}
			fmt.Fprintf(w, ", %s): %d rows", rep.Search.Elapsed.Round(1e6), rep.Result.Rows)
			if rep.FailedRows > 0 {
				fmt.Fprintf(w, "; %d rows not searched: %v", rep.FailedRows, rep.Errors)
			}
			fmt.Fprintln(w)
			if len(rep.Result.SentTo) > 0 {
				fmt.Fprintf(w, "sent to %v as %s\n", rep.Result.SentTo, rep.Result.ID)
			} else if out == "" && rep.Result.Path != "" && c.Running(ctx) {
				fmt.Fprintf(w, "kept by the agent: %s (table-id %s)\n", rep.Result.Path, rep.Result.ID)
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&cfgPath, "config", "", "configuration file (default: the usual path); the running agent uses its own")
	fl.StringVar(&table, "table", "", "the table to match (VOTable or CSV file)")
	fl.StringVar(&tableID, "table-id", "", "a table the running agent holds (\"last\": the one sent last)")
	fl.StringVarP(&radius, "radius", "r", "", "match radius with units, e.g. 2arcsec (default crossmatch.radius_arcsec)")
	fl.StringVar(&join, "join", "", "all1 (every row) or 1and2 (matched rows only); default crossmatch.join")
	addSendFlag(fl)
	fl.Lookup("send").Usage = "send the joined table over SAMP (table.load.votable): to --to (default vicinity.send_to), or to the client NAME given (--send topcat)"
	fl.StringVar(&to, "to", "", "with --send: the client's samp.name (default vicinity.send_to; * for all)")
	fl.StringVarP(&out, "out", "o", "", "write the joined table here (.csv for CSV, else VOTable; - for standard output)")
	fl.StringVar(&format, "format", "", "output format of --out (votable, tabledata, binary, binary2, csv)")
	fl.BoolVar(&asJSON, "json", false, "print the report as JSON")
	return cmd
}

// crossmatchHere runs the cross-match in an agent of this process that
// joins no hub, writes the joined table to out (when given) and removes
// the agent's result file.
func crossmatchHere(cmd *cobra.Command, g *globals, cfgPath string, req api.CrossmatchRequest, out, format string) (api.CrossmatchReport, error) {
	ctx := cmd.Context()
	cfg, err := config.Load(cfgPath)
	if err != nil {
		return api.CrossmatchReport{}, err
	}
	dir, err := os.MkdirTemp("", "voagent-crossmatch-")
	if err != nil {
		return api.CrossmatchReport{}, err
	}
	defer os.RemoveAll(dir)
	a := agent.New(cfg, g.quietLogger(ctx))
	if err := a.KeepResultsIn(dir); err != nil {
		return api.CrossmatchReport{}, err
	}
	rep, err := a.Crossmatch(ctx, req, "cli")
	if err != nil {
		return rep, err
	}
	if out != "" {
		if err := copyResult(cmd, rep.Result.Path, out, format); err != nil {
			return rep, err
		}
	}
	rep.Result.Path, rep.Result.URL = "", ""
	return rep, nil
}

// copyResult writes the joined table at path to out, in the format asked
// (by --format or out's extension).
func copyResult(cmd *cobra.Command, path, out, format string) error {
	if path == "" {
		return fmt.Errorf("the cross-match kept no file to copy")
	}
	f, err := outputFormat(cmd, out, format)
	if err != nil {
		return err
	}
	t, err := votable.ReadTableFile(cmd.Context(), path)
	if err != nil {
		return err
	}
	return writeOutput(cmd, out, func(w io.Writer) error { return votable.WriteTableFormat(w, t, f) })
}
