package handlers

import (
	"context"
	"errors"
	"strconv"

	"github.com/voagent/voagent/agent"
	"github.com/voagent/voagent/agent/api"
	"github.com/voagent/voagent/agent/events"
	"github.com/voagent/voagent/samp/connector"
)

// MTypeCrossmatch is voagent's own MType: cross-match a table with a
// configured catalogue. Params: table-id or url (the table), catalog (a
// [[catalog]] entry's name), radius (with units, "2arcsec"; optional),
// join ("all1" or "1and2"; optional). The call is answered once the match
// is done, with samp.result {url, table-id, rows, matched}; the joined
// table also goes where vicinity results go (vicinity.send_to).
const MTypeCrossmatch = "voagent.crossmatch"

// crossmatchAnnotation describes the MType in voagent's subscriptions.
var crossmatchAnnotation = map[string]any{
	"x-samp.description": "Cross-match a table (table-id or url) with a configured catalogue (catalog), radius with units (2arcsec); " +
		"answered when done with {url, table-id, rows, matched}",
}

func registerCrossmatch(a *agent.Agent) {
	a.Connector().HandleAnnotated(MTypeCrossmatch, crossmatchAnnotation, connector.HandlerFunc(func(ctx context.Context, req *connector.Request) (map[string]any, error) {
		res, err := crossmatch(ctx, a, req)
		if err != nil {
			from := req.Sender.Name()
			if from == "" {
				from = req.Sender.ID
			}
			a.Logger().Warn("message refused", "mtype", MTypeCrossmatch, "from", from, "err", err)
			a.Events().Publish(events.Event{Type: events.MessageFailed, MType: MTypeCrossmatch, From: from, Error: err.Error()})
			return nil, err
		}
		return res, nil
	}))
}

func crossmatch(ctx context.Context, a *agent.Agent, req *connector.Request) (map[string]any, error) {
	r := api.CrossmatchRequest{TableID: param(req, "table-id"), URL: param(req, "url"), Catalog: param(req, "catalog"),
		Radius: param(req, "radius"), Join: param(req, "join"), Send: true}
	if r.Catalog == "" {
		return nil, errors.New(MTypeCrossmatch + ": missing catalog parameter")
	}
	if r.TableID == "" && r.URL == "" {
		return nil, errors.New(MTypeCrossmatch + ": give table-id or url")
	}
	rep, err := a.Crossmatch(ctx, r, "samp")
	if err != nil {
		return nil, err
	}
	return map[string]any{"url": rep.Result.URL, "table-id": rep.Result.ID, "rows": strconv.Itoa(rep.Result.Rows),
		"matched": strconv.Itoa(rep.Matched)}, nil
}
