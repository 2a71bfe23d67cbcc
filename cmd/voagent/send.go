package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/voagent/voagent/agent/api"
	"github.com/voagent/voagent/samp/profile"
)

// sendOptions are the flags every 'voagent send' command shares.
type sendOptions struct {
	to      string
	timeout time.Duration
}

func newSendCmd(g *globals) *cobra.Command {
	o := &sendOptions{}
	cmd := &cobra.Command{
		Use:   "send",
		Short: "Send a table, image, spectrum or sky position to SAMP clients",
		Long: `Send a table, image, spectrum or sky position to the SAMP clients (TOPCAT,
Aladin, SPLAT...). Without --to the message goes to every client subscribed
to it. A local file is sent as the file: URL of its absolute path, so
receivers can read it after replying too. The hub is found from $SAMP_HUB, else ~/.samp.`,
	}
	cmd.PersistentFlags().StringVar(&o.to, "to", "", "send only to the client(s) with this samp.name (case-insensitive)")
	cmd.PersistentFlags().DurationVar(&o.timeout, "timeout", 60*time.Second, "how long to wait for the replies")
	cmd.AddCommand(newSendTableCmd(g, o), newSendImageCmd(g, o), newSendSpectrumCmd(g, o), newSendPointCmd(g, o))
	return cmd
}

// newSendLoadCmd builds a command sending a *.load.* message for a file or
// URL: mtype picks the MType from the argument, idKey names the id
// parameter (table-id, image-id).
func newSendLoadCmd(g *globals, o *sendOptions, use, short, what, kind string) *cobra.Command {
	idKey := kind + "-id"
	var name, id string
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req, err := resourceRequest(kind, args[0], id, name, nil)
			if err != nil {
				return err
			}
			return sampSend(cmd, g, *o, req)
		},
	}
	cmd.Flags().StringVar(&name, "name", "", what+" name shown by the receiver (default: the file name)")
	cmd.Flags().StringVar(&id, idKey, "", idKey+" to send (default: derived from the URL)")
	return cmd
}

func newSendTableCmd(g *globals, o *sendOptions) *cobra.Command {
	return newSendLoadCmd(g, o, "table FILE|URL", "Send a table (table.load.votable, or table.load.fits for .fits files)",
		"table", "table")
}

func newSendImageCmd(g *globals, o *sendOptions) *cobra.Command {
	return newSendLoadCmd(g, o, "image FILE|URL", "Send a FITS image (image.load.fits)", "image", "image")
}

func newSendSpectrumCmd(g *globals, o *sendOptions) *cobra.Command {
	var name, id string
	var meta []string
	cmd := &cobra.Command{
		Use:   "spectrum FILE|URL",
		Short: "Send a spectrum (spectrum.load.ssa-generic)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m := map[string]string{}
			for _, kv := range meta {
				k, v, ok := strings.Cut(kv, "=")
				if !ok || strings.TrimSpace(k) == "" {
					return fmt.Errorf("--meta %q: want KEY=VALUE", kv)
				}
				m[strings.TrimSpace(k)] = v
			}
			req, err := resourceRequest("spectrum", args[0], id, name, m)
			if err != nil {
				return err
			}
			return sampSend(cmd, g, *o, req)
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "spectrum name shown by the receiver (default: the file name)")
	cmd.Flags().StringVar(&id, "spectrum-id", "", "spectrum-id to send (default: derived from the URL)")
	cmd.Flags().StringArrayVar(&meta, "meta", nil, "SSA metadata KEY=VALUE (repeatable), e.g. Access.Format=application/x-votable+xml")
	return cmd
}

func newSendPointCmd(g *globals, o *sendOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "point (RA DEC | POS)",
		Short: "Point the receivers at a sky position (coord.pointAt.sky)",
		Long: `Point the receivers at a sky position: RA and DEC in ICRS degrees or sexagesimal
(10h00m28.6s +2d12m21s), or one position string ("150.119 +2.206",
"10:00:28.6 +02:12:21") or object name (M31, resolved by [resolver] url).`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			p := &posFlags{pos: args[0]}
			if len(args) == 2 {
				p = &posFlags{ra: args[0], dec: args[1]}
			}
			ra, dec, err := p.position(cmd.Context())
			if err != nil {
				return err
			}
			return sampSend(cmd, g, *o, api.SendRequest{Kind: "point", Position: &api.Position{RA: ra, Dec: dec}})
		},
	}
}

// resourceRequest asks to send arg (kind "table", "image" or "spectrum"):
// a URL as given, or a local file as the file: URL of its absolute path,
// which stays readable after the command exits (receivers may read it
// after replying). name defaults to the file name; without id the agent
// gives one unique across its runs.
func resourceRequest(kind, arg, id, name string, meta map[string]string) (api.SendRequest, error) {
	u, err := resourceURL(arg)
	if err != nil {
		return api.SendRequest{}, err
	}
	if name == "" {
		name = path.Base(strings.SplitN(arg, "?", 2)[0])
	}
	return api.SendRequest{Kind: kind, URL: u, ID: id, Name: name, Meta: meta}, nil
}

// tableRequest asks to send the VOTable file (or URL) arg, shown by the
// receiver as name.
func tableRequest(arg, name string) (api.SendRequest, error) {
	return resourceRequest("table", arg, "", name, nil)
}

// resourceURL returns arg when it is a URL, else the file: URL of the
// local file arg.
func resourceURL(arg string) (string, error) {
	if u, err := url.Parse(arg); err == nil && len(u.Scheme) > 1 {
		switch u.Scheme {
		case "http", "https", "file", "ftp":
			return arg, nil
		}
		return "", fmt.Errorf("%q: unsupported URL scheme %q", arg, u.Scheme)
	}
	st, err := os.Stat(arg)
	if err != nil {
		return "", fmt.Errorf("sending %s: %w", arg, err)
	}
	if !st.Mode().IsRegular() {
		return "", fmt.Errorf("sending %s: not a regular file", arg)
	}
	return profile.FileURL(arg), nil
}

// sampSend is where every command of voagent sends over SAMP: through the
// running agent, else an agent in this process (withAgent), to the clients
// named o.to (every subscribed client when empty). It prints a line per
// recipient ("c3 (topcat): samp.ok") and fails when a recipient answered
// samp.error or did not answer within o.timeout, or none was found.
func sampSend(cmd *cobra.Command, g *globals, o sendOptions, req api.SendRequest) error {
	ctx, cancel := context.WithTimeout(cmd.Context(), o.timeout)
	defer cancel()
	req.To = o.to
	return withAgent(ctx, g, "", func(ctx context.Context, ag agentAPI) error {
		rep, err := ag.Send(ctx, req)
		out := cmd.OutOrStdout()
		for _, r := range rep.SentTo {
			fmt.Fprintf(out, "%s: samp.ok\n", r)
		}
		var failed []string
		for r := range rep.Failed {
			failed = append(failed, r)
		}
		sort.Strings(failed)
		for _, r := range failed {
			reason := rep.Failed[r]
			if !strings.HasPrefix(reason, "samp.error") {
				reason = "samp.error: " + reason
			}
			fmt.Fprintf(out, "%s: %s\n", r, reason)
		}
		switch {
		case err != nil:
			return err
		case len(failed) > 0:
			return fmt.Errorf("%d of %d receivers did not take the message", len(failed), len(failed)+len(rep.SentTo))
		case len(rep.SentTo) == 0:
			return errNothingSent
		}
		return nil
	})
}
