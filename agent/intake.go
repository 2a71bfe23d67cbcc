package agent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/voagent/voagent/agent/api"
	"github.com/voagent/voagent/agent/events"
	"github.com/voagent/voagent/vo/adql"
	"github.com/voagent/voagent/vo/registry"
	"github.com/voagent/voagent/vo/skypos"
)

// TableRef names a table as a SAMP message does: by table-id, by url, or
// both (TOPCAT sends both; Aladin the id only). Sender is the samp.name of
// the client that sent the message.
type TableRef struct {
	ID, URL, Sender string
}

// The pacing of highlight-triggered searches.
const (
	// repeatWindow: the same row of the same table highlighted again
	// within it starts no new search (TOPCAT echoes, double clicks).
	repeatWindow = 2 * time.Second
	// debounce: a highlight arriving sooner than this after the last
	// search started waits out the rest of it, so that clicking through
	// rows starts services for the row the user stops at, not for each.
	debounce = 150 * time.Millisecond
)

// highlightGate paces highlight-triggered searches.
type highlightGate struct {
	mu        sync.Mutex
	lastKey   string
	lastAt    time.Time
	lastStart time.Time
}

// repeat reports whether key was seen within window, and records it.
func (g *highlightGate) repeat(key string, now time.Time, window time.Duration) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if key == g.lastKey && now.Sub(g.lastAt) < window {
		return true
	}
	g.lastKey, g.lastAt = key, now
	return false
}

// turn waits until a search may start (d after the previous start), or
// ctx is done (a newer highlight superseded this one).
func (g *highlightGate) turn(ctx context.Context, d time.Duration) error {
	g.mu.Lock()
	wait := time.Until(g.lastStart.Add(d))
	g.mu.Unlock()
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-t.C:
		}
	}
	g.mu.Lock()
	g.lastStart = time.Now()
	g.mu.Unlock()
	return ctx.Err()
}

// LoadTable reads the VOTable or FITS table at url (a file: URL of this host or
// http(s), through the agent's VO client with its limits) and keeps its
// first table under id (url when empty), as table.load.votable asks.
func (a *Agent) LoadTable(ctx context.Context, url, id, name, sender string) (*Table, error) {
	if url == "" {
		return nil, errors.New("no table url given")
	}
	r, err := a.open(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("reading table %s: %w", url, err)
	}
	defer r.Close()
	cr := &countingReader{r: r}
	doc, err := readTableDocument(ctx, cr)
	if err != nil {
		return nil, fmt.Errorf("reading table %s: %w", url, err)
	}
	tables := doc.Tables()
	if len(tables) == 0 {
		return nil, fmt.Errorf("reading table %s: the document has no table", url)
	}
	t := &Table{ID: id, URL: url, Name: name, Sender: sender, Data: tables[0], Document: doc, Received: time.Now(),
		Ours: sender != "" && sender == a.Config().SAMP.Name, Bytes: cr.n}
	a.hold(t)
	a.bus.Publish(events.Event{Type: events.TableLoaded, Table: t.ID, Rows: t.Data.Rows(), From: sender})
	a.log.Info("table loaded", "table-id", t.ID, "url", url, "rows", t.Data.Rows(), "from", sender)
	return t, nil
}

// hold keeps t in the table store; the result files of tables of ours that
// the store's bounds push out are removed.
func (a *Agent) hold(t *Table) {
	a.forget(a.tables.Put(t))
}

// forget removes the result files of tables of ours that left the store.
func (a *Agent) forget(gone []*Table) {
	for _, old := range gone {
		if !old.Ours {
			continue
		}
		if _, err := a.tables.Find("", old.URL); err == nil {
			continue // still held under another id (a resend)
		}
		if p := filePath(old.URL); p != "" && strings.HasPrefix(p, a.ResultsDir()+string(os.PathSeparator)) {
			os.Remove(p)
		}
	}
}

// clientGone releases the tables the client that left the hub held: a
// table of ours no registered client holds any more leaves the store (and
// its file goes), since no one can highlight its rows.
func (a *Agent) clientGone(id, name string) {
	gone := a.tables.Release(id)
	if len(gone) == 0 {
		return
	}
	a.forget(gone)
	a.log.Info("tables released: the client holding them left the hub", "client", id, "name", name, "tables", len(gone))
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// resolve finds the table ref names: held already (sent to us, or one of
// our results), else read from its url (TOPCAT's messages carry it), so
// that a user need not send a table before highlighting or selecting rows
// in it, and an agent restart loses nothing.
func (a *Agent) resolve(ctx context.Context, ref TableRef) (*Table, error) {
	t, err := a.tables.Find(ref.ID, ref.URL)
	if err == nil {
		return t, nil
	}
	if ref.URL == "" {
		return nil, err
	}
	t, ferr := a.LoadTable(ctx, ref.URL, ref.ID, "", ref.Sender)
	if ferr != nil {
		return nil, fmt.Errorf("%w, and reading it from its url failed: %w", err, ferr)
	}
	return t, nil
}

// Highlight is table.highlight.row: it resolves the row's sky position and
// starts the vicinity search there in the background (when vicinity
// searches are on and services are configured), answering at once. The
// same row highlighted again within a short window starts nothing; a newer
// highlight supersedes the search of the older (which sends nothing it had
// not begun sending), and rapid highlights are paced so that at most one
// search runs.
func (a *Agent) Highlight(ctx context.Context, ref TableRef, row int) error {
	at := time.Now()
	t, err := a.resolve(ctx, ref)
	if err != nil {
		return err
	}
	if row < 0 || row >= t.Data.Rows() {
		return fmt.Errorf("row %d out of range (table %q has %d rows)", row, t.ID, t.Data.Rows())
	}
	pos, err := a.rowPosition(t, row)
	if err != nil {
		return err
	}
	if a.gate.repeat(t.ID+"\x00"+fmt.Sprint(row), at, repeatWindow) {
		a.log.Debug("same row highlighted again: no new search", "table-id", t.ID, "row", row)
		return nil
	}
	a.log.Info("row highlighted", "table-id", t.ID, "row", row, "ra", pos.RA, "dec", pos.Dec)
	cfg := a.Config()
	if !cfg.Vicinity.Enabled || len(cfg.Catalogs)+len(cfg.VicinityImages()) == 0 {
		return nil
	}
	a.Go(func(ctx context.Context) {
		ctx, done := a.latest.Begin(ctx)
		defer done()
		// A newer highlight supersedes this search's deliveries still
		// queued, even once the search itself is over.
		gen := a.highlights.Add(1)
		if a.gate.turn(ctx, debounce) != nil {
			return // superseded while waiting its turn
		}
		a.runVicinity(ctx, pos, VicinityOptions{}, true, trigger{name: "highlight", at: at, background: true,
			stale: func() bool { return a.highlights.Load() != gen }, settle: cfg.Vicinity.Settle.Duration})
	})
	return nil
}

// rowPosition is the sky position of a row of t, or an error saying why it
// has none.
func (a *Agent) rowPosition(t *Table, row int) (Position, error) {
	c, err := skypos.Find(t.Data, skypos.Options{})
	if err != nil {
		return Position{}, fmt.Errorf("table %q: %w", t.ID, err)
	}
	return columnsAt(t, c, row)
}

// columnsAt is the position of a row by the columns c of t.
func columnsAt(t *Table, c skypos.Columns, row int) (Position, error) {
	var p Position
	var ok bool
	if p.RA, p.Dec, ok = c.At(t.Data, row); !ok {
		return Position{}, fmt.Errorf("table %q row %d has no sky position (%s: null or off the sky)", t.ID, row, c.Describe(t.Data))
	}
	return p, nil
}

// rowsPositions are the positions of rows of t (every row when rows is
// empty), skipping rows without one; it fails when a row index is out of
// range or no row has a position.
func (a *Agent) rowsPositions(t *Table, rows []int) ([]Position, error) {
	if len(rows) == 0 {
		rows = make([]int, t.Data.Rows())
		for i := range rows {
			rows[i] = i
		}
	}
	for _, row := range rows {
		if row < 0 || row >= t.Data.Rows() {
			return nil, fmt.Errorf("%d is not a row of table %q (%d rows)", row, t.ID, t.Data.Rows())
		}
	}
	c, err := skypos.Find(t.Data, skypos.Options{})
	if err != nil {
		return nil, fmt.Errorf("table %q: none of the %d rows has a sky position: table %q: %w", t.ID, len(rows), t.ID, err)
	}
	var pos []Position
	var lastErr error
	for _, row := range rows {
		p, err := columnsAt(t, c, row)
		if err != nil {
			lastErr = err
			continue
		}
		pos = append(pos, p)
	}
	if len(pos) == 0 {
		return nil, fmt.Errorf("table %q: none of the %d rows has a sky position: %w", t.ID, len(rows), lastErr)
	}
	return pos, nil
}

// Select is table.select.rowList: it resolves the table (reading it from
// its url when it is not held) and, when spectra.on_select is set, looks up
// the spectra of the selected rows in the background and sends them to
// spectra.send_to; a newer selection cancels the older lookup.
// maxSelectionKept bounds the selection the status reports (a larger one
// is not kept: spectra for it would pass spectra.max_rows anyway).
const maxSelectionKept = 10000

func (a *Agent) Select(ctx context.Context, ref TableRef, rows []int) error {
	at := time.Now()
	t, err := a.resolve(ctx, ref)
	if err != nil {
		return err
	}
	a.log.Info("rows selected", "table-id", t.ID, "count", len(rows))
	cfg := a.Config().Spectra
	if len(rows) > 0 && len(rows) <= maxSelectionKept {
		a.lastSelection.Store(&api.Selection{TableID: t.ID, Rows: slices.Clone(rows), Time: at})
	}
	if !cfg.OnSelect || len(rows) == 0 {
		return nil
	}
	pos, err := a.rowsPositions(t, rows)
	if err != nil {
		return err
	}
	if len(pos) > cfg.MaxRows {
		return fmt.Errorf("%d rows selected; spectra.max_rows allows %d at once", len(pos), cfg.MaxRows)
	}
	a.Go(func(ctx context.Context) {
		ctx, done := a.latestSpectra.Begin(ctx)
		defer done()
		gen := a.selections.Add(1)
		a.runSpectra(ctx, a.spectraRegistry(""), pos, cfg.RadiusArcsec/3600, true, cfg.SendTo, trigger{name: "select", at: at,
			background: true, stale: func() bool { return a.selections.Load() != gen }})
	})
	return nil
}

// spectraRegistry is the RegTAP service for spectra: override, else
// spectra.registry, else the default registry.
func (a *Agent) spectraRegistry(override string) string {
	if override != "" {
		return override
	}
	if r := a.Config().SpectraRegistry(); r != "" {
		return r
	}
	return registry.DefaultURL()
}

// Vicinity runs a vicinity search as the control API or a command asks: at
// req.Position, or at req.Pos (a position string or an object name,
// resolved by the configured name resolver), or at each of req.Rows of the held table req.TableID, and
// waits for it. With req.Send the results are delivered as for a
// highlighted row, and the reports are returned once each delivery has an
// outcome (SentTo, SendError); either way the results are kept (for
// Resend) and listed.
func (a *Agent) Vicinity(ctx context.Context, req api.VicinityRequest, triggerName string) ([]api.Report, error) {
	at := time.Now()
	var pos []Position
	given := 0
	for _, b := range []bool{req.Position != nil, req.Pos != "", req.TableID != ""} {
		if b {
			given++
		}
	}
	switch {
	case given > 1:
		return nil, errors.New("vicinity: give one of a position, a position string or name (pos), or a table")
	case req.Position != nil:
		pos = []Position{{RA: req.Position.RA, Dec: req.Position.Dec}}
	case req.Pos != "":
		p, err := a.ResolvePosition(ctx, req.Pos)
		if err != nil {
			return nil, fmt.Errorf("vicinity: %w", err)
		}
		pos = []Position{p}
	case req.TableID != "":
		t, err := a.tables.Find(req.TableID, "")
		if err != nil {
			return nil, err
		}
		if len(req.Rows) == 0 {
			return nil, errors.New("vicinity: name the rows of the table to search around")
		}
		if pos, err = a.rowsPositions(t, req.Rows); err != nil {
			return nil, err
		}
	default:
		return nil, errors.New("vicinity: no position or table given")
	}
	if req.RadiusArcsec < 0 || req.RadiusArcsec > 180*3600 {
		return nil, fmt.Errorf("vicinity: radius %g arcsec is out of range (0, 648000]", req.RadiusArcsec)
	}
	cfg := a.Config()
	if len(cfg.Catalogs)+len(cfg.VicinityImages()) == 0 {
		return nil, errors.New("vicinity: no catalogue or image service is configured")
	}
	var out []api.Report
	for _, p := range pos {
		if err := checkPosition(p); err != nil {
			return out, err
		}
		out = append(out, a.runVicinity(ctx, p, VicinityOptions{RadiusArcsec: req.RadiusArcsec}, req.Send, trigger{name: triggerName, at: at}))
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
	}
	return out, nil
}

// Spectra looks up the spectra near req.Positions, or near req.Rows (all
// when none) of the held table req.TableID, and waits for the lookup; with
// req.Send each spectrum is sent to req.To (spectra.send_to when empty) as
// its service answers.
func (a *Agent) Spectra(ctx context.Context, req api.SpectraRequest, triggerName string) (api.Report, error) {
	at := time.Now()
	var pos []Position
	switch {
	case (len(req.Positions) > 0 || req.Pos != "") && req.TableID != "":
		return api.Report{}, errors.New("spectra: give positions or a table, not both")
	case len(req.Positions) > 0 || req.Pos != "":
		for _, p := range req.Positions {
			pos = append(pos, Position{RA: p.RA, Dec: p.Dec})
		}
		if req.Pos != "" {
			p, err := a.ResolvePosition(ctx, req.Pos)
			if err != nil {
				return api.Report{}, fmt.Errorf("spectra: %w", err)
			}
			pos = append(pos, p)
		}
	case req.TableID != "":
		t, err := a.tables.Find(req.TableID, "")
		if err != nil {
			return api.Report{}, err
		}
		if pos, err = a.rowsPositions(t, req.Rows); err != nil {
			return api.Report{}, err
		}
	default:
		return api.Report{}, errors.New("spectra: no position or table given")
	}
	cfg := a.Config().Spectra
	radius := cfg.RadiusArcsec
	if req.RadiusArcsec > 0 {
		radius = req.RadiusArcsec
	}
	to := req.To
	if to == "" {
		to = cfg.SendTo
	}
	return a.runSpectra(ctx, a.spectraRegistry(req.Registry), pos, radius/3600, req.Send, to, trigger{name: triggerName, at: at})
}

// Resend sends a kept result again: to the client named to, or where its
// kind goes by configuration when to is empty ("*": every subscriber). A
// table goes under a new table-id (TOPCAT refuses an id it has seen).
func (a *Agent) Resend(ctx context.Context, resultID, to string) (api.SendReport, error) {
	r, ok := a.searches.result(resultID)
	if !ok {
		return api.SendReport{}, fmt.Errorf("no result %q is kept (it may have aged out)", resultID)
	}
	v := a.Config().Vicinity
	var mtype string
	var params map[string]any
	switch r.Kind {
	case "table":
		mtype = "table.load.votable"
		id := a.newID("resend")
		if t, err := a.tables.Find(r.ID, ""); err == nil {
			c := *t
			c.ID = id
			a.hold(&c)
		}
		params = tableParams(r.URL, id, r.Name)
		if to == "" {
			to = v.SendTo
		}
	case "image":
		mtype, params = "image.load.fits", map[string]any{"url": r.URL, "image-id": a.newID("resend"), "name": r.Name}
		if to == "" {
			to = v.ImagesTo
		}
	case "spectrum":
		mtype = "spectrum.load.ssa-generic"
		params = map[string]any{"url": r.URL, "spectrum-id": r.ID, "name": r.Name, "meta": map[string]any{"Access.Reference": r.URL}}
		if to == "" {
			to = a.Config().Spectra.SendTo
		}
	default:
		return api.SendReport{}, fmt.Errorf("result %q: unknown kind %q", resultID, r.Kind)
	}
	return a.sendReport(ctx, to, mtype, params)
}

// Send sends a message the agent builds from req (the CLI's 'send' when an
// agent runs): a table, image or spectrum by URL, or a sky position.
func (a *Agent) Send(ctx context.Context, req api.SendRequest) (api.SendReport, error) {
	var mtype string
	var params map[string]any
	switch req.Kind {
	case "table", "image", "spectrum":
		if req.URL == "" {
			return api.SendReport{}, fmt.Errorf("send %s: no url given", req.Kind)
		}
		idKey := req.Kind + "-id"
		mtype = map[string]string{"table": "table.load.votable", "image": "image.load.fits", "spectrum": "spectrum.load.ssa-generic"}[req.Kind]
		if req.Kind == "table" && isFITSName(req.URL) {
			mtype = "table.load.fits"
		}
		id := req.ID
		if id == "" {
			id = a.newID("sent")
		}
		params = map[string]any{"url": req.URL, idKey: id}
		if req.Name != "" {
			params["name"] = req.Name
		}
		if req.Kind == "spectrum" {
			meta := map[string]any{}
			for k, v := range req.Meta {
				meta[k] = v
			}
			params["meta"] = meta
		}
	case "point":
		if req.Position == nil {
			return api.SendReport{}, errors.New("send point: no position given")
		}
		p := Position{RA: req.Position.RA, Dec: req.Position.Dec}
		if err := checkPosition(p); err != nil {
			return api.SendReport{}, err
		}
		mtype, params = "coord.pointAt.sky", pointParams(p)
	default:
		return api.SendReport{}, fmt.Errorf("send: unknown kind %q (table, image, spectrum or point)", req.Kind)
	}
	return a.sendReport(ctx, req.To, mtype, params)
}

func (a *Agent) sendReport(ctx context.Context, to, mtype string, params map[string]any) (api.SendReport, error) {
	d, err := a.send(ctx, to, mtype, params)
	rep := api.SendReport{MType: mtype, SentTo: d.labels, Failed: d.failed}
	if rep.SentTo == nil {
		rep.SentTo = []string{}
	}
	if errors.Is(err, ErrNoRecipient) {
		return rep, err
	}
	if len(d.sent) == 0 && err != nil {
		return rep, err
	}
	return rep, nil
}

func isFITSName(u string) bool {
	l := strings.ToLower(u)
	for _, ext := range []string{".fits", ".fit", ".fts", ".fits.gz"} {
		if strings.HasSuffix(l, ext) {
			return true
		}
	}
	return false
}

// checkPosition refuses a position off the sky.
func checkPosition(p Position) error {
	if err := adql.CheckPosition(p.RA, p.Dec); err != nil {
		return fmt.Errorf("position %s: %w", p, err)
	}
	return nil
}
