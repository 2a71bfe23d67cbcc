package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

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

// clientStatus is one registered client in 'voagent status --json'.
type clientStatus struct {
	ID            string         `json:"id"`
	Name          string         `json:"name"`
	Metadata      map[string]any `json:"metadata"`
	Subscriptions []string       `json:"subscriptions"`
	Error         string         `json:"error,omitempty"`
}

// hubStatus is the output of 'voagent status --json'.
type hubStatus struct {
	Lockfile string         `json:"lockfile"`
	HubURL   string         `json:"hub_url"`
	HubID    string         `json:"hub_id"`
	Clients  []clientStatus `json:"clients"`
}

func newStatusCmd(g *globals) *cobra.Command {
	var asJSON bool
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the SAMP hub and its registered clients",
		Long: `Show the SAMP hub (found from $SAMP_HUB, else ~/.samp) and every registered
client with its id, name and subscriptions. voagent registers briefly to ask.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			st, err := collectStatus(ctx)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(st)
			}
			return printStatus(cmd.OutOrStdout(), st)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().DurationVar(&timeout, "timeout", 20*time.Second, "give up after this long")
	return cmd
}

func collectStatus(ctx context.Context) (*hubStatus, error) {
	loc, lock, err := findHub(ctx)
	if err != nil {
		return nil, err
	}
	conn, err := connection.Register(ctx, lock, connection.Options{})
	if err != nil {
		return nil, err
	}
	defer func() {
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		conn.Unregister(uctx)
	}()
	if err := conn.DeclareMetadata(ctx, map[string]any{"samp.name": "voagent-status",
		"samp.description.text": "voagent status (lists the clients, then leaves)"}); err != nil {
		return nil, err
	}
	ids, err := conn.GetRegisteredClients(ctx)
	if err != nil {
		return nil, err
	}
	sort.Strings(ids)
	st := &hubStatus{Lockfile: loc.URL, HubURL: lock.XMLRPCURL, HubID: conn.HubID(), Clients: []clientStatus{}}
	for _, id := range ids {
		cs := clientStatus{ID: id, Subscriptions: []string{}}
		md, err := conn.GetMetadata(ctx, id)
		if err == nil {
			var subs map[string]any
			subs, err = conn.GetSubscriptions(ctx, id)
			for k := range subs {
				cs.Subscriptions = append(cs.Subscriptions, k)
			}
		}
		if err != nil {
			cs.Error = err.Error() // it may have just left
		}
		cs.Metadata = md
		cs.Name, _ = md["samp.name"].(string)
		sort.Strings(cs.Subscriptions)
		st.Clients = append(st.Clients, cs)
	}
	return st, nil
}

func printStatus(w io.Writer, st *hubStatus) error {
	fmt.Fprintf(w, "hub       %s\nlockfile  %s\nclients   %d\n\n", st.HubURL, st.Lockfile, len(st.Clients))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tSUBSCRIPTIONS")
	for _, c := range st.Clients {
		name := c.Name
		if name == "" {
			name = "-"
		}
		if c.ID == st.HubID {
			name += " (hub)"
		}
		subs := strings.Join(c.Subscriptions, " ")
		if c.Error != "" {
			subs = "error: " + c.Error
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.ID, name, subs)
	}
	return tw.Flush()
}
