package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/voagent/voagent/agent/api"
	"github.com/voagent/voagent/samp/connection"
	"github.com/voagent/voagent/samp/profile"
)

// findHub locates the lockfile (SAMP_HUB, else ~/.samp), reads it and pings
// the hub, so that a missing or stale lockfile gives a clear error.
func findHub(ctx context.Context) (profile.Location, *profile.LockInfo, error) {
	loc, err := profile.Locate()
	if err != nil {
		return loc, nil, err
	}
	lock, err := profile.ReadLockfile(ctx, loc)
	if errors.Is(err, profile.ErrNoLockfile) {
		return loc, nil, fmt.Errorf("no SAMP hub is running (no lockfile at %s; start one with 'voagent hub' or TOPCAT)", loc.URL)
	}
	if err != nil {
		return loc, nil, err
	}
	if err := connection.Ping(ctx, lock.XMLRPCURL, connection.Options{}); err != nil {
		return loc, nil, fmt.Errorf("no SAMP hub is running: the lockfile %s is stale (%w)", loc.URL, err)
	}
	return loc, lock, nil
}

func newStatusCmd(g *globals) *cobra.Command {
	var asJSON bool
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the running agent: hub, clients, tables, searches, configuration",
		Long: `Show what the running voagent holds and is doing (through its control socket):
the SAMP hub (and whether it is voagent's own), the registered clients, the tables
held with their position columns, searches running and the last answer of each
service, the configuration file and its last reload error. When no agent runs,
the hub (from $SAMP_HUB, else ~/.samp) and its clients are shown.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			return withAgent(ctx, g, "", func(ctx context.Context, ag agentAPI) error {
				st, err := ag.Status(ctx)
				if err != nil {
					return err
				}
				if asJSON {
					enc := json.NewEncoder(cmd.OutOrStdout())
					enc.SetIndent("", "  ")
					return enc.Encode(st)
				}
				return printStatus(cmd.OutOrStdout(), st)
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (agent/api.Status)")
	cmd.Flags().DurationVar(&timeout, "timeout", 20*time.Second, "give up after this long")
	return cmd
}

func printStatus(w io.Writer, st api.Status) error {
	agent := fmt.Sprintf("voagent %s, pid %d, up %s, socket %s", st.Version, st.PID, st.Uptime.Round(time.Second), st.Socket)
	if st.Socket == "" {
		agent = "none running (this view is the hub's)"
	}
	hub := "not connected"
	if st.Hub.Connected {
		hub = st.Hub.URL
		if st.Hub.Own {
			hub += " (voagent's own hub)"
		}
	}
	fmt.Fprintf(w, "agent     %s\nhub       %s\nlockfile  %s\n", agent, hub, st.Hub.Lockfile)
	if st.Socket != "" {
		cfg := st.Config
		if cfg == "" {
			cfg = "embedded defaults"
		}
		fmt.Fprintf(w, "config    %s\n", cfg)
		if st.ReloadError != "" {
			fmt.Fprintf(w, "          last change refused: %s\n", st.ReloadError)
		}
		fmt.Fprintf(w, "results   %s\n", st.ResultsDir)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "\nCLIENT\tNAME\tSUBSCRIPTIONS\n")
	for _, c := range st.Hub.Clients {
		name := c.Name
		if name == "" {
			name = "-"
		}
		if c.ID == st.Hub.HubID {
			name += " (hub)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.ID, name, strings.Join(c.Subscriptions, " "))
	}
	if st.Socket == "" {
		return tw.Flush()
	}
	fmt.Fprintf(tw, "\nSERVICE\tKIND\tWHERE\tLAST ANSWER\n")
	for _, s := range append(append([]api.Service{}, st.Catalogues...), st.Images...) {
		where := s.URL
		if where == "" {
			where = s.IVOID
		}
		last := "-"
		if r, ok := st.LastResults[s.Name]; ok {
			last = fmt.Sprintf("%d rows", r.Rows)
			if r.Error != "" {
				last = "failed: " + r.Error
			}
		}
		if s.Problem != "" {
			last = "unusable: " + s.Problem
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Name, s.Kind, where, last)
	}
	fmt.Fprintf(tw, "\nTABLE\tROWS\tFROM\tPOSITION\n")
	for _, t := range st.Tables {
		name := t.ID
		if t.Name != "" {
			name += " (" + t.Name + ")"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", name, t.Rows, t.From, t.Position)
	}
	fmt.Fprintf(tw, "\nSEARCH\tAT\tSERVICES\tSTATE\n")
	for _, s := range append(append([]api.Search{}, st.Running...), st.Recent...) {
		state := "running"
		switch {
		case s.Superseded:
			state = "superseded"
		case s.Done:
			state = fmt.Sprintf("done in %s, %d delivered", s.Elapsed.Round(time.Millisecond), s.Delivered)
		}
		if len(s.Failed) > 0 {
			state += "; failed: " + strings.Join(s.Failed, "; ")
		}
		at := fmt.Sprintf("%.5f %+.5f", s.RA, s.Dec)
		if s.Kind == "spectra" || s.Kind == "crossmatch" {
			at = fmt.Sprintf("%d positions", s.Positions)
		}
		fmt.Fprintf(tw, "%s %s\t%s\t%d of %d\t%s\n", s.Kind, s.ID, at, s.Answered, s.Services, state)
	}
	if len(st.Plots) > 0 {
		fmt.Fprintf(tw, "\nSED PLOT\tAT\tFILE\n")
		for _, p := range st.Plots {
			fmt.Fprintf(tw, "%s\t%.5f %+.5f\t%s\n", p.Name, p.RA, p.Dec, p.Plot)
		}
	}
	return tw.Flush()
}
