package agent

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/voagent/voagent/agent/api"
	"github.com/voagent/voagent/agent/events"
	"github.com/voagent/voagent/samp/profile"
	"github.com/voagent/voagent/vo/votable"
	"github.com/voagent/voagent/vo/xmatch"
)

// heldPair are the two tables to match: by default the two other tools sent last, the older first.
// With a given, b is the last one other than a.
func (a *Agent) heldPair(idA, idB string) (*Table, *Table, error) {
	all := a.tables.All()
	var theirs []*Table
	for _, t := range all {
		if !t.Ours {
			theirs = append(theirs, t)
		}
	}
	pick := func(id, not string) (*Table, error) {
		if id != "" {
			return a.tables.Find(id, "")
		}
		for i := len(theirs) - 1; i >= 0; i-- {
			if theirs[i].ID != not {
				return theirs[i], nil
			}
		}
		return nil, fmt.Errorf("fewer than two tables have been sent to voagent (it holds %d from other tools)", len(theirs))
	}
	switch {
	case idA == "" && idB == "":
		b, err := pick("", "")
		if err != nil {
			return nil, nil, err
		}
		t, err := pick("", b.ID)
		return t, b, err
	case idA == "":
		return nil, nil, errors.New("table a is empty while b is given: give a, or neither for the last two tables")
	}
	t, err := pick(idA, "")
	if err != nil {
		return nil, nil, err
	}
	b, err := pick(idB, t.ID)
	if err != nil {
		return nil, nil, err
	}
	if b.ID == t.ID {
		return nil, nil, fmt.Errorf("tables a and b are both %q", t.ID)
	}
	return t, b, nil
}

// HeldMatch cross-matches two tables the agent holds with vo/xmatch (as
// 'voagent xmatch' does on files): by default the last two tables other
// tools sent, best match within crossmatch.radius_arcsec, pairs only. The
// joined table (both tables' columns, Separation in arcsec, row_1, row_2)
// is written to the results directory, held under a table-id of its own
// and, with req.Send, delivered to req.To (vicinity.send_to when empty).
// Its search goes to the event stream like the others (Kind "xmatch").
func (a *Agent) HeldMatch(ctx context.Context, req api.HeldMatchRequest, triggerName string) (api.HeldMatchReport, error) {
	at := time.Now()
	cfg := a.Config()
	radius, err := matchRadius(req.Radius, cfg)
	if err != nil {
		return api.HeldMatchReport{}, fmt.Errorf("xmatch: %w", err)
	}
	findName, joinName := req.Find, req.Join
	if findName == "" {
		findName = "best"
	}
	if joinName == "" {
		joinName = "1and2"
	}
	find, err := xmatch.ParseFind(findName)
	if err != nil {
		return api.HeldMatchReport{}, fmt.Errorf("xmatch: find: %w", err)
	}
	join, err := xmatch.ParseJoin(joinName)
	if err != nil {
		return api.HeldMatchReport{}, fmt.Errorf("xmatch: join: %w", err)
	}
	ta, tb, err := a.heldPair(req.A, req.B)
	if err != nil {
		return api.HeldMatchReport{}, fmt.Errorf("xmatch: %w", err)
	}
	rep := api.HeldMatchReport{A: ta.ID, B: tb.ID, RowsA: ta.Data.Rows(), RowsB: tb.Data.Rows(),
		RadiusArcsec: radius * 3600, Find: findName, Join: joinName}
	ctx, done := a.xmatches.begin(ctx, ta.ID+"\x00"+tb.ID+"\x00held")
	defer done()
	s := &api.Search{ID: a.newID("search"), Kind: "xmatch", Trigger: triggerName, Positions: ta.Data.Rows(), Started: at, Services: 1}
	a.searches.start(s)
	a.bus.Publish(events.Event{Type: events.SearchStarted, Search: s.ID, Kind: s.Kind, Trigger: triggerName,
		Positions: ta.Data.Rows(), Services: 1, Table: ta.ID, Service: tb.ID})
	res, err := xmatch.MatchTables(ctx, ta.Data, tb.Data, xmatch.TableOptions{
		Options: xmatch.Options{Radius: radius, Find: find}, Join: join})
	var out *votable.Table
	if err == nil {
		rep.Pairs = len(res.Pairs)
		out, err = res.Output.Table()
	}
	if err == nil {
		err = a.keepHeldMatch(ctx, ta, tb, s, out, req, &rep)
	}
	s.Elapsed = time.Since(at)
	if err != nil {
		s.Failed = []string{"xmatch: " + err.Error()}
	} else {
		s.Answered = 1
	}
	a.searches.finish(s)
	a.bus.Publish(events.Event{Type: events.SearchFinished, Search: s.ID, Kind: s.Kind, Services: 1, Answered: s.Answered,
		Failed: s.Failed, Elapsed: s.Elapsed, Rows: rep.Result.Rows, Count: rep.Pairs, Table: ta.ID})
	rep.Search = *s
	if err != nil {
		a.log.Warn("cross-match of held tables failed", "a", ta.ID, "b", tb.ID, "err", err)
		return rep, fmt.Errorf("xmatch of %q and %q: %w", ta.ID, tb.ID, err)
	}
	a.log.Info("cross-match of held tables done", "a", ta.ID, "b", tb.ID, "pairs", rep.Pairs, "result", rep.Result.ID, "elapsed", s.Elapsed)
	return rep, nil
}

// tableLabel is how a held table is named in a result's name.
func tableLabel(t *Table) string {
	if t.Name != "" {
		return t.Name
	}
	return t.ID
}

// keepHeldMatch writes, holds and, when asked, delivers a held-table match.
func (a *Agent) keepHeldMatch(ctx context.Context, ta, tb *Table, s *api.Search, out *votable.Table,
	req api.HeldMatchRequest, rep *api.HeldMatchReport) error {
	if err := ctx.Err(); err != nil {
		return context.Cause(ctx)
	}
	cfg := a.Config()
	name := fmt.Sprintf("%s x %s (%s, %g\")", tableLabel(ta), tableLabel(tb), rep.Find, rep.RadiusArcsec)
	out.Name = "xmatch"
	f, err := a.results.create("xmatch")
	if err != nil {
		return err
	}
	path := f.Name()
	err = votable.WriteTable(f, out, votable.Binary2)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("writing the result: %w", err)
	}
	nt := &Table{ID: a.newID("xmatch"), URL: profile.FileURL(path), Name: name, Sender: cfg.SAMP.Name, Ours: true,
		Data: out, Received: time.Now()}
	if info, err := os.Stat(path); err == nil {
		nt.Bytes = info.Size()
	}
	a.hold(nt)
	service := "xmatch " + strings.Join([]string{ta.ID, tb.ID}, " x ")
	r := &api.Result{ID: nt.ID, Search: s.ID, Service: service, Kind: "table", Name: name, Path: path, URL: nt.URL,
		Rows: out.Rows(), Time: time.Now()}
	a.searches.keep(r)
	a.bus.Publish(events.Event{Type: events.ResultStored, Search: s.ID, Service: service, Result: r.ID, Rows: r.Rows, Path: path})
	if req.Send {
		to := req.To
		if to == "" {
			to = cfg.Vicinity.SendTo
		}
		var pending sync.WaitGroup
		a.deliverResultTo(s, r, Found{Catalog: service}, trigger{name: s.Trigger, at: s.Started}, nil, &pending, to)
		pending.Wait()
	}
	a.searches.update(func() { rep.Result = *r })
	return nil
}

// Reconnect has the agent unregister from the hub in use and register
// again (with the hub the lockfile names now), and waits up to wait for
// the registration; the report is the hub the agent is on then.
func (a *Agent) Reconnect(ctx context.Context, wait time.Duration) (api.ReconnectReport, error) {
	sub := a.bus.Subscribe(8, events.HubFound)
	defer sub.Close()
	a.conn.Reconnect()
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-sub.C():
		return api.ReconnectReport{Hub: a.Status().Hub}, nil
	case <-t.C:
		return api.ReconnectReport{Hub: a.Status().Hub}, fmt.Errorf("reconnect: no SAMP hub within %s (the agent keeps looking)", wait)
	case <-ctx.Done():
		return api.ReconnectReport{}, fmt.Errorf("reconnect: %w", ctx.Err())
	}
}
