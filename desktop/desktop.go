// Package desktop runs voagent's desktop face next to the agent: the tray
// (desktop/tray) and the notifications (desktop/notify), both thin clients
// of the agent's control API. Without a session bus or a tray host it says
// so in one log line and the agent runs headless; it never stops the agent
// from running.
package desktop

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/voagent/voagent/agent/client"
	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/desktop/notify"
	"github.com/voagent/voagent/desktop/tray"
)

// Options configures Run.
type Options struct {
	// NoTray runs headless (voagent run --no-tray); notifications are
	// still shown when [notify] enabled.
	NoTray bool
	// Tray is passed to tray.Run (its Client and Log are set by Run).
	Tray tray.Options
	// NotifyWindow is the notifications' coalescing window
	// (notify.DefaultWindow when zero).
	NotifyWindow time.Duration
}

// Run waits for the agent on socket, then shows the tray and the
// notifications until ctx ends. Problems are logged, never returned: the
// agent runs on without its desktop face.
func Run(ctx context.Context, socket string, o Options, log *slog.Logger) {
	c := client.New(socket)
	if err := c.Wait(ctx); err != nil {
		return
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	if bus, err := notify.Dial(ctx); err != nil {
		log.Debug("no desktop notifications", "err", err)
	} else {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer bus.Close()
			if err := notify.Run(ctx, c, bus.Notify, o.NotifyWindow, notifyEnabled(ctx, c), log); err != nil && ctx.Err() == nil {
				log.Warn("desktop notifications stopped", "err", err)
			}
		}()
	}
	if o.NoTray {
		log.Info("running headless: --no-tray")
		return
	}
	if err := tray.Available(ctx); err != nil {
		log.Info("running headless: " + err.Error())
		return
	}
	o.Tray.Client, o.Tray.Log = c, log
	if err := tray.Run(ctx, o.Tray); err != nil && ctx.Err() == nil {
		log.Info("running headless: " + err.Error())
	}
}

// notifyEnabled reads [notify] enabled from the agent's configuration file
// (at most once a second).
func notifyEnabled(ctx context.Context, c *client.Client) func() bool {
	var mu sync.Mutex
	var at time.Time
	on := config.Default().Notify.Enabled
	return func() bool {
		mu.Lock()
		defer mu.Unlock()
		if time.Since(at) < time.Second {
			return on
		}
		at = time.Now()
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		st, err := c.Status(sctx)
		if err != nil || st.Config == "" {
			return on
		}
		if cfg, err := config.Load(st.Config); err == nil {
			on = cfg.Notify.Enabled
		}
		return on
	}
}
