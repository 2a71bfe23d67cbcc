package agent

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/voagent/voagent/agent/api"
	"github.com/voagent/voagent/agent/events"
	"github.com/voagent/voagent/vo/fanout"
)

// Bounds of what the agent remembers about its searches.
const (
	keepSearches = 20  // finished searches in the status
	keepResults  = 500 // results that can be resent
)

// searchBook is what the agent knows of its searches: those running, the
// recent ones, their results (for Resend) and each service's last answer.
type searchBook struct {
	seq atomic.Int64

	mu      sync.Mutex
	running map[string]*api.Search
	recent  []api.Search // newest last
	results []*api.Result
	byID    map[string]*api.Result
	last    map[string]api.ServiceResult
}

func (b *searchBook) start(s *api.Search) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.running == nil {
		b.running = map[string]*api.Search{}
	}
	b.running[s.ID] = s
}

func (b *searchBook) finish(s *api.Search) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.running, s.ID)
	s.Done = true
	b.recent = append(b.recent, *s)
	if len(b.recent) > keepSearches {
		b.recent = slices.Delete(b.recent, 0, len(b.recent)-keepSearches)
	}
}

// update changes a running search under the lock.
func (b *searchBook) update(fn func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	fn()
}

// countDelivery counts one more result delivered by search s, in s and in
// its entry among the recent searches once it has finished. Call it under
// the lock (in update).
func (b *searchBook) countDelivery(s *api.Search) {
	s.Delivered++
	for i := len(b.recent) - 1; i >= 0; i-- {
		if b.recent[i].ID == s.ID {
			b.recent[i].Delivered = s.Delivered
			break
		}
	}
}

// delivered is how many results s has delivered so far.
func (b *searchBook) delivered(s *api.Search) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return s.Delivered
}

// report copies s and its results as they are now.
func (b *searchBook) report(s *api.Search, results []*api.Result, summary string) api.Report {
	b.mu.Lock()
	defer b.mu.Unlock()
	rep := api.Report{Search: *s, Summary: summary}
	for _, r := range results {
		c := *r
		c.SentTo = slices.Clone(r.SentTo)
		rep.Results = append(rep.Results, c)
	}
	return rep
}

func (b *searchBook) keep(r *api.Result) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.byID == nil {
		b.byID = map[string]*api.Result{}
	}
	b.results = append(b.results, r)
	b.byID[r.ID] = r
	for len(b.results) > keepResults {
		delete(b.byID, b.results[0].ID)
		b.results = b.results[1:]
	}
}

func (b *searchBook) result(id string) (api.Result, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	r, ok := b.byID[id]
	if !ok {
		return api.Result{}, false
	}
	return *r, true
}

func (b *searchBook) serviceAnswered(service string, sr api.ServiceResult) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.last == nil {
		b.last = map[string]api.ServiceResult{}
	}
	b.last[service] = sr
}

// snapshot copies the running and recent searches and last answers.
func (b *searchBook) snapshot() (running, recent []api.Search, last map[string]api.ServiceResult) {
	b.mu.Lock()
	defer b.mu.Unlock()
	running = []api.Search{}
	for _, s := range b.running {
		c := *s
		c.Elapsed = time.Since(c.Started)
		running = append(running, c)
	}
	slices.SortFunc(running, func(x, y api.Search) int { return x.Started.Compare(y.Started) })
	recent = make([]api.Search, 0, len(b.recent))
	for i := len(b.recent) - 1; i >= 0; i-- {
		recent = append(recent, b.recent[i])
	}
	last = map[string]api.ServiceResult{}
	for k, v := range b.last {
		last[k] = v
	}
	return running, recent, last
}

// trigger says what started a search and when.
type trigger struct {
	name string // "highlight", "select", "control", "cli"
	at   time.Time
	// background: the search's report does not wait for its deliveries
	// (highlight- and selection-triggered searches).
	background bool
	// stale reports whether a newer search of the same kind has begun
	// (nil: the search's context being superseded is what counts); the
	// search's messages still queued are then dropped.
	stale func() bool
	// settle: the search's messages wait until at+settle, and are dropped
	// if a newer highlight came meanwhile (clicking through rows brings
	// the tables of the row the user stops at, not of every row passed).
	settle time.Duration
}

// holdUntil is when the trigger's messages may go.
func (tr trigger) holdUntil() time.Time {
	if tr.settle <= 0 {
		return time.Time{}
	}
	return tr.at.Add(tr.settle)
}

// staleFunc is tr.stale, or a test of ctx being superseded.
func (tr trigger) staleFunc(ctx context.Context) func() bool {
	if tr.stale != nil {
		return tr.stale
	}
	return func() bool { return errors.Is(context.Cause(ctx), fanout.ErrSuperseded) }
}

// runVicinity runs one vicinity search at pos and, when send is set,
// delivers its answers as a highlighted row asks: Aladin (vicinity.point_at)
// pointed at pos, each non-empty table to vicinity.send_to and the image of
// each image service that contains pos to vicinity.images_to, each queued
// for its recipient as it arrives (a slow or silent client delays only its
// own messages). Every step is an event; the report lists the results kept
// and, unless the search runs in the background, where each went. A search
// superseded by a newer highlight sends nothing it had not started sending.
func (a *Agent) runVicinity(ctx context.Context, pos Position, opt VicinityOptions, send bool, tr trigger) api.Report {
	cfg := a.Config()
	v := cfg.Vicinity
	s := &api.Search{ID: a.newID("search"), Kind: "vicinity", Trigger: tr.name, RA: pos.RA, Dec: pos.Dec,
		Started: tr.at, Services: len(cfg.Catalogs) + len(cfg.Images)}
	a.searches.start(s)
	ra, dec := pos.RA, pos.Dec
	a.bus.Publish(events.Event{Type: events.SearchStarted, Search: s.ID, Kind: s.Kind, Trigger: tr.name,
		RA: &ra, Dec: &dec, Services: s.Services})
	stale := tr.staleFunc(ctx)
	var pending sync.WaitGroup // this search's deliveries
	if send && v.PointAt != "" {
		// Queued for Aladin, so that a slow or silent Aladin never delays
		// the tables, which go to TOPCAT's own queue.
		a.deliver(v.PointAt, "coord.pointAt.sky", pointParams(pos), stale, tr.holdUntil(), &pending, func(rc recipient, err error, _ time.Duration) {
			if err != nil {
				a.log.Debug("not pointed", "to", rc.label(), "err", err)
			}
		}, func(err error) { a.log.Debug("not pointed", "to", v.PointAt, "err", err) })
	}
	var (
		results []*api.Result
		counts  []events.Count
		found   []catalogTable // the catalogues' tables, for the SED
	)
	sum, err := a.FindVicinity(ctx, pos, opt, func(ctx context.Context, f Found) {
		if f.Err != nil {
			a.searches.serviceAnswered(f.Catalog, api.ServiceResult{Search: s.ID, Error: f.Err.Error(), Time: time.Now()})
			a.bus.Publish(events.Event{Type: events.ServiceFailed, Search: s.ID, Service: f.Catalog, Error: f.Err.Error()})
			return
		}
		r := a.keepFound(s, f, pos)
		if r == nil {
			return
		}
		counts = append(counts, events.Count{Service: f.Catalog, Rows: r.Rows})
		if f.Table != nil {
			found = append(found, catalogTable{name: f.Catalog, table: f.Table.Data})
		}
		if send && ctx.Err() == nil && (r.Kind == "image" || r.Rows > 0) {
			a.deliverResult(s, r, f, tr, stale, &pending)
		}
		results = append(results, r)
	})
	if send && cfg.SED.OnVicinity && err == nil && ctx.Err() == nil {
		a.sedAfterVicinity(ctx, s, pos, found, tr, stale, &pending)
	}
	if !tr.background {
		pending.Wait()
	}
	s.Elapsed = time.Since(tr.at)
	s.Answered = sum.OK
	for _, f := range sum.Failures {
		if f.Outcome == fanout.Canceled {
			continue
		}
		s.Failed = append(s.Failed, f.Name+": "+f.Err.Error())
	}
	s.Superseded = errors.Is(err, fanout.ErrSuperseded)
	a.searches.finish(s)
	delivered := a.searches.delivered(s)
	a.bus.Publish(events.Event{Type: events.SearchFinished, Search: s.ID, Kind: s.Kind, Services: s.Services,
		Answered: s.Answered, Counts: counts, Failed: s.Failed, Superseded: s.Superseded, Elapsed: s.Elapsed,
		Count: delivered})
	log := a.log.With("search", s.ID, "pos", pos.String())
	switch {
	case s.Superseded:
		log.Info("vicinity search superseded by a newer one")
	case err != nil && ctx.Err() != nil:
		log.Info("vicinity search stopped", "err", err)
	default:
		log.Info("vicinity search done", "summary", sum.String(), "delivered", delivered)
	}
	if tr.background && send {
		// Its messages are still queued (vicinity.settle, slow
		// recipients): say what was delivered once each has an outcome.
		a.Go(func(context.Context) {
			pending.Wait()
			n := a.searches.delivered(s)
			a.bus.Publish(events.Event{Type: events.SearchDelivered, Search: s.ID, Kind: s.Kind, Count: n})
			log.Info("vicinity search delivered", "delivered", n)
		})
	}
	return a.searches.report(s, results, sum.String())
}

// keepFound records a service's answer as a result (nil for an image
// service that found no image).
func (a *Agent) keepFound(s *api.Search, f Found, pos Position) *api.Result {
	now := time.Now()
	r := &api.Result{Search: s.ID, Service: f.Catalog, RA: pos.RA, Dec: pos.Dec, Time: now,
		Truncated: f.Truncation != nil}
	switch {
	case f.Table != nil:
		r.ID, r.Kind, r.Name, r.URL, r.Rows = f.Table.ID, "table", f.Table.Name, f.Table.URL, f.Table.Data.Rows()
		r.Path = filePath(f.Table.URL)
	case f.ImageURL != "":
		r.ID, r.Kind, r.Name, r.URL = a.newID("image"), "image", f.Images[0].Name, f.ImageURL
		r.Path = filePath(f.ImageURL)
		r.Rows = len(f.Images)
	default:
		a.searches.serviceAnswered(f.Catalog, api.ServiceResult{Search: s.ID, Time: now, Note: f.Note})
		if f.Note != "" {
			a.bus.Publish(events.Event{Type: events.ServiceNote, Search: s.ID, Service: f.Catalog, Note: f.Note})
			a.log.Info("vicinity search: no image sent", "images", f.Catalog, "search", s.ID, "reason", f.Note)
			return nil
		}
		a.log.Info("vicinity search: no FITS image there", "images", f.Catalog, "search", s.ID)
		return nil
	}
	a.searches.keep(r)
	a.searches.serviceAnswered(f.Catalog, api.ServiceResult{Search: s.ID, Rows: r.Rows, Result: r.ID, Time: now})
	a.bus.Publish(events.Event{Type: events.ResultStored, Search: s.ID, Service: f.Catalog, Result: r.ID,
		Rows: r.Rows, Path: r.Path, Truncated: r.Truncated})
	return r
}

// deliverResult queues a kept result for its configured recipients and
// returns at once. Each recipient's outcome is recorded in the result and
// the search and published (result.sent, result.not_sent) when its turn
// has come; a message still queued when its search is superseded (stale)
// is dropped. Once started, a delivery is not cut short by the search
// being superseded (the connector's deadline still applies), so a tool
// never half-receives a table.
func (a *Agent) deliverResult(s *api.Search, r *api.Result, f Found, tr trigger, stale func() bool, pending *sync.WaitGroup) {
	a.deliverResultTo(s, r, f, tr, stale, pending, a.Config().Vicinity.SendTo)
}

// deliverResultTo is deliverResult with the clients a table goes to named
// (tableTo; "" or "*" for every subscriber).
func (a *Agent) deliverResultTo(s *api.Search, r *api.Result, f Found, tr trigger, stale func() bool, pending *sync.WaitGroup, tableTo string) {
	v := a.Config().Vicinity
	to, mtype, params := tableTo, "table.load.votable", tableParams(r.URL, r.ID, r.Name)
	if r.Kind == "image" {
		to, mtype = v.ImagesTo, "image.load.fits"
		// Aladin knows an image by its access URL.
		params = map[string]any{"url": r.URL, "image-id": f.Images[0].URL, "name": r.Name}
	}
	log := a.log.With("search", s.ID, "service", r.Service, "result", r.ID, "rows", r.Rows)
	notSent := func(label string, err error) {
		a.searches.update(func() {
			if r.SendError != "" {
				r.SendError += "; "
			}
			r.SendError += err.Error()
		})
		a.bus.Publish(events.Event{Type: events.ResultNotSent, Search: s.ID, Service: r.Service, Result: r.ID,
			To: label, Error: err.Error()})
		log.Warn("result not delivered", "to", label, "mtype", mtype, "err", err)
	}
	a.deliver(to, mtype, params, stale, tr.holdUntil(), pending, func(rc recipient, err error, took time.Duration) {
		if err != nil {
			notSent(rc.label(), err)
			return
		}
		a.searches.update(func() {
			if len(r.SentTo) == 0 {
				a.searches.countDelivery(s)
			}
			r.SentTo = append(r.SentTo, rc.display())
		})
		if r.Kind == "table" {
			a.tables.AddHolder(r.ID, rc.id)
		}
		a.bus.Publish(events.Event{Type: events.ResultSent, Search: s.ID, Service: r.Service, Result: r.ID,
			To: rc.display(), Rows: r.Rows, Elapsed: time.Since(tr.at), ServiceTime: f.Elapsed, SendTime: took})
		log.Info("result sent", "to", rc.display(), "mtype", mtype)
	}, func(err error) { notSent(to, err) })
}

// deliver queues mtype with params for each client named to (every
// subscriber when to is "" or "*"), counting the messages in pending until
// their outcome is known: each recipient's outcome goes to done, and
// noRecipient gets the error when no client can take the message.
func (a *Agent) deliver(to, mtype string, params map[string]any, stale func() bool, notBefore time.Time, pending *sync.WaitGroup,
	done func(recipient, error, time.Duration), noRecipient func(error)) {
	rs, err := a.recipients(to, mtype)
	if err != nil {
		noRecipient(err)
		return
	}
	for _, rc := range rs {
		pending.Add(1)
		a.enqueue(&outgoing{to: rc, mtype: mtype, params: params, stale: stale, notBefore: notBefore, done: func(err error, took time.Duration) {
			defer pending.Done()
			done(rc, err, took)
		}})
	}
}

// filePath is the local path of a file: URL ("" for others).
func filePath(u string) string {
	p, err := localPath(u)
	if err != nil {
		return ""
	}
	return p
}

// runSpectra looks up the spectra near pos and, when send is set, queues
// each for the client named to as its service answers; unless the search
// runs in the background, the report waits for the deliveries' outcomes.
func (a *Agent) runSpectra(ctx context.Context, reg string, pos []Position, radiusDeg float64, send bool, to string, tr trigger) (api.Report, error) {
	s := &api.Search{ID: a.newID("search"), Kind: "spectra", Trigger: tr.name, Positions: len(pos), Started: tr.at}
	if len(pos) > 0 {
		s.RA, s.Dec = pos[0].RA, pos[0].Dec
	}
	a.searches.start(s)
	a.bus.Publish(events.Event{Type: events.SearchStarted, Search: s.ID, Kind: s.Kind, Trigger: tr.name, Positions: len(pos)})
	var results []*api.Result
	stale := tr.staleFunc(ctx)
	var pending sync.WaitGroup // this search's deliveries
	sum, err := a.FindSpectra(ctx, reg, pos, radiusDeg, func(ctx context.Context, sp Spectrum) {
		if send {
			// SPLAT loads spectra, not links documents: follow #this.
			sp = a.resolveDataLink(ctx, sp)
		}
		r := &api.Result{ID: sp.ID, Search: s.ID, Service: sp.Service, Kind: "spectrum", Name: spectrumName(sp),
			URL: sp.Access.URL, Pos: sp.Pos, Target: sp.Target, RA: pos[sp.Pos].RA, Dec: pos[sp.Pos].Dec, Time: time.Now()}
		if r.ID == "" {
			r.ID = sp.Access.URL
		}
		results = append(results, r)
		if !send || ctx.Err() != nil {
			return
		}
		notSent := func(err error) {
			a.searches.update(func() {
				if r.SendError != "" {
					r.SendError += "; "
				}
				r.SendError += err.Error()
			})
			a.log.Warn("spectrum not delivered", "to", to, "url", sp.Access.URL, "err", err)
		}
		a.deliver(to, "spectrum.load.ssa-generic", spectrumParams(sp), stale, tr.holdUntil(), &pending, func(rc recipient, err error, _ time.Duration) {
			if err != nil {
				notSent(err)
				return
			}
			a.searches.update(func() {
				if len(r.SentTo) == 0 {
					a.searches.countDelivery(s)
				}
				r.SentTo = append(r.SentTo, rc.display())
			})
		}, notSent)
	})
	if !tr.background {
		pending.Wait()
	}
	s.Elapsed = time.Since(tr.at)
	s.Services, s.Answered = sum.Total, sum.OK
	for _, f := range sum.Failures {
		s.Failed = append(s.Failed, f.Name+": "+f.Err.Error())
		a.bus.Publish(events.Event{Type: events.ServiceFailed, Search: s.ID, Service: f.Name, Error: f.Err.Error()})
	}
	s.Superseded = errors.Is(context.Cause(ctx), fanout.ErrSuperseded)
	a.searches.finish(s)
	delivered := a.searches.delivered(s)
	if send && delivered > 0 {
		a.bus.Publish(events.Event{Type: events.SpectraDelivered, Search: s.ID, To: to, Count: delivered})
	}
	a.bus.Publish(events.Event{Type: events.SearchFinished, Search: s.ID, Kind: s.Kind, Services: s.Services,
		Answered: s.Answered, Failed: s.Failed, Superseded: s.Superseded, Elapsed: s.Elapsed, Count: delivered})
	switch {
	case s.Superseded:
		a.log.Info("spectra search superseded by a newer one", "positions", len(pos))
	case err != nil:
		a.log.Warn("spectra search failed", "positions", len(pos), "err", err)
	default:
		a.log.Info("spectra search done", "positions", len(pos), "found", len(results), "sent", delivered, "to", to, "summary", sum.String())
	}
	return a.searches.report(s, results, sum.String()), err
}
