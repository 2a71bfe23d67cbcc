package agent

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/voagent/voagent/samp/connection"
	"github.com/voagent/voagent/vo/dataset"
)

// ErrNoRecipient is returned when no registered client can take a message.
var ErrNoRecipient = errors.New("no recipient")

// recipients returns the ids of the clients named name (every client when
// name is "") that subscribe to mtype.
func (a *Agent) recipients(name, mtype string) ([]string, error) {
	cls := a.conn.Clients()
	if name != "" {
		cls = a.conn.FindClients(name)
	}
	var ids []string
	for _, c := range cls {
		if c.Subscribed(mtype) {
			ids = append(ids, c.ID)
		}
	}
	if len(ids) == 0 {
		who := "client"
		if name != "" {
			who = "client named " + strconv.Quote(name)
		}
		return nil, fmt.Errorf("%w: no %s subscribed to %s is registered", ErrNoRecipient, who, mtype)
	}
	return ids, nil
}

// send calls mtype with params on the clients named to (all subscribers when
// to is ""), each with the connector's deadline, and joins their failures.
func (a *Agent) send(ctx context.Context, to, mtype string, params map[string]any) error {
	ids, err := a.recipients(to, mtype)
	if err != nil {
		return err
	}
	var errs []error
	for _, id := range ids {
		resp, err := a.conn.Call(ctx, id, connection.NewMessage(mtype, params))
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("%s to %s: %w", mtype, id, err))
		case resp.Err() != nil:
			errs = append(errs, fmt.Errorf("%s to %s: %w", mtype, id, resp.Err()))
		}
	}
	return errors.Join(errs...)
}

// SendTable offers t to the clients named to (every subscriber when to is
// "") with table.load.votable, giving its url, table-id and name.
func (a *Agent) SendTable(ctx context.Context, to string, t *Table) error {
	return a.send(ctx, to, "table.load.votable", map[string]any{"url": t.URL, "table-id": t.ID, "name": t.Name})
}

// PointAt asks the clients named to (every subscriber when to is "") to look
// at pos with coord.pointAt.sky.
func (a *Agent) PointAt(ctx context.Context, to string, pos Position) error {
	return a.send(ctx, to, "coord.pointAt.sky", map[string]any{
		"ra": strconv.FormatFloat(pos.RA, 'f', -1, 64), "dec": strconv.FormatFloat(pos.Dec, 'f', -1, 64)})
}

// SendImage offers the FITS image at url to the clients named to (every
// subscriber when to is "") with image.load.fits, under the image-id and
// name of img (its access URL and file name).
func (a *Agent) SendImage(ctx context.Context, to, url string, img dataset.Access) error {
	return a.send(ctx, to, "image.load.fits", map[string]any{"url": url, "image-id": img.URL, "name": img.Name})
}

// SendSpectrum offers a spectrum to the clients named to (every subscriber
// when to is "") with spectrum.load.ssa-generic: its URL, its
// obs_publisher_did as spectrum-id, and the SSA metadata SPLAT reads
// (Access.Reference, Access.Format, Target.Name).
func (a *Agent) SendSpectrum(ctx context.Context, to string, s Spectrum) error {
	meta := map[string]any{"Access.Reference": s.Access.URL}
	if s.Access.Format != "" {
		meta["Access.Format"] = s.Access.Format
	}
	if s.Target != "" {
		meta["Target.Name"] = s.Target
	}
	return a.send(ctx, to, "spectrum.load.ssa-generic", map[string]any{
		"url": s.Access.URL, "spectrum-id": s.ID, "name": s.Access.Name, "meta": meta})
}
