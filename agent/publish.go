package agent

import (
	"context"
	"errors"
	"fmt"
	"strconv"
)

// ErrNoRecipient is returned when no registered client can take a message.
var ErrNoRecipient = errors.New("no recipient")

// recipient is a client a message goes to.
type recipient struct{ id, name string }

// display is the client's name (its id when unnamed).
func (r recipient) display() string {
	if r.name == "" {
		return r.id
	}
	return r.name
}

// label is "id (name)" (the id alone when unnamed).
func (r recipient) label() string {
	if r.name == "" {
		return r.id
	}
	return r.id + " (" + r.name + ")"
}

// recipients returns the clients named name (every client when name is ""
// or "*") that subscribe to mtype.
func (a *Agent) recipients(name, mtype string) ([]recipient, error) {
	cls := a.conn.Clients()
	if name != "" && name != "*" {
		cls = a.conn.FindClients(name)
	}
	var out []recipient
	for _, c := range cls {
		if c.Subscribed(mtype) && c.ID != a.conn.Info().SelfID {
			out = append(out, recipient{c.ID, c.Name()})
		}
	}
	if len(out) == 0 {
		who := "client"
		if name != "" && name != "*" {
			who = "client named " + strconv.Quote(name)
		}
		return nil, fmt.Errorf("%w: no %s subscribed to %s is registered", ErrNoRecipient, who, mtype)
	}
	return out, nil
}

// delivery is who got a message and who did not.
type delivery struct {
	sent   []string          // names (ids when unnamed) of the clients that answered samp.ok
	labels []string          // the same as "id (name)"
	failed map[string]string // "id (name)" -> reason
}

// send calls mtype with params on the clients named to (all subscribers
// when to is "" or "*"), each with the connector's deadline, and reports
// who took it. err joins the failures (nil when every recipient took it).
func (a *Agent) send(ctx context.Context, to, mtype string, params map[string]any) (delivery, error) {
	rs, err := a.recipients(to, mtype)
	if err != nil {
		return delivery{}, err
	}
	var d delivery
	var errs []error
	for _, r := range rs {
		if err := a.call(ctx, r, mtype, params); err != nil {
			if d.failed == nil {
				d.failed = map[string]string{}
			}
			d.failed[r.label()] = err.Error()
			errs = append(errs, fmt.Errorf("%s to %s: %w", mtype, r.label(), err))
			continue
		}
		d.sent = append(d.sent, r.display())
		d.labels = append(d.labels, r.label())
	}
	return d, errors.Join(errs...)
}

func tableParams(url, id, name string) map[string]any {
	return map[string]any{"url": url, "table-id": id, "name": name}
}

func pointParams(pos Position) map[string]any {
	return map[string]any{"ra": strconv.FormatFloat(pos.RA, 'f', -1, 64), "dec": strconv.FormatFloat(pos.Dec, 'f', -1, 64)}
}

// spectrumParams are the spectrum.load.ssa-generic parameters of s: its
// URL, its obs_publisher_did as spectrum-id, a name a person recognises
// (its title, else its target, with the service's name), and as meta the
// record's metadata keyed by the SSA utypes SPLAT reads (Spectrum.Meta,
// plus Access.Reference, Access.Format, Access.Size, Target.Name).
func spectrumParams(s Spectrum) map[string]any {
	meta := map[string]any{}
	for k, v := range s.Meta {
		meta[k] = v
	}
	meta["Access.Reference"] = s.Access.URL
	if s.Access.Format != "" {
		meta["Access.Format"] = s.Access.Format
	}
	if _, ok := meta["Access.Size"]; !ok && s.Access.Size >= 0 {
		meta["Access.Size"] = strconv.FormatInt(s.Access.Size, 10)
	}
	if s.Target != "" {
		meta["Target.Name"] = s.Target
	}
	return map[string]any{"url": s.Access.URL, "spectrum-id": s.ID, "name": spectrumName(s), "meta": meta}
}

// spectrumName is "title (service)", else "target (service)", else the
// file name.
func spectrumName(s Spectrum) string {
	label := s.Title
	if label == "" {
		label = s.Target
	}
	if label == "" {
		return s.Access.Name
	}
	if s.Service != "" {
		label += " (" + s.Service + ")"
	}
	return label
}
