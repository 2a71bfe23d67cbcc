package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/voagent/voagent/agent/client"
	"github.com/voagent/voagent/agent/events"
)

func newEventsCmd(g *globals) *cobra.Command {
	var asJSON, all bool
	var types []string
	cmd := &cobra.Command{
		Use:   "events",
		Short: "Follow the running agent's events (searches, results, hub, configuration)",
		Long: `Follow the event stream of the running voagent until interrupted: searches started and
finished (rows per service, failures), results stored and sent, hub lost and found,
configuration reloaded or rejected, spectra delivered, messages refused.`,
		Example: `  voagent events
  voagent events --json --types search.finished,service.failed`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			c := client.New("")
			since := client.FromNow
			if all {
				since = 0
			}
			var ts []events.Type
			for _, t := range types {
				ts = append(ts, events.Type(t))
			}
			out := cmd.OutOrStdout()
			enc := json.NewEncoder(out)
			err := c.Events(cmd.Context(), since, ts, func(e events.Event) error {
				if asJSON {
					return enc.Encode(e)
				}
				return printEvent(out, e)
			})
			if cmd.Context().Err() != nil {
				return nil
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "one JSON object a line (agent/events.Event)")
	cmd.Flags().BoolVar(&all, "all", false, "first the events the agent remembers")
	cmd.Flags().StringSliceVar(&types, "types", nil, "only these event types")
	return cmd
}

// printEvent writes one line for e.
func printEvent(w io.Writer, e events.Event) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %-17s", e.Time.Format("15:04:05.000"), e.Type)
	add := func(k string, v any) { fmt.Fprintf(&b, " %s=%v", k, v) }
	if e.Search != "" {
		add("search", e.Search)
	}
	if e.RA != nil && e.Dec != nil {
		add("pos", fmt.Sprintf("%.5f,%+.5f", *e.RA, *e.Dec))
	}
	for _, kv := range []struct {
		k string
		v string
	}{{"kind", e.Kind}, {"trigger", e.Trigger}, {"service", e.Service}, {"result", e.Result}, {"to", e.To},
		{"table", e.Table}, {"from", e.From}, {"mtype", e.MType}, {"hub", e.Hub}, {"path", e.Path}} {
		if kv.v != "" {
			add(kv.k, kv.v)
		}
	}
	if e.Rows > 0 {
		add("rows", e.Rows)
	}
	if e.Type == events.SearchFinished {
		add("answered", fmt.Sprintf("%d/%d", e.Answered, e.Services))
		add("delivered", e.Count)
		for _, c := range e.Counts {
			add(c.Service, c.Rows)
		}
		if e.Superseded {
			add("superseded", true)
		}
		add("elapsed", e.Elapsed.Round(time.Millisecond))
	}
	if e.OwnHub {
		add("own", true)
	}
	if e.Error != "" {
		add("error", fmt.Sprintf("%q", e.Error))
	}
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}
