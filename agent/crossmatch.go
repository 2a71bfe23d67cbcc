package agent

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/voagent/voagent/agent/api"
	"github.com/voagent/voagent/agent/events"
	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/samp/profile"
	"github.com/voagent/voagent/vo/adql"
	"github.com/voagent/voagent/vo/fanout"
	"github.com/voagent/voagent/vo/scs"
	"github.com/voagent/voagent/vo/skypos"
	"github.com/voagent/voagent/vo/tap"
	"github.com/voagent/voagent/vo/votable"
	"github.com/voagent/voagent/vo/xmatch"
)

// The cross-match methods (api.CrossmatchReport.Method).
const (
	MethodTAPUpload = "tap-upload"
	MethodCone      = "cone"
)

// maxRowErrors bounds the row errors a cross-match report lists.
const maxRowErrors = 5

// uploadName is the TAP_UPLOAD table of a cross-match.
const uploadName = "xm_in"

// crossmatches are the running cross-matches, by table and catalogue: a
// newer request for the same pair cancels the older.
type crossmatches struct {
	mu      sync.Mutex
	running map[string]*xmRun
}

type xmRun struct{ cancel context.CancelCauseFunc }

// begin registers a cross-match of key, superseding the one running.
func (c *crossmatches) begin(ctx context.Context, key string) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	run := &xmRun{cancel: cancel}
	c.mu.Lock()
	if c.running == nil {
		c.running = map[string]*xmRun{}
	}
	if old := c.running[key]; old != nil {
		old.cancel(fanout.ErrSuperseded)
	}
	c.running[key] = run
	c.mu.Unlock()
	return ctx, func() {
		c.mu.Lock()
		if c.running[key] == run {
			delete(c.running, key)
		}
		c.mu.Unlock()
		cancel(nil)
	}
}

// lastLoaded is the table another tool sent last.
func (a *Agent) lastLoaded() (*Table, error) {
	all := a.tables.All()
	for i := len(all) - 1; i >= 0; i-- {
		if !all[i].Ours {
			return all[i], nil
		}
	}
	return nil, errors.New("no table has been sent to voagent yet")
}

// Crossmatch cross-matches a held table (req.TableID, "" or "last" for the
// table another tool sent last, or the table at req.URL) with the
// configured catalogue req.Catalog, and waits for the result: the joined
// table (the table's columns, the catalogue's, and sep_arcsec, the
// separation of the best match, null where there is none) is written to
// the results directory, held under a table-id of its own, and with
// req.Send delivered to req.To (vicinity.send_to when empty), the report
// waiting for the delivery's outcome.
//
// The service decides how: a TAP catalogue whose service takes uploads
// gets the table's positions uploaded in chunks of crossmatch.chunk_rows
// (search.concurrency chunks at once) and joined server-side with
// CONTAINS(POINT, CIRCLE); otherwise one cone search per row
// (search.concurrency at once, each within crossmatch.row_timeout; rows
// whose cone fails are counted and named in the report). Either way the
// best match of each row is picked locally by vo/xmatch from the
// candidates' separations. Progress goes to the event stream; a newer
// request for the same table and catalogue cancels this one.
func (a *Agent) Crossmatch(ctx context.Context, req api.CrossmatchRequest, triggerName string) (api.CrossmatchReport, error) {
	at := time.Now()
	cfg := a.Config()
	cat, ok := cfg.CatalogByName(req.Catalog)
	if !ok {
		var names []string
		for _, c := range cfg.Catalogs {
			names = append(names, c.Name)
		}
		return api.CrossmatchReport{}, fmt.Errorf("crossmatch: no catalogue %q is configured (configured: %s)", req.Catalog, strings.Join(names, ", "))
	}
	radius, err := matchRadius(req.Radius, cfg)
	if err != nil {
		return api.CrossmatchReport{}, fmt.Errorf("crossmatch: %w", err)
	}
	joinName := req.Join
	if joinName == "" {
		joinName = cfg.Crossmatch.Join
	}
	if joinName != "all1" && joinName != "1and2" {
		return api.CrossmatchReport{}, fmt.Errorf("crossmatch: join %q must be \"all1\" or \"1and2\"", joinName)
	}
	join, _ := xmatch.ParseJoin(joinName)
	var t *Table
	switch {
	case req.URL != "" && req.TableID != "" && req.TableID != "last":
		t, err = a.resolve(ctx, TableRef{ID: req.TableID, URL: req.URL})
	case req.URL != "":
		t, err = a.resolve(ctx, TableRef{URL: req.URL})
	case req.TableID == "" || req.TableID == "last":
		t, err = a.lastLoaded()
	default:
		t, err = a.tables.Find(req.TableID, "")
	}
	if err != nil {
		return api.CrossmatchReport{}, fmt.Errorf("crossmatch: %w", err)
	}
	cols, err := skypos.Find(t.Data, skypos.Options{})
	if err != nil {
		return api.CrossmatchReport{}, fmt.Errorf("crossmatch: table %q: %w", t.ID, err)
	}
	ctx, done := a.xmatches.begin(ctx, t.ID+"\x00"+cat.Name)
	defer done()
	rep := api.CrossmatchReport{Table: t.ID, Catalog: cat.Name, InputRows: t.Data.Rows(), RadiusArcsec: radius * 3600, Join: joinName}
	s := &api.Search{ID: a.newID("search"), Kind: "crossmatch", Trigger: triggerName, Positions: t.Data.Rows(), Started: at, Services: 1}
	a.searches.start(s)
	a.bus.Publish(events.Event{Type: events.SearchStarted, Search: s.ID, Kind: s.Kind, Trigger: triggerName,
		Positions: t.Data.Rows(), Services: 1, Table: t.ID, Service: cat.Name})
	log := a.log.With("search", s.ID, "table-id", t.ID, "catalog", cat.Name)
	res, err := a.crossmatch(ctx, cfg, cat, t, cols, radius, join, s, &rep)
	if err == nil {
		err = a.keepCrossmatch(ctx, cfg, cat, t, s, res, req, radius, &rep)
	}
	s.Elapsed = time.Since(at)
	s.Superseded = errors.Is(context.Cause(ctx), fanout.ErrSuperseded)
	if err != nil {
		s.Failed = []string{cat.Name + ": " + err.Error()}
	} else {
		s.Answered = 1
	}
	a.searches.finish(s)
	a.bus.Publish(events.Event{Type: events.SearchFinished, Search: s.ID, Kind: s.Kind, Services: 1, Answered: s.Answered,
		Failed: s.Failed, Superseded: s.Superseded, Elapsed: s.Elapsed, Rows: rep.Result.Rows, Count: rep.Matched, Table: t.ID})
	rep.Search = *s
	switch {
	case s.Superseded:
		log.Info("cross-match superseded by a newer one")
		return rep, fmt.Errorf("crossmatch of %q with %s: %w", t.ID, cat.Name, fanout.ErrSuperseded)
	case err != nil:
		log.Warn("cross-match failed", "err", err)
		return rep, fmt.Errorf("crossmatch of %q with %s: %w", t.ID, cat.Name, err)
	}
	log.Info("cross-match done", "method", rep.Method, "rows", rep.InputRows, "matched", rep.Matched,
		"failed_rows", rep.FailedRows, "result", rep.Result.ID, "elapsed", s.Elapsed)
	return rep, nil
}

// xmResult is a finished match, before it is written.
type xmResult struct {
	table   *votable.Table
	matched int
}

// crossmatch gets the candidates from the catalogue and matches them.
func (a *Agent) crossmatch(ctx context.Context, cfg config.Config, cat config.Catalog, t *Table, cols skypos.Columns,
	radius float64, join xmatch.Join, s *api.Search, rep *api.CrossmatchReport) (*xmResult, error) {
	// The rows with a position, and their positions.
	var rows []int32
	var ras, decs []float64
	for i := range t.Data.Rows() {
		if ra, dec, ok := cols.At(t.Data, i); ok {
			rows = append(rows, int32(i))
			ras, decs = append(ras, ra), append(decs, dec)
		}
	}
	rep.Positions = len(rows)
	if len(rows) == 0 {
		return nil, fmt.Errorf("table %q: no row has a sky position (%s)", t.ID, cols.Describe(t.Data))
	}
	progress := func(done, total int) {
		a.bus.Publish(events.Event{Type: events.CrossmatchProgress, Search: s.ID, Table: t.ID, Service: cat.Name,
			Kind: rep.Method, Done: done, Total: total})
	}
	var cands *votable.Table
	var coords xmatch.Coords
	var err error
	useUpload := false
	if cat.Kind == "tap" {
		caps, cerr := tap.New(cat.URL, a.dal, a.log).Capabilities(ctx)
		switch {
		case cerr != nil:
			a.log.Info("cross-match: TAP capabilities unreadable, matching with one query per row", "catalog", cat.Name, "err", cerr)
		case caps.SupportsUpload(tap.UploadInline):
			useUpload = true
		default:
			a.log.Info("cross-match: the TAP service takes no uploads, matching with one query per row", "catalog", cat.Name)
		}
		coords = xmatch.Coords{RA: cat.RA, Dec: cat.Dec}
		if coords.RA == "" {
			coords.RA = "ra"
		}
		if coords.Dec == "" {
			coords.Dec = "dec"
		}
	}
	if useUpload {
		rep.Method = MethodTAPUpload
		cands, err = a.uploadCandidates(ctx, cfg, cat, ras, decs, radius, rep, progress)
	} else {
		rep.Method = MethodCone
		if len(rows) > cfg.Crossmatch.MaxRows {
			return nil, fmt.Errorf("table %q has %d rows with a position; crossmatch.max_rows allows %d cone searches (one per row) for %s",
				t.ID, len(rows), cfg.Crossmatch.MaxRows, cat.Name)
		}
		cands, err = a.coneCandidates(ctx, cfg, cat, ras, decs, radius, rep, progress)
	}
	if err != nil {
		return nil, err
	}
	return matchCandidates(ctx, t, cat.Name, rows, ras, decs, cands, coords, radius, join)
}

// uploadCandidates uploads the positions in chunks and returns the
// catalogue rows within radius of any of them (a row once per position it
// is near).
func (a *Agent) uploadCandidates(ctx context.Context, cfg config.Config, cat config.Catalog, ras, decs []float64, radius float64,
	rep *api.CrossmatchReport, progress func(done, total int)) (*votable.Table, error) {
	q, err := uploadADQL(cat, radius)
	if err != nil {
		return nil, err
	}
	svc := tap.New(cat.URL, a.dal, a.log)
	size := cfg.Crossmatch.ChunkRows
	n := len(ras)
	chunks := (n + size - 1) / size
	rep.Chunks = chunks
	parts := make([]*votable.Table, chunks)
	var tasks []fanout.Task[int]
	for k := range chunks {
		lo, hi := k*size, min((k+1)*size, n)
		tasks = append(tasks, fanout.Task[int]{Name: fmt.Sprintf("rows %d to %d", lo+1, hi), Run: func(ctx context.Context) (int, error) {
			doc, tr, err := svc.SyncFetch(ctx, &tap.Query{ADQL: q, HasMaxRec: true, MaxRec: int64(cfg.Crossmatch.MaxRec),
				Uploads: []tap.Upload{{Name: uploadName, Table: uploadTable(ras[lo:hi], decs[lo:hi])}}})
			if err != nil {
				return k, err
			}
			if tr != nil {
				return k, fmt.Errorf("the answer was cut at %d rows (crossmatch.maxrec %d, or a limit of the service): lower crossmatch.chunk_rows",
					tr.Rows, cfg.Crossmatch.MaxRec)
			}
			tabs := doc.Tables()
			if len(tabs) == 0 {
				return k, errors.New("the answer has no table")
			}
			parts[k] = tabs[0]
			return k, nil
		}})
	}
	done := 0
	progress(0, n)
	opts := fanout.Options{Concurrency: cfg.Search.Concurrency, Deadline: cfg.Search.Timeout.Duration, Logger: a.log}
	var errs []error
	// The callback runs in one goroutine at a time.
	fanout.Run(ctx, opts, tasks, func(r fanout.Result[int]) {
		if r.Err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", r.Name, r.Err))
			return
		}
		done += min((r.Value+1)*size, n) - r.Value*size
		progress(done, n)
	})
	if ctx.Err() != nil {
		return nil, context.Cause(ctx)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s (TAP %s): %w", cat.Name, cat.URL, errors.Join(errs...))
	}
	return concatTables(parts, uploadName+"_")
}

// uploadADQL joins the catalogue with the uploaded positions.
func uploadADQL(cat config.Catalog, radius float64) (string, error) {
	table, err := adql.TableName(cat.Table)
	if err != nil {
		return "", err
	}
	raName, decName := cat.RA, cat.Dec
	if raName == "" {
		raName = "ra"
	}
	if decName == "" {
		decName = "dec"
	}
	ra, err1 := adql.Col("c", raName)
	dec, err2 := adql.Col("c", decName)
	r, err3 := adql.Num(radius)
	if err := errors.Join(err1, err2, err3); err != nil {
		return "", err
	}
	return fmt.Sprintf("SELECT c.* FROM %s AS c JOIN TAP_UPLOAD.%s AS u ON 1=CONTAINS(POINT('ICRS', %s, %s), CIRCLE('ICRS', u.%s_ra, u.%s_dec, %s))",
		table, uploadName, ra, dec, uploadName, uploadName, r), nil
}

// uploadTable is the upload: the positions, xm_in_ra and xm_in_dec.
func uploadTable(ras, decs []float64) *votable.Table {
	ra := &votable.Field{Name: uploadName + "_ra", Datatype: votable.Double, UCD: "pos.eq.ra;meta.main", Unit: "deg"}
	dec := &votable.Field{Name: uploadName + "_dec", Datatype: votable.Double, UCD: "pos.eq.dec;meta.main", Unit: "deg"}
	rc, dc := votable.NewScalar[float64](ra), votable.NewScalar[float64](dec)
	for i := range ras {
		rc.Append(ras[i], false)
		dc.Append(decs[i], false)
	}
	return &votable.Table{Name: uploadName, Fields: []*votable.Field{ra, dec}, Columns: []votable.Column{rc, dc}}
}

// coneCandidates runs one cone per position (search.concurrency at once,
// each within crossmatch.row_timeout) and returns the rows found; rows
// whose cone failed are counted in rep. Only when every cone failed is it
// an error.
func (a *Agent) coneCandidates(ctx context.Context, cfg config.Config, cat config.Catalog, ras, decs []float64, radius float64,
	rep *api.CrossmatchReport, progress func(done, total int)) (*votable.Table, error) {
	if cat.URL == "" && cat.IVOID != "" {
		u, err := a.resolveCone(ctx, cfg, cat)
		if err != nil {
			return nil, err
		}
		cat.URL = u
	}
	n := len(ras)
	parts := make([]*votable.Table, n)
	step := max(1, n/100)
	var (
		mu     sync.Mutex
		failed int
		errs   []string
		done   int
	)
	progress(0, n)
	forEach(ctx, n, cfg.Search.Concurrency, func(i int) {
		rctx, cancel := context.WithTimeout(ctx, cfg.Crossmatch.RowTimeout.Duration)
		defer cancel()
		tab, err := a.coneRow(rctx, cat, ras[i], decs[i], radius)
		mu.Lock()
		defer mu.Unlock()
		done++
		if err != nil && ctx.Err() == nil {
			failed++
			if len(errs) < maxRowErrors {
				errs = append(errs, fmt.Sprintf("position %d (%.6f, %+.6f): %v", i+1, ras[i], decs[i], err))
			}
		}
		parts[i] = tab
		if done%step == 0 || done == n {
			progress(done, n)
		}
	})
	if ctx.Err() != nil {
		return nil, context.Cause(ctx)
	}
	rep.FailedRows, rep.Errors = failed, errs
	if failed == n {
		return nil, fmt.Errorf("%s: every one of the %d cone searches failed: %s", cat.Name, n, strings.Join(errs, "; "))
	}
	return concatTables(parts, "")
}

// coneRow is the catalogue's rows within radius of one position.
func (a *Agent) coneRow(ctx context.Context, cat config.Catalog, ra, dec, radius float64) (*votable.Table, error) {
	switch cat.Kind {
	case "scs":
		res, err := scs.New(cat.URL, a.dal).Search(ctx, scs.Query{RA: ra, Dec: dec, SR: radius, Verb: 3})
		if err != nil {
			return nil, err
		}
		return res.Table, nil
	case "tap":
		q, err := coneADQL(cat, Position{RA: ra, Dec: dec}, radius, a.Config().Crossmatch.MaxRec)
		if err != nil {
			return nil, err
		}
		doc, _, err := tap.New(cat.URL, a.dal, a.log).SyncFetch(ctx, &tap.Query{ADQL: q})
		if err != nil {
			return nil, err
		}
		tabs := doc.Tables()
		if len(tabs) == 0 {
			return nil, errors.New("the answer has no table")
		}
		return tabs[0], nil
	}
	return nil, fmt.Errorf("unknown catalogue kind %q", cat.Kind)
}

// concatTables appends the rows of every non-nil table to a copy of the
// first one's fields, dropping the fields whose names start with drop
// (when drop is not ""). Tables whose fields differ from the first's are
// an error.
func concatTables(parts []*votable.Table, drop string) (*votable.Table, error) {
	var first *votable.Table
	for _, p := range parts {
		if p != nil {
			first = p
			break
		}
	}
	if first == nil {
		return nil, errors.New("no answer to match")
	}
	var keep []int
	for i, f := range first.Fields {
		if drop == "" || !strings.HasPrefix(strings.ToLower(f.Name), strings.ToLower(drop)) {
			keep = append(keep, i)
		}
	}
	out := &votable.Table{Name: first.Name, Description: first.Description}
	for _, i := range keep {
		g := *first.Fields[i]
		g.ID, g.Ref = "", ""
		out.Fields = append(out.Fields, &g)
		c, err := votable.NewColumn(&g)
		if err != nil {
			return nil, err
		}
		out.Columns = append(out.Columns, c)
	}
	for k, p := range parts {
		if p == nil || p.Rows() == 0 {
			continue
		}
		if len(p.Fields) != len(first.Fields) || len(p.Columns) != len(p.Fields) {
			return nil, fmt.Errorf("answer %d has %d columns where the first had %d", k+1, len(p.Fields), len(first.Fields))
		}
		src := make([]votable.Column, 0, len(keep))
		for _, i := range keep {
			if !strings.EqualFold(p.Fields[i].Name, first.Fields[i].Name) {
				return nil, fmt.Errorf("answer %d has column %q where the first had %q", k+1, p.Fields[i].Name, first.Fields[i].Name)
			}
			src = append(src, p.Columns[i])
		}
		if err := votable.AppendColumns(out.Columns, src); err != nil {
			return nil, fmt.Errorf("answer %d: %w", k+1, err)
		}
	}
	out.NRows = int64(out.Rows())
	return out, nil
}

// matchCandidates picks each row's best match among the candidates (the
// nearest within radius, as 'voagent xmatch --find best' does) and builds
// the joined table.
func matchCandidates(ctx context.Context, t *Table, catName string, rows []int32, ras, decs []float64, cands *votable.Table,
	coords xmatch.Coords, radius float64, join xmatch.Join) (*xmResult, error) {
	var pairs []xmatch.Pair
	if cands.Rows() > 0 {
		pb, err := xmatch.TablePositions(cands, coords)
		if err != nil {
			return nil, fmt.Errorf("%s's answer: %w", catName, err)
		}
		got, err := xmatch.Match(ctx, xmatch.Positions{RA: ras, Dec: decs}, pb, xmatch.Options{Radius: radius, Find: xmatch.FindBest})
		if err != nil {
			return nil, err
		}
		pairs = got
	}
	// Pairs are by position index: back to table rows.
	best := make(map[int32]xmatch.Pair, len(pairs))
	for _, p := range pairs {
		if _, ok := best[rows[p.A]]; !ok {
			best[rows[p.A]] = xmatch.Pair{A: rows[p.A], B: p.B, Sep: p.Sep}
		}
	}
	var ia, ib []int32
	var sep []float64
	for i := range int32(t.Data.Rows()) {
		p, ok := best[i]
		switch {
		case ok:
			ia, ib, sep = append(ia, i), append(ib, p.B), append(sep, p.Sep*3600)
		case join == xmatch.JoinAll1:
			ia, ib, sep = append(ia, i), append(ib, -1), append(sep, math.NaN())
		}
	}
	out, err := joinedTable(t.Data, cands, catName, ia, ib, sep)
	if err != nil {
		return nil, err
	}
	return &xmResult{table: out, matched: len(best)}, nil
}

// joinedTable is the user's columns for rows ia, the catalogue's for rows
// ib (-1: null), and sep_arcsec. Catalogue column names that clash with
// the user's get the suffix _<catalogue>; the catalogue's UCDs lose
// meta.main, so that tools keep taking the user's positions as the main
// ones.
func joinedTable(a, b *votable.Table, catName string, ia, ib []int32, sep []float64) (*votable.Table, error) {
	used := map[string]bool{}
	var fields []*votable.Field
	var cols []votable.Column
	add := func(f *votable.Field, name string, src votable.Column, rows []int32) error {
		for used[strings.ToLower(name)] {
			name += "_"
		}
		used[strings.ToLower(name)] = true
		g := *f
		g.Name, g.ID, g.Ref = name, "", ""
		c, err := votable.NewColumn(&g)
		if err != nil {
			return err
		}
		if src != nil {
			if err := votable.Gather(c, src, rows); err != nil {
				return fmt.Errorf("column %q: %w", f.Name, err)
			}
		}
		fields, cols = append(fields, &g), append(cols, c)
		return nil
	}
	for i, f := range a.Fields {
		if err := add(f, f.Name, a.Columns[i], ia); err != nil {
			return nil, err
		}
	}
	suffix := "_" + safeName(catName)
	for i, f := range b.Fields {
		name := f.Name
		if used[strings.ToLower(name)] {
			name += suffix
		}
		g := *f
		g.UCD = strings.ReplaceAll(strings.ReplaceAll(g.UCD, ";meta.main", ""), ";META.MAIN", "")
		if strings.EqualFold(g.UCD, "ID_MAIN") || strings.HasPrefix(strings.ToUpper(g.UCD), "POS_EQ_") && strings.HasSuffix(strings.ToUpper(g.UCD), "_MAIN") {
			g.UCD = "" // SCS 1.0's UCD1 main position and id columns
		}
		if err := add(&g, name, b.Columns[i], ib); err != nil {
			return nil, err
		}
	}
	sf := &votable.Field{Name: "sep_arcsec", Datatype: votable.Double, Unit: "arcsec", UCD: "pos.angDistance",
		Description: "Separation of the row's position and its best match in " + catName + " (null: no match within the radius)"}
	if err := add(sf, sf.Name, nil, nil); err != nil {
		return nil, err
	}
	sc := cols[len(cols)-1].(*votable.Scalar[float64])
	for _, v := range sep {
		sc.Append(v, math.IsNaN(v))
	}
	return &votable.Table{Fields: fields, Columns: cols, NRows: int64(len(ia)), Serialization: votable.Binary2}, nil
}

// keepCrossmatch writes the joined table, holds it and, when asked,
// delivers it.
func (a *Agent) keepCrossmatch(ctx context.Context, cfg config.Config, cat config.Catalog, t *Table, s *api.Search, res *xmResult,
	req api.CrossmatchRequest, radius float64, rep *api.CrossmatchReport) error {
	if err := ctx.Err(); err != nil {
		return context.Cause(ctx)
	}
	label := t.Name
	if label == "" {
		label = t.ID
		if p := filePath(t.ID); p != "" || strings.Contains(t.ID, "://") {
			// A table known by its URL: its file name says enough.
			label = path.Base(strings.TrimRight(t.ID, "/"))
		}
	}
	name := fmt.Sprintf("%s x %s (%s, %g\")", label, cat.Name, rep.Join, radius*3600)
	res.table.Name = safeName(cat.Name + "_xmatch")
	res.table.Description = fmt.Sprintf("Best match in %s within %g arcsec of each row of %s (join %s, %s); sep_arcsec is the separation",
		cat.Name, radius*3600, label, rep.Join, rep.Method)
	f, err := a.results.create(cat.Name + "-xmatch")
	if err != nil {
		return err
	}
	path := f.Name()
	err = votable.WriteTable(f, res.table, votable.Binary2)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("writing the result: %w", err)
	}
	nt := &Table{ID: a.newID("xmatch"), URL: profile.FileURL(path), Name: name, Sender: cfg.SAMP.Name, Ours: true,
		Data: res.table, Received: time.Now()}
	if info, err := os.Stat(path); err == nil {
		nt.Bytes = info.Size()
	}
	a.hold(nt)
	rep.Matched = res.matched
	r := &api.Result{ID: nt.ID, Search: s.ID, Service: cat.Name, Kind: "table", Name: name, Path: path, URL: nt.URL,
		Rows: res.table.Rows(), Time: time.Now()}
	a.searches.keep(r)
	a.bus.Publish(events.Event{Type: events.ResultStored, Search: s.ID, Service: cat.Name, Result: r.ID, Rows: r.Rows, Path: path})
	if req.Send {
		to := req.To
		if to == "" {
			to = cfg.Vicinity.SendTo
		}
		var pending sync.WaitGroup
		a.deliverResultTo(s, r, Found{Catalog: cat.Name}, trigger{name: s.Trigger, at: s.Started}, nil, &pending, to)
		pending.Wait()
	}
	a.searches.update(func() { rep.Result = *r })
	return nil
}

// AfterLoad starts what a table another tool sent asks for by
// configuration, in the background: its cross-match with each catalogue
// of crossmatch.on_load (one after the other, results to
// vicinity.send_to) and, with spectra.on_load, the spectra of its rows
// (the first spectra.max_rows with a position) sent to spectra.send_to.
// Tables of the agent's own are left alone.
func (a *Agent) AfterLoad(t *Table) {
	if t == nil || t.Ours {
		return
	}
	cfg := a.Config()
	if cats := cfg.Crossmatch.OnLoad; len(cats) > 0 {
		a.Go(func(ctx context.Context) {
			for _, name := range cats {
				if ctx.Err() != nil {
					return
				}
				// Errors are logged and published by Crossmatch.
				a.Crossmatch(ctx, api.CrossmatchRequest{TableID: t.ID, Catalog: name, Send: true}, "load")
			}
		})
	}
	if cfg.Spectra.OnLoad {
		at := time.Now()
		pos, err := a.rowsPositions(t, nil)
		if err != nil {
			a.log.Info("spectra on load: no position in the table", "table-id", t.ID, "err", err)
			return
		}
		if len(pos) > cfg.Spectra.MaxRows {
			a.log.Info("spectra on load: only the first spectra.max_rows rows with a position are searched",
				"table-id", t.ID, "rows", len(pos), "max_rows", cfg.Spectra.MaxRows)
			pos = pos[:cfg.Spectra.MaxRows]
		}
		a.Go(func(ctx context.Context) {
			ctx, done := a.xmatches.begin(ctx, t.ID+"\x00spectra")
			defer done()
			a.runSpectra(ctx, a.spectraRegistry(""), pos, cfg.Spectra.RadiusArcsec/3600, true, cfg.Spectra.SendTo,
				trigger{name: "load", at: at, background: true})
		})
	}
}

// matchRadius is a cross-match's radius in degrees: s with units (a bare
// number in arcsec), or crossmatch.radius_arcsec when s is empty; at most
// one degree.
func matchRadius(s string, cfg config.Config) (float64, error) {
	if s == "" {
		return cfg.Crossmatch.RadiusArcsec / 3600, nil
	}
	r, err := xmatch.ParseAngle(s, "arcsec")
	if err != nil {
		return 0, fmt.Errorf("radius: %w", err)
	}
	if !(r > 0 && r <= 1) {
		return 0, fmt.Errorf("radius %q is out of range (0, 1 deg]", s)
	}
	return r, nil
}
