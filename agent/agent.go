// Package agent is voagent's long-running process: it keeps the SAMP
// connection (starting its own hub when none is running and the
// configuration allows it), holds the tables other tools sent, runs the
// searches, publishes what it does as typed events, and is the one way in
// for handlers (SAMP messages), the control API (CLI, tray) and in-process
// commands.
//
// The intake methods are named for what a message or a user asks:
// LoadTable, Highlight, Select, Vicinity, Spectra, Resend.
package agent

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/voagent/voagent/agent/api"
	"github.com/voagent/voagent/agent/events"
	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/internal/buildinfo"
	"github.com/voagent/voagent/samp/connector"
	"github.com/voagent/voagent/samp/hub"
	"github.com/voagent/voagent/samp/profile"
	"github.com/voagent/voagent/vo/dal"
	"github.com/voagent/voagent/vo/fanout"
)

// Version is the agent's version, reported by the control API.
// It is buildinfo's version and commit (e.g. "0.3.0-dev+0123abcd4567").
var Version = buildinfo.Read().Short()

// Agent is the running agent.
type Agent struct {
	cfgMu   sync.RWMutex
	cfg     config.Config
	cfgPath string
	socket  string // the control socket being served ("" when none)

	controlPath string // where Run serves the control API ("" = nowhere)
	reloadErr   error
	reloadAt    time.Time

	log     *slog.Logger
	conn    *connector.Connector
	tables  *Tables
	dal     *dal.Client
	results results
	bus     *events.Bus
	runID   string
	started time.Time

	latest        fanout.Latest // the vicinity search
	latestSpectra fanout.Latest // the spectra search of selected rows
	gate          highlightGate
	searches      searchBook
	resolutions   resolutions
	names         names         // the name resolver, per resolver URL
	outbox        outbox        // the delivery queues, one per recipient
	xmatches      crossmatches  // the running cross-matches
	plots         plotBook      // the SED plots made
	highlights    atomic.Uint64 // generation of highlight-triggered searches
	selections    atomic.Uint64 // generation of selection-triggered searches
	lastSelection atomic.Pointer[api.Selection]

	hubExe      string        // the voagent executable to run a detached hub with ("" = in-process hub)
	hubIdleExit time.Duration // the detached hub's --idle-exit
	hubLogPath  string        // where the detached hub logs ("" = HubLogPath())

	hubMu  sync.Mutex
	ownHub string // XML-RPC URL of the hub in use when it is voagent's own ("" when not)

	ctx      context.Context // the agent's lifetime, for background work
	stop     context.CancelCauseFunc
	wg       sync.WaitGroup
	stopping atomic.Bool
}

// Option configures New.
type Option func(*Agent)

// WithConfigPath records the file the configuration came from, for Reload,
// the live reload watcher and the status.
func WithConfigPath(path string) Option { return func(a *Agent) { a.cfgPath = path } }

// WithResultsDir puts the per-run result directories under dir instead of
// the system's temporary directory.
func WithResultsDir(dir string) Option { return func(a *Agent) { a.results.base = dir } }

// WithControlSocket makes Run serve the control API on a Unix socket at
// path (api.DefaultSocketPath() for the usual place).
func WithControlSocket(path string) Option { return func(a *Agent) { a.controlPath = path } }

// DefaultHubIdleExit is how long a detached hub started by the agent stays
// once it has no client left: long enough for voagent to be restarted, or
// for TOPCAT and Aladin to be closed and opened again, on the same hub.
const DefaultHubIdleExit = 10 * time.Minute

// WithHubCommand makes the agent start its hub, when samp.start_hub is set
// and none runs, as a separate process detached from the agent (its own
// session): exe hub --lockfile PATH --idle-exit D, where exe is the voagent
// executable (cmd/voagent passes os.Executable()). Such a hub outlives the
// agent, so that TOPCAT and Aladin keep it when voagent stops; it exits by
// itself once it has had no client for the idle period (WithHubIdleExit).
// Without this option the hub runs inside the agent and stops with it.
func WithHubCommand(exe string) Option { return func(a *Agent) { a.hubExe = exe } }

// WithHubIdleExit sets the idle period of a detached hub (default
// DefaultHubIdleExit).
func WithHubIdleExit(d time.Duration) Option { return func(a *Agent) { a.hubIdleExit = d } }

// WithHubLog makes a detached hub log to path instead of HubLogPath().
func WithHubLog(path string) Option { return func(a *Agent) { a.hubLogPath = path } }

// New makes an agent from a configuration; Run starts it.
func New(cfg config.Config, log *slog.Logger, opts ...Option) *Agent {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var id [4]byte
	rand.Read(id[:])
	a := &Agent{cfg: cfg, log: log, tables: NewTables(cfg.Results.MaxTables, int64(cfg.Results.MaxMB)<<20), bus: events.NewBus(512),
		runID: hex.EncodeToString(id[:]), started: time.Now(),
		dal: dal.New(dal.Options{Timeout: cfg.Search.Timeout.Duration, Logger: log})}
	for _, o := range opts {
		o(a)
	}
	if a.hubIdleExit <= 0 {
		a.hubIdleExit = DefaultHubIdleExit
	}
	a.ctx, a.stop = context.WithCancelCause(context.Background())
	copts := connector.Options{
		Metadata: map[string]any{
			"samp.name":             cfg.SAMP.Name,
			"samp.description.text": "Virtual Observatory desktop agent: vicinity searches, cross-matches, spectra",
			"author.name":           "voagent",
			// voagent's own MType, declared for tools that look.
			"voagent.mtype.voagent.crossmatch": "params: table-id or url, catalog (a configured catalogue), radius (with units, e.g. 2arcsec), " +
				"join (all1 or 1and2); result when done: url, table-id, rows, matched",
		},
		Logger:       log,
		CallTimeout:  cfg.SAMP.CallTimeout.Duration,
		OnSession:    a.onSession,
		OnClientGone: a.clientGone,
	}
	if cfg.SAMP.StartHub {
		copts.StartHub = a.startHub
	}
	a.conn = connector.New(copts)
	return a
}

// startHub starts voagent's hub where clients look for one: as a detached
// process when WithHubCommand was given, else inside the agent.
func (a *Agent) startHub(ctx context.Context, loc profile.Location) (func(context.Context) error, error) {
	if a.hubExe != "" {
		return a.startDetachedHub(ctx, loc)
	}
	h, err := hub.New(hub.Options{Lockfile: loc.Path, Logger: a.log.With("component", "hub")})
	if err != nil {
		return nil, err
	}
	if err := h.Start(ctx); err != nil {
		return nil, err
	}
	a.log.Info("no SAMP hub was running: started our own (in-process, it stops with the agent)", "lockfile", h.Lockfile(), "url", h.URL())
	return func(context.Context) error { return h.Close() }, nil
}

// onSession turns the connector's hub changes into events. A hub is our
// own when its lockfile says hub.impl=voagent, whoever started it.
func (a *Agent) onSession(up bool, info connector.Info, reason string) {
	own := up && info.HubImpl == hub.Impl
	a.hubMu.Lock()
	if up {
		a.ownHub = ""
		if own {
			a.ownHub = info.HubURL
		}
	}
	a.hubMu.Unlock()
	if up {
		a.bus.Publish(events.Event{Type: events.HubFound, Hub: info.HubURL, OwnHub: own})
		return
	}
	a.bus.Publish(events.Event{Type: events.HubLost, Hub: info.HubURL, Error: reason})
}

// Connector is the SAMP connection, for handlers to register on and to send
// messages through.
func (a *Agent) Connector() *connector.Connector { return a.conn }

// Tables holds the tables received over SAMP.
func (a *Agent) Tables() *Tables { return a.tables }

// Events is the agent's event bus: subscribe to follow what it does.
func (a *Agent) Events() *events.Bus { return a.bus }

// Logger is the agent's logger.
func (a *Agent) Logger() *slog.Logger { return a.log }

// Config is the configuration in force (a reload replaces it).
func (a *Agent) Config() config.Config {
	a.cfgMu.RLock()
	defer a.cfgMu.RUnlock()
	return a.cfg
}

// Run keeps the agent on the hub until ctx is done or Stop is called.
// Before it returns, searches are cancelled and waited for, the agent
// unregisters, and its result files are removed. Result directories left
// by voagent processes that died are removed at start.
func (a *Agent) Run(ctx context.Context) error {
	cfg := a.Config()
	removeDeadResults(a.results.base, a.log)
	var control net.Listener
	if a.controlPath != "" {
		ln, err := ListenControl(ctx, a.controlPath, os.Getuid(), a.log)
		if err != nil {
			return err
		}
		control = ln
	}
	a.log.Info("voagent starting", "name", cfg.SAMP.Name, "start_hub", cfg.SAMP.StartHub,
		"catalogues", len(cfg.Catalogs), "images", len(cfg.Images), "config", a.cfgPath)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stopRun := context.AfterFunc(a.ctx, func() { cancel(context.Cause(a.ctx)) })
	defer stopRun()
	if control != nil {
		// The control API outlives the SAMP connection until the very
		// end, so that a client following events sees the agent stop.
		cctx, stopControl := context.WithCancel(context.Background())
		served := make(chan struct{})
		go func() {
			defer close(served)
			if err := a.serveControl(cctx, control, a.controlPath); err != nil {
				a.log.Warn("control API stopped", "err", err)
			}
		}()
		defer func() { stopControl(); <-served }()
	}
	if a.cfgPath != "" {
		// Live reload: a valid change applies to the next search, an
		// invalid one is refused and the running configuration stays.
		a.Go(func(wctx context.Context) {
			if err := config.Watch(wctx, a.cfgPath, a.log, a.ApplyConfig); err != nil {
				a.log.Info("configuration file not watched (write one with 'voagent config init', then restart)", "config", a.cfgPath, "err", err)
			}
		})
	}
	err := a.conn.Run(ctx)
	reason := context.Cause(ctx)
	if reason == nil {
		reason = err
	}
	a.shutdown(reason)
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// Stop asks a running agent to shut down (as SIGTERM does); Run returns
// once it is done.
func (a *Agent) Stop(reason error) {
	if reason == nil {
		reason = context.Canceled
	}
	a.stop(reason)
}

// shutdown cancels background work, waits for it and removes the results.
func (a *Agent) shutdown(reason error) {
	if !a.stopping.CompareAndSwap(false, true) {
		return
	}
	msg := "stopped"
	if reason != nil {
		msg = reason.Error()
	}
	a.bus.Publish(events.Event{Type: events.Stopping, Error: msg})
	a.log.Info("voagent stopping", "reason", msg)
	a.stop(reason)
	a.latest.Stop()
	a.latestSpectra.Stop()
	a.outbox.close()
	a.wg.Wait()
	if rerr := a.results.remove(); rerr != nil {
		a.log.Warn("removing result files", "err", rerr)
	}
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

// WaitConnected waits until the agent is registered with a hub.
func (a *Agent) WaitConnected(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return a.conn.WaitConnected(ctx)
}

// newID returns an identifier unique across runs of the agent: a table-id
// TOPCAT has never seen, even after voagent restarts.
func (a *Agent) newID(kind string) string {
	return fmt.Sprintf("voagent-%s-%s-%d", a.runID, kind, a.searches.seq.Add(1))
}
