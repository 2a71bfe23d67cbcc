package agent

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/voagent/voagent/agent/api"
	"github.com/voagent/voagent/agent/events"
	"github.com/voagent/voagent/samp/profile"
	"github.com/voagent/voagent/vo/sed"
	"github.com/voagent/voagent/vo/skypos"
	"github.com/voagent/voagent/vo/votable"
	"github.com/voagent/voagent/vo/xmatch"
)

// keepPlots bounds the SED plots the status lists.
const keepPlots = 20

// plotBook remembers the SED plots made, newest last.
type plotBook struct {
	mu    sync.Mutex
	plots []api.Result
}

func (p *plotBook) add(r api.Result) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.plots = append(p.plots, r)
	if len(p.plots) > keepPlots {
		p.plots = slices.Delete(p.plots, 0, len(p.plots)-keepPlots)
	}
}

// list copies the plots, newest first.
func (p *plotBook) list() []api.Result {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := slices.Clone(p.plots)
	slices.Reverse(out)
	return out
}

// catalogTable is one catalogue's answer to a vicinity search.
type catalogTable struct {
	name  string
	table *votable.Table
}

// SEDAt builds the SED of the source at pos from catalogue tables around
// it: the tables' rows are clustered (pairwise best matches within radius
// degrees, vo/xmatch), the cluster whose mean position is nearest to pos
// (within radius) is the source, and its members' magnitudes, mapped to
// bands by vo/sed, are its SED. With one table, its row nearest to pos is
// the source.
func SEDAt(ctx context.Context, pos Position, tabs []*votable.Table, labels []string, radius float64) (sed.Source, error) {
	var one *votable.Table
	var err error
	if len(tabs) == 1 {
		one, err = nearestRow(tabs[0], pos, radius, xmatch.Coords{})
	} else {
		var res *xmatch.ClusterResult
		res, err = xmatch.ClusterTables(ctx, tabs, xmatch.ClusterOptions{Options: xmatch.Options{Radius: radius}, Labels: labels})
		if err != nil {
			return sed.Source{}, fmt.Errorf("clustering: %w", err)
		}
		var cl *votable.Table
		if cl, err = res.Output.Table(); err != nil {
			return sed.Source{}, err
		}
		// The mean position is the one main position (by UCD).
		one, err = nearestRow(cl, pos, radius, xmatch.Coords{})
	}
	if err != nil {
		return sed.Source{}, err
	}
	srcs, err := sed.Extract(one, sed.DefaultBands)
	if err != nil {
		return sed.Source{}, err
	}
	if len(srcs) == 0 {
		return sed.Source{}, errors.New("the source at the position has no magnitude")
	}
	s := srcs[0]
	s.ID = fmt.Sprintf("source at %s", pos)
	return s, nil
}

// nearestRow is the row of t nearest to pos within radius degrees, as a
// one-row table with t's fields and groups.
func nearestRow(t *votable.Table, pos Position, radius float64, c xmatch.Coords) (*votable.Table, error) {
	cols, err := skypos.Find(t, skypos.Options{RA: c.RA, Dec: c.Dec})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.Label(), err)
	}
	best, bestSep := -1, radius
	for i := range t.Rows() {
		ra, dec, ok := cols.At(t, i)
		if !ok {
			continue
		}
		if s := xmatch.Separation(pos.RA, pos.Dec, ra, dec); s <= bestSep {
			best, bestSep = i, s
		}
	}
	if best < 0 {
		return nil, fmt.Errorf("no source within %g arcsec of %s", radius*3600, pos)
	}
	out := &votable.Table{Name: t.Name, Fields: t.Fields, Groups: t.Groups, NRows: 1}
	for _, src := range t.Columns {
		dst, err := votable.NewColumn(src.Field())
		if err != nil {
			return nil, err
		}
		if err := votable.Gather(dst, src, []int32{int32(best)}); err != nil {
			return nil, err
		}
		out.Columns = append(out.Columns, dst)
	}
	return out, nil
}

// sedAfterVicinity builds the SED of the source at the searched position
// from the catalogues' answers (sed.on_vicinity), writes its table and its
// plot (PNG) to the results directory, lists the plot in the status and
// sends the table to sed.send_to (vicinity.send_to when empty) under a
// table-id of its own. A source without magnitudes, or no source at the
// position, is logged and nothing is sent.
func (a *Agent) sedAfterVicinity(ctx context.Context, s *api.Search, pos Position, found []catalogTable, tr trigger,
	stale func() bool, pending *sync.WaitGroup) {
	cfg := a.Config()
	var tabs []*votable.Table
	var labels []string
	for _, f := range found {
		if f.table != nil && f.table.Rows() > 0 {
			tabs, labels = append(tabs, f.table), append(labels, f.name)
		}
	}
	if len(tabs) == 0 {
		return
	}
	log := a.log.With("search", s.ID, "pos", pos.String())
	src, err := SEDAt(ctx, pos, tabs, labels, cfg.SED.RadiusArcsec/3600)
	if err != nil {
		log.Info("no SED at the highlighted position", "err", err)
		return
	}
	sources := []sed.Source{src}
	_ = sed.FitSources(sources, nil) // a model that cannot be fitted is left out of the table (no report writer: no error)
	st, err := sed.Table(sources)
	if err != nil {
		log.Warn("SED table", "err", err)
		return
	}
	st.Description = fmt.Sprintf("SED of the source at %s from %d catalogues", pos, len(tabs))
	f, err := a.results.create("sed")
	if err != nil {
		log.Warn("SED table", "err", err)
		return
	}
	path := f.Name()
	err = votable.WriteTable(f, st, votable.Binary2)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		log.Warn("writing the SED table", "err", err)
		return
	}
	png := filepath.Join(filepath.Dir(path), a.results.name("sed", ".png"))
	if err := writePlot(png, sources[0], fmt.Sprintf("SED at %s", pos)); err != nil {
		log.Warn("SED plot", "err", err)
		png = ""
	}
	name := fmt.Sprintf("SED at %s (%d points)", pos, len(src.Points))
	t := &Table{ID: a.newID("sed"), URL: profile.FileURL(path), Name: name, Sender: cfg.SAMP.Name, Ours: true, Data: st, Received: time.Now()}
	if info, err := os.Stat(path); err == nil {
		t.Bytes = info.Size()
	}
	a.hold(t)
	r := &api.Result{ID: t.ID, Search: s.ID, Service: "SED", Kind: "table", Name: name, Path: path, URL: t.URL,
		Rows: st.Rows(), RA: pos.RA, Dec: pos.Dec, Time: time.Now(), Plot: png}
	a.searches.keep(r)
	if png != "" {
		a.plots.add(*r)
	}
	a.bus.Publish(events.Event{Type: events.SEDBuilt, Search: s.ID, Result: r.ID, Path: png, Rows: len(src.Points)})
	log.Info("SED built", "points", len(src.Points), "table", path, "plot", png)
	to := cfg.SED.SendTo
	if to == "" {
		to = cfg.Vicinity.SendTo
	}
	a.deliverResultTo(s, r, Found{Catalog: "SED"}, tr, stale, pending, to)
}

// writePlot draws one SED as a PNG file.
func writePlot(path string, src sed.Source, title string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	err = sed.Plot(f, []sed.Source{src}, sed.PlotOptions{Title: title})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}
