// Package agent is voagent's long-running process: it keeps the SAMP
// connection (starting its own hub when none is running and the
// configuration allows it), holds the tables other tools sent, and is the
// one place handlers, the tray and the CLI reach its state through.
package agent

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/samp/connector"
	"github.com/voagent/voagent/samp/hub"
	"github.com/voagent/voagent/samp/profile"
	"github.com/voagent/voagent/vo/dal"
	"github.com/voagent/voagent/vo/fanout"
)

// Agent is the running agent.
type Agent struct {
	cfg     config.Config
	log     *slog.Logger
	conn    *connector.Connector
	tables  *Tables
	dal     *dal.Client
	results results
	latest  fanout.Latest // the vicinity search
	// latestSpectra is the spectra search of selected rows.
	latestSpectra fanout.Latest

	ctx  context.Context // the agent's lifetime, for background work
	stop context.CancelFunc
	wg   sync.WaitGroup
}

// New makes an agent from a configuration; Run starts it.
func New(cfg config.Config, log *slog.Logger) *Agent {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &Agent{cfg: cfg, log: log, tables: NewTables(),
		dal: dal.New(dal.Options{Timeout: cfg.Search.Timeout.Duration, Logger: log})}
	a.ctx, a.stop = context.WithCancel(context.Background())
	opts := connector.Options{
		Metadata: map[string]any{
			"samp.name":             cfg.SAMP.Name,
			"samp.description.text": "Virtual Observatory desktop agent: vicinity searches, cross-matches, spectra",
			"author.name":           "voagent",
		},
		Logger:      log,
		CallTimeout: cfg.SAMP.CallTimeout.Duration,
	}
	if cfg.SAMP.StartHub {
		opts.StartHub = startHub(log)
	}
	a.conn = connector.New(opts)
	return a
}

// startHub runs the built-in hub where clients look for one.
func startHub(log *slog.Logger) connector.HubStarter {
	return func(ctx context.Context, loc profile.Location) (func(context.Context) error, error) {
		h, err := hub.New(hub.Options{Lockfile: loc.Path, Logger: log.With("component", "hub")})
		if err != nil {
			return nil, err
		}
		if err := h.Start(ctx); err != nil {
			return nil, err
		}
		log.Info("no SAMP hub was running: started our own", "lockfile", h.Lockfile(), "url", h.URL())
		return func(context.Context) error { return h.Close() }, nil
	}
}

// Connector is the SAMP connection, for handlers to register on and to send
// messages through.
func (a *Agent) Connector() *connector.Connector { return a.conn }

// Tables holds the tables received over SAMP.
func (a *Agent) Tables() *Tables { return a.tables }

// Logger is the agent's logger.
func (a *Agent) Logger() *slog.Logger { return a.log }

// Config is the agent's configuration.
func (a *Agent) Config() config.Config { return a.cfg }

// Run keeps the agent on the hub until ctx is done. Background work (Go)
// is cancelled and waited for, and the result files are removed, before it
// returns.
func (a *Agent) Run(ctx context.Context) error {
	a.log.Info("voagent starting", "name", a.cfg.SAMP.Name, "start_hub", a.cfg.SAMP.StartHub,
		"catalogues", len(a.cfg.Catalogs))
	stop := context.AfterFunc(ctx, a.stop)
	defer stop()
	err := a.conn.Run(ctx)
	a.stop()
	a.wg.Wait()
	if rerr := a.results.remove(); rerr != nil {
		a.log.Warn("removing result files", "err", rerr)
	}
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// Go runs fn in the background with a context that ends when the agent
// stops; Run waits for it before returning.
func (a *Agent) Go(fn func(ctx context.Context)) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		fn(a.ctx)
	}()
}

// SearchAround is the vicinity search of a highlighted row: it asks the
// client named vicinity.point_at to look at pos, searches every catalogue
// and image service (Vicinity) and sends each non-empty catalogue answer, as
// it arrives, to the client named vicinity.send_to, and the first FITS image
// of each image service to vicinity.images_to. Failures are logged, never fatal: a catalogue that
// fails or a client that is not there loses nothing else.
func (a *Agent) SearchAround(ctx context.Context, pos Position) fanout.Summary {
	v := a.cfg.Vicinity
	if v.PointAt != "" {
		// Beside the search, so that a slow or silent Aladin never delays
		// the tables.
		pointed := make(chan struct{})
		defer func() { <-pointed }()
		go func() {
			defer close(pointed)
			if err := a.PointAt(ctx, v.PointAt, pos); err != nil {
				a.log.Debug("not pointed", "to", v.PointAt, "err", err)
			}
		}()
	}
	sum, err := a.Vicinity(ctx, pos, func(ctx context.Context, f Found) {
		if f.Table == nil {
			a.sendImage(ctx, f, pos)
			return
		}
		rows := f.Table.Data.Rows()
		log := a.log.With("catalogue", f.Catalog, "pos", pos.String(), "rows", rows)
		if f.Truncation != nil {
			log = log.With("truncated", true)
		}
		if rows == 0 {
			log.Info("vicinity search: nothing in the cone")
			return
		}
		if err := a.SendTable(ctx, v.SendTo, f.Table); err != nil {
			log.Warn("vicinity result not delivered", "url", f.Table.URL, "err", err)
			return
		}
		log.Info("vicinity result sent", "to", v.SendTo, "table-id", f.Table.ID)
	})
	switch {
	case errors.Is(err, fanout.ErrSuperseded):
		a.log.Info("vicinity search superseded by a newer one", "pos", pos.String())
	case err != nil && ctx.Err() != nil:
		a.log.Info("vicinity search stopped", "pos", pos.String(), "err", err)
	default:
		a.log.Info("vicinity search done", "pos", pos.String(), "summary", sum.String())
	}
	return sum
}

// WaitConnected waits until the agent is registered with a hub.
func (a *Agent) WaitConnected(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return a.conn.WaitConnected(ctx)
}

// sendImage sends the first image an image service found to
// vicinity.images_to.
func (a *Agent) sendImage(ctx context.Context, f Found, pos Position) {
	log := a.log.With("images", f.Catalog, "pos", pos.String(), "found", len(f.Images))
	if len(f.Images) == 0 {
		log.Info("vicinity search: no FITS image there")
		return
	}
	to := a.cfg.Vicinity.ImagesTo
	if err := a.SendImage(ctx, to, f.ImageURL, f.Images[0]); err != nil {
		log.Warn("image not delivered", "url", f.ImageURL, "err", err)
		return
	}
	log.Info("image sent", "to", to, "url", f.ImageURL, "image-id", f.Images[0].URL)
}
