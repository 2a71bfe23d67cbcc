// Package notify shows desktop notifications (org.freedesktop.Notifications
// on the session bus) for what the agent reports on its event stream:
// searches finished, spectra delivered, the hub lost or found, a
// configuration change rejected. It is a thin client of the control API:
// it reads only the event stream, through agent/client.
//
// Bursts are coalesced: the first notification of a quiet period goes at
// once, what follows within the window is gathered into one summary sent
// when the window ends, so clicking through rows in TOPCAT gives at most
// two notifications per window.
package notify

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/voagent/voagent/agent/client"
	"github.com/voagent/voagent/agent/events"
	"github.com/voagent/voagent/desktop/sessionbus"
)

// DefaultWindow is the coalescing window of New.
const DefaultWindow = 5 * time.Second

// Bus sends notifications to the org.freedesktop.Notifications service.
type Bus struct {
	conn *dbus.Conn
}

// Dial connects to the running session bus (sessionbus.Connect: it never
// starts one).
func Dial(ctx context.Context) (*Bus, error) {
	conn, err := sessionbus.Connect(ctx)
	if err != nil {
		return nil, fmt.Errorf("connecting to the session bus for notifications: %w", err)
	}
	return &Bus{conn: conn}, nil
}

// Close closes the bus connection.
func (b *Bus) Close() error { return b.conn.Close() }

// Notify shows one notification with the given summary and body.
func (b *Bus) Notify(ctx context.Context, summary, body string) error {
	obj := b.conn.Object("org.freedesktop.Notifications", "/org/freedesktop/Notifications")
	call := obj.CallWithContext(ctx, "org.freedesktop.Notifications.Notify", 0,
		"voagent", uint32(0), "", summary, body, []string{}, map[string]dbus.Variant{}, int32(-1))
	if call.Err != nil {
		return fmt.Errorf("sending notification %q: %w", summary, call.Err)
	}
	return nil
}

// Types are the event types that give notifications.
var Types = []events.Type{events.SearchFinished, events.SpectraDelivered,
	events.HubLost, events.HubFound, events.ConfigRejected}

// Message is the notification for an event (summary, body), ok false when
// the event gives none (a superseded search, another type).
func Message(ev events.Event) (summary, body string, ok bool) {
	switch ev.Type {
	case events.SearchFinished:
		if ev.Superseded {
			return "", "", false
		}
		rows := 0
		for _, c := range ev.Counts {
			rows += c.Rows
		}
		summary = fmt.Sprintf("%s search finished", ev.Kind)
		if ev.RA != nil && ev.Dec != nil {
			summary = fmt.Sprintf("%s search at %.5f %+.5f finished", ev.Kind, *ev.RA, *ev.Dec)
		}
		body = fmt.Sprintf("%d rows from %d of %d services", rows, ev.Answered, ev.Services)
		if len(ev.Failed) > 0 {
			body += "; failed: " + strings.Join(ev.Failed, ", ")
		}
		return summary, body, true
	case events.SpectraDelivered:
		to := ev.To
		if to == "" {
			to = "SPLAT"
		}
		return "spectra delivered", fmt.Sprintf("%d spectra sent to %s", ev.Count, to), true
	case events.HubLost:
		body = ev.Hub
		if ev.Error != "" {
			body += ": " + ev.Error
		}
		return "SAMP hub lost", body, true
	case events.HubFound:
		summary = "on the SAMP hub"
		if ev.OwnHub {
			summary = "on voagent's own SAMP hub"
		}
		return summary, ev.Hub, true
	case events.ConfigRejected:
		return "configuration change rejected", ev.Path + ": " + ev.Error, true
	}
	return "", "", false
}

// Sender shows one notification.
type Sender func(ctx context.Context, summary, body string) error

// Coalescer sends notifications through a Sender, at most one at once and
// one summary per window after it.
type Coalescer struct {
	send   Sender
	window time.Duration
	log    *slog.Logger

	mu      sync.Mutex
	last    time.Time // when the last notification went
	pending []string  // summaries (with bodies) waiting for the window's end
	timer   *time.Timer
	ctx     context.Context
}

// NewCoalescer returns a Coalescer sending through send with the given
// window (DefaultWindow when not positive).
func NewCoalescer(ctx context.Context, send Sender, window time.Duration, log *slog.Logger) *Coalescer {
	if window <= 0 {
		window = DefaultWindow
	}
	return &Coalescer{send: send, window: window, log: log, ctx: ctx}
}

// Add shows a notification now, or gathers it into the summary sent at the
// end of the current window.
func (c *Coalescer) Add(summary, body string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	if c.timer == nil && now.Sub(c.last) >= c.window {
		c.last = now
		go c.deliver(summary, body)
		return
	}
	c.pending = append(c.pending, summary+": "+body)
	if c.timer == nil {
		c.timer = time.AfterFunc(c.window-now.Sub(c.last), c.flush)
	}
}

// flush sends the gathered notifications as one.
func (c *Coalescer) flush() {
	c.mu.Lock()
	p := c.pending
	c.pending, c.timer, c.last = nil, nil, time.Now()
	c.mu.Unlock()
	switch len(p) {
	case 0:
		return
	case 1:
		s, b, _ := strings.Cut(p[0], ": ")
		c.deliver(s, b)
	default:
		c.deliver(fmt.Sprintf("%d voagent events", len(p)), "latest: "+p[len(p)-1])
	}
}

func (c *Coalescer) deliver(summary, body string) {
	ctx, cancel := context.WithTimeout(c.ctx, 5*time.Second)
	defer cancel()
	if err := c.send(ctx, summary, body); err != nil {
		c.log.Warn("notification not shown", "summary", summary, "err", err)
	}
}

// Run shows notifications for the agent's events until ctx ends or the
// event stream does. enabled is asked before each notification (the
// [notify] enabled setting, which the tray toggles).
func Run(ctx context.Context, c *client.Client, send Sender, window time.Duration, enabled func() bool, log *slog.Logger) error {
	co := NewCoalescer(ctx, send, window, log)
	return c.Events(ctx, client.FromNow, Types, func(ev events.Event) error {
		if enabled != nil && !enabled() {
			return nil
		}
		if s, b, ok := Message(ev); ok {
			co.Add(s, b)
		}
		return nil
	})
}
