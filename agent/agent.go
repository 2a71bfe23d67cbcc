// Package agent is voagent's long-running process: it keeps the SAMP
// connection (starting its own hub when none is running and the
// configuration allows it), holds the tables other tools sent, and is the
// one place handlers, the tray and the CLI reach its state through.
package agent

import (
	"context"
	"log/slog"
	"time"

	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/samp/connector"
	"github.com/voagent/voagent/samp/hub"
	"github.com/voagent/voagent/samp/profile"
)

// Agent is the running agent.
type Agent struct {
	cfg    config.Config
	log    *slog.Logger
	conn   *connector.Connector
	tables *Tables
}

// New makes an agent from a configuration; Run starts it.
func New(cfg config.Config, log *slog.Logger) *Agent {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &Agent{cfg: cfg, log: log, tables: NewTables()}
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

// Run keeps the agent on the hub until ctx is done.
func (a *Agent) Run(ctx context.Context) error {
	a.log.Info("voagent starting", "name", a.cfg.SAMP.Name, "start_hub", a.cfg.SAMP.StartHub)
	err := a.conn.Run(ctx)
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// WaitConnected waits until the agent is registered with a hub.
func (a *Agent) WaitConnected(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return a.conn.WaitConnected(ctx)
}
