package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/voagent/voagent/samp/connection"
	"github.com/voagent/voagent/samp/connector"
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
func newSendLoadCmd(g *globals, o *sendOptions, use, short, what, idKey string, mtype func(arg string) string) *cobra.Command {
	var name, id string
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			msg, err := resourceMessage(mtype(args[0]), args[0], idKey, id, name, nil)
			if err != nil {
				return err
			}
			return sampSend(cmd, g, *o, msg)
		},
	}
	cmd.Flags().StringVar(&name, "name", "", what+" name shown by the receiver (default: the file name)")
	cmd.Flags().StringVar(&id, idKey, "", idKey+" to send (default: derived from the URL)")
	return cmd
}

func newSendTableCmd(g *globals, o *sendOptions) *cobra.Command {
	return newSendLoadCmd(g, o, "table FILE|URL", "Send a table (table.load.votable, or table.load.fits for .fits files)",
		"table", "table-id", func(arg string) string {
			if isFITS(arg) {
				return "table.load.fits"
			}
			return "table.load.votable"
		})
}

func newSendImageCmd(g *globals, o *sendOptions) *cobra.Command {
	return newSendLoadCmd(g, o, "image FILE|URL", "Send a FITS image (image.load.fits)", "image", "image-id",
		func(string) string { return "image.load.fits" })
}

func newSendSpectrumCmd(g *globals, o *sendOptions) *cobra.Command {
	var name, id string
	var meta []string
	cmd := &cobra.Command{
		Use:   "spectrum FILE|URL",
		Short: "Send a spectrum (spectrum.load.ssa-generic)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m := map[string]any{}
			for _, kv := range meta {
				k, v, ok := strings.Cut(kv, "=")
				if !ok || strings.TrimSpace(k) == "" {
					return fmt.Errorf("--meta %q: want KEY=VALUE", kv)
				}
				m[strings.TrimSpace(k)] = v
			}
			msg, err := resourceMessage("spectrum.load.ssa-generic", args[0], "spectrum-id", id, name, map[string]any{"meta": m})
			if err != nil {
				return err
			}
			return sampSend(cmd, g, *o, msg)
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "spectrum name shown by the receiver (default: the file name)")
	cmd.Flags().StringVar(&id, "spectrum-id", "", "spectrum-id to send (default: derived from the URL)")
	cmd.Flags().StringArrayVar(&meta, "meta", nil, "SSA metadata KEY=VALUE (repeatable), e.g. Access.Format=application/x-votable+xml")
	return cmd
}

func newSendPointCmd(g *globals, o *sendOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "point RA DEC",
		Short: "Point the receivers at a sky position (coord.pointAt.sky, degrees ICRS)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ra, err := strconv.ParseFloat(args[0], 64)
			if err != nil || ra < 0 || ra >= 360 {
				return fmt.Errorf("RA %q: want degrees in [0, 360)", args[0])
			}
			dec, err := strconv.ParseFloat(args[1], 64)
			if err != nil || dec < -90 || dec > 90 {
				return fmt.Errorf("Dec %q: want degrees in [-90, 90]", args[1])
			}
			msg := connection.NewMessage("coord.pointAt.sky", map[string]any{
				"ra": connection.Float(ra), "dec": connection.Float(dec)})
			return sampSend(cmd, g, *o, msg)
		},
	}
}

func isFITS(s string) bool {
	ext := strings.ToLower(path.Ext(strings.TrimSuffix(strings.SplitN(s, "?", 2)[0], ".gz")))
	return ext == ".fits" || ext == ".fit" || ext == ".fts"
}

// resourceMessage builds a *.load.* message whose url parameter is arg: a
// URL as given, or a local file as a file: URL of its absolute path, which
// stays readable after the command exits (receivers may read it after
// replying). name defaults to the file name, id to one derived from the URL.
func resourceMessage(mtype, arg, idKey, id, name string, extra map[string]any) (connection.Message, error) {
	u, err := resourceURL(arg)
	if err != nil {
		return connection.Message{}, err
	}
	if name == "" {
		name = path.Base(strings.SplitN(arg, "?", 2)[0])
	}
	if id == "" {
		sum := sha256.Sum256([]byte(u))
		id = "voagent-" + hex.EncodeToString(sum[:6])
	}
	params := map[string]any{"url": u, "name": name, idKey: id}
	for k, v := range extra {
		params[k] = v
	}
	return connection.NewMessage(mtype, params), nil
}

// tableMessage is the table.load.votable message for the VOTable file (or
// URL) arg, shown by the receiver as name.
func tableMessage(arg, name string) (connection.Message, error) {
	return resourceMessage("table.load.votable", arg, "table-id", "", name, nil)
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

// sampSend is where every command of voagent sends over SAMP: it
// connects to the hub, sends msg as a call to the clients named o.to (or
// every subscribed client when o.to is empty) and prints each reply on the
// command's stdout. It fails when no client received the message, a reply
// is samp.error, or replies are missing after o.timeout.
func sampSend(cmd *cobra.Command, g *globals, o sendOptions, msg connection.Message) error {
	ctx, cancel := context.WithTimeout(cmd.Context(), o.timeout)
	defer cancel()
	if _, _, err := findHub(ctx); err != nil {
		return err
	}
	c := connector.New(connector.Options{
		Metadata: map[string]any{"samp.name": "voagent-send", "samp.description.text": "voagent send"},
		Logger:   g.quietLogger(ctx),
	})
	runCtx, stopRun := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan error, 1)
	go func() { done <- c.Run(runCtx) }()
	defer func() { stopRun(); <-done }()
	if err := c.WaitConnected(ctx); err != nil {
		return err
	}

	var recipients []string
	var replies <-chan connector.Reply
	names := map[string]string{}
	for _, cl := range c.Clients() {
		names[cl.ID] = cl.Name()
	}
	if o.to == "" {
		ids, ch, err := c.CallAllAsync(ctx, msg)
		if err != nil {
			return err
		}
		recipients, replies = ids, ch
	} else {
		targets := c.FindClients(o.to)
		if len(targets) == 0 {
			return fmt.Errorf("no SAMP client named %q (registered: %s)", o.to, knownNames(c.Clients()))
		}
		merged := make(chan connector.Reply, len(targets))
		pending := 0
		for _, t := range targets {
			if !t.Subscribed(msg.MType) {
				return fmt.Errorf("%s (%s) is not subscribed to %s", t.ID, t.Name(), msg.MType)
			}
			ch, err := c.CallAsync(ctx, t.ID, msg)
			if err != nil {
				return err
			}
			recipients = append(recipients, t.ID)
			pending++
			go func() {
				for r := range ch {
					merged <- r
				}
			}()
		}
		// merged is never closed: stop after one reply per recipient.
		replies = firstN(ctx, merged, pending)
	}
	if len(recipients) == 0 {
		return fmt.Errorf("no SAMP client is subscribed to %s", msg.MType)
	}
	out := cmd.OutOrStdout()
	got := map[string]bool{}
	failed := 0
	for r := range replies {
		got[r.ResponderID] = true
		line := fmt.Sprintf("%s (%s): %s", r.ResponderID, names[r.ResponderID], r.Response.Status)
		if r.Response.Error != nil && r.Response.Error.ErrorTxt != "" {
			line += ": " + r.Response.Error.ErrorTxt
		}
		fmt.Fprintln(out, line)
		if r.Response.Status == connection.StatusError {
			failed++
		}
	}
	var missing []string
	for _, id := range recipients {
		if !got[id] {
			missing = append(missing, fmt.Sprintf("%s (%s)", id, names[id]))
		}
	}
	switch {
	case len(missing) > 0:
		return fmt.Errorf("no reply from %s within %v", strings.Join(missing, ", "), o.timeout)
	case failed > 0:
		return fmt.Errorf("%d of %d receivers answered samp.error", failed, len(recipients))
	}
	return nil
}

// firstN forwards n values from in, then closes the result (earlier when
// ctx is done).
func firstN(ctx context.Context, in <-chan connector.Reply, n int) <-chan connector.Reply {
	out := make(chan connector.Reply, n)
	go func() {
		defer close(out)
		for range n {
			select {
			case r := <-in:
				out <- r
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

func knownNames(cls []connector.Client) string {
	var names []string
	for _, c := range cls {
		if n := c.Name(); n != "" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
