// Package tray is voagent's system tray icon and menu (StatusNotifierItem
// and com.canonical.dbusmenu through fyne.io/systray): a thin client of the
// agent's control API, as tailscale's client/systray is of its daemon. It
// reads the agent's status and event stream through agent/client and acts
// only through it; the toggles are written to the configuration file
// (config.SetValue), which the agent then reloads.
package tray

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/systray"

	"github.com/voagent/voagent/agent/api"
	"github.com/voagent/voagent/agent/client"
	"github.com/voagent/voagent/agent/events"
	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/desktop/sessionbus"
)

// Available says why no tray can be shown (nil when one can): no session
// bus, or no StatusNotifierWatcher on it (no panel hosting tray icons).
func Available(ctx context.Context) error {
	conn, err := sessionbus.Connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var owned bool
	if err := conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0,
		"org.kde.StatusNotifierWatcher").Store(&owned); err != nil {
		return fmt.Errorf("asking the session bus for a StatusNotifierWatcher: %w", err)
	}
	if !owned {
		return errors.New("no StatusNotifierWatcher on the session bus (no panel shows tray icons)")
	}
	return nil
}

// shown says Run was called: fyne.io/systray has one tray per process.
var shown atomic.Bool

// Options configures Run.
type Options struct {
	// Client talks to the agent.
	Client *client.Client
	Log    *slog.Logger
	// Clipboard returns the clipboard's text (Clipboard when nil).
	Clipboard func(ctx context.Context) (string, error)
	// Open opens a file or directory in the desktop's application for it
	// (xdg-open when nil).
	Open func(ctx context.Context, path string) error
	// Refresh is how often the status is read besides after each event
	// (5s when zero).
	Refresh time.Duration
	// SendTo is the client "resend" delivers to ("topcat" when empty).
	SendTo string
}

// Clipboard reads the clipboard's text with xclip, else xsel (the X
// CLIPBOARD selection).
func Clipboard(ctx context.Context) (string, error) {
	for _, args := range [][]string{{"xclip", "-o", "-selection", "clipboard"}, {"xsel", "--clipboard", "--output"}} {
		if _, err := exec.LookPath(args[0]); err != nil {
			continue
		}
		out, err := exec.CommandContext(ctx, args[0], args[1:]...).Output()
		if err != nil {
			return "", fmt.Errorf("reading the clipboard with %s: %w", args[0], err)
		}
		return strings.TrimSpace(string(out)), nil
	}
	return "", errors.New("reading the clipboard: neither xclip nor xsel is installed")
}

// XDGOpen opens path with xdg-open.
func XDGOpen(ctx context.Context, path string) error {
	if err := exec.CommandContext(ctx, "xdg-open", path).Start(); err != nil {
		return fmt.Errorf("opening %s with xdg-open: %w", path, err)
	}
	return nil
}

// toggle is a menu checkbox bound to one configuration key.
type toggle struct {
	item         *systray.MenuItem
	section, key string
	on, off      string // the TOML values written
	get          func(config.Config) bool
}

// menu holds the tray's items.
type menu struct {
	hub, clients, tables, last, action *systray.MenuItem
	highlight, clipboard, spectra      *systray.MenuItem
	resend, xmatch, xmatchTwo          *systray.MenuItem
	xmatchWith                         []*systray.MenuItem
	toggles                            []*toggle
	reconnect, openCfg, reload, folder *systray.MenuItem
	quit                               *systray.MenuItem
}

// Run shows the tray until ctx ends or Quit is chosen (which stops the
// agent). It returns at once with an error when Available does.
func Run(ctx context.Context, o Options) error {
	if err := Available(ctx); err != nil {
		return err
	}
	if shown.Swap(true) {
		return errors.New("the tray is shown once per process (fyne.io/systray keeps one)")
	}
	if o.Clipboard == nil {
		o.Clipboard = Clipboard
	}
	if o.Open == nil {
		o.Open = XDGOpen
	}
	if o.Refresh <= 0 {
		o.Refresh = 5 * time.Second
	}
	if o.SendTo == "" {
		o.SendTo = "topcat"
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ready := make(chan struct{})
	start, end := systray.RunWithExternalLoop(func() { close(ready) }, nil)
	start()
	defer end()
	select {
	case <-ready:
	case <-ctx.Done():
		return nil
	}
	t := &tray{o: o, log: o.Log}
	st, err := o.Client.Status(ctx)
	if err != nil {
		return fmt.Errorf("reading the agent's status for the tray: %w", err)
	}
	t.build(st)
	t.show(st)
	go t.follow(ctx)
	t.loop(ctx, cancel)
	return nil
}

type tray struct {
	o   Options
	log *slog.Logger
	m   menu

	// ui serializes the calls into systray, whose menu items are not
	// safe for concurrent use (refreshes come from the event stream and
	// from finished actions).
	ui sync.Mutex

	mu   sync.Mutex
	st   api.Status
	view View
	cfg  config.Config
	busy int
}

// build adds the menu items.
func (t *tray) build(st api.Status) {
	systray.SetTitle("voagent")
	systray.SetIcon(Icon(NoHub))
	m := &t.m
	m.hub = systray.AddMenuItem("hub", "the SAMP hub the agent is on")
	m.clients = systray.AddMenuItem("clients", "the clients on the hub")
	m.tables = systray.AddMenuItem("tables", "tables the agent holds")
	m.last = systray.AddMenuItem("last search", "the last search")
	m.action = systray.AddMenuItem("last action: none", "what the last menu action gave")
	for _, it := range []*systray.MenuItem{m.hub, m.clients, m.tables, m.last, m.action} {
		it.Disable()
	}
	systray.AddSeparator()
	m.highlight = systray.AddMenuItem("Search around the last highlighted row", "vicinity search at the last position highlighted in TOPCAT")
	m.clipboard = systray.AddMenuItem("Search around the clipboard's position or name", "vicinity search at the coordinates or object name on the clipboard")
	m.spectra = systray.AddMenuItem("Spectra for the last selection or table", "spectra near the rows last selected in another tool, else near the rows of the last table another tool sent")
	m.resend = systray.AddMenuItem("Send the last results to TOPCAT again", "resend the tables of the last vicinity search")
	m.xmatchTwo = systray.AddMenuItem("Cross-match the last two tables", "cross-match the last two tables other tools sent (best match within crossmatch.radius_arcsec), the result to TOPCAT")
	m.xmatch = systray.AddMenuItem("Cross-match the last table with", "cross-match the last table another tool sent with a configured catalogue")
	for _, c := range st.Catalogues {
		m.xmatchWith = append(m.xmatchWith, m.xmatch.AddSubMenuItem(c.Name, "cross-match with "+c.Name))
	}
	systray.AddSeparator()
	m.toggles = []*toggle{
		{item: systray.AddMenuItemCheckbox("Spectra to SPLAT automatically", "spectra.on_select: spectra for rows selected in TOPCAT", false),
			section: "spectra", key: "on_select", on: "true", off: "false", get: func(c config.Config) bool { return c.Spectra.OnSelect }},
		{item: systray.AddMenuItemCheckbox("Point Aladin on highlight", "vicinity.point_at = \"aladin\"", false),
			section: "vicinity", key: "point_at", on: config.Quote("aladin"), off: config.Quote(""), get: func(c config.Config) bool { return c.Vicinity.PointAt != "" }},
		{item: systray.AddMenuItemCheckbox("Images to Aladin", "vicinity.images: ask the image services and send the image containing the position", false),
			section: "vicinity", key: "images", on: "true", off: "false", get: func(c config.Config) bool { return c.Vicinity.Images }},
		{item: systray.AddMenuItemCheckbox("Notifications", "notify.enabled", false),
			section: "notify", key: "enabled", on: "true", off: "false", get: func(c config.Config) bool { return c.Notify.Enabled }},
	}
	systray.AddSeparator()
	m.reconnect = systray.AddMenuItem("Reconnect to the hub", "register again with the SAMP hub now")
	m.openCfg = systray.AddMenuItem("Open configuration", "open the configuration file (xdg-open)")
	m.reload = systray.AddMenuItem("Reload configuration", "read the configuration file again")
	m.folder = systray.AddMenuItem("Open results folder", "open the directory of the result files")
	systray.AddSeparator()
	m.quit = systray.AddMenuItem("Quit", "stop the agent")
}

// show updates the icon, tooltip, status lines and item states.
func (t *tray) show(st api.Status) {
	v := ViewOf(st)
	var cfg config.Config
	cfgErr := errors.New("no configuration file (voagent config init writes one)")
	if st.Config != "" {
		cfg, cfgErr = config.Load(st.Config)
	}
	t.mu.Lock()
	t.st, t.view = st, v
	if cfgErr == nil {
		t.cfg = cfg
	}
	busy := t.busy
	t.mu.Unlock()
	if busy > 0 && v.State != NoHub {
		v.State = Searching
	}
	t.ui.Lock()
	defer t.ui.Unlock()
	systray.SetIcon(Icon(v.State))
	systray.SetTooltip(v.Tooltip)
	m := &t.m
	m.hub.SetTitle(v.Hub)
	m.clients.SetTitle(v.Clients)
	m.tables.SetTitle(v.Tables)
	m.last.SetTitle(v.Last)
	enable(m.highlight, v.Highlight != nil)
	enable(m.spectra, v.Spectra != nil)
	enable(m.xmatch, v.LastTable != "" && len(m.xmatchWith) > 0)
	enable(m.xmatchTwo, v.OtherTables >= 2)
	enable(m.resend, len(v.LastResults) > 0)
	enable(m.openCfg, st.Config != "")
	enable(m.folder, st.ResultsDir != "")
	for _, tg := range m.toggles {
		enable(tg.item, cfgErr == nil)
		if cfgErr != nil {
			tg.item.SetTooltip(tg.section + "." + tg.key + ": " + cfgErr.Error())
			continue
		}
		if tg.get(cfg) {
			tg.item.Check()
		} else {
			tg.item.Uncheck()
		}
	}
}

func enable(it *systray.MenuItem, on bool) {
	if on {
		it.Enable()
	} else {
		it.Disable()
	}
}

// follow refreshes the view after each event and every o.Refresh.
func (t *tray) follow(ctx context.Context) {
	kick := make(chan struct{}, 1)
	go func() {
		for ctx.Err() == nil {
			err := t.o.Client.Events(ctx, client.FromNow, nil, func(events.Event) error {
				select {
				case kick <- struct{}{}:
				default:
				}
				return nil
			})
			if err != nil && ctx.Err() == nil {
				t.log.Debug("tray: event stream", "err", err)
			}
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
	}()
	tick := time.NewTicker(t.o.Refresh)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-kick:
		case <-tick.C:
		}
		t.refresh(ctx)
	}
}

func (t *tray) refresh(ctx context.Context) {
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	st, err := t.o.Client.Status(sctx)
	if err != nil {
		if ctx.Err() == nil {
			t.log.Debug("tray: status", "err", err)
			t.ui.Lock()
			defer t.ui.Unlock()
			systray.SetIcon(Icon(NoHub))
			systray.SetTooltip("voagent: the agent does not answer: " + err.Error())
		}
		return
	}
	t.show(st)
}

// loop answers the menu's clicks until ctx ends or Quit.
func (t *tray) loop(ctx context.Context, cancel context.CancelFunc) {
	m := &t.m
	xm := make(chan int)
	for i, it := range m.xmatchWith {
		go func() {
			for {
				select {
				case <-ctx.Done():
					return
				case <-it.ClickedCh:
					xm <- i
				}
			}
		}()
	}
	tg := make(chan *toggle)
	for _, g := range m.toggles {
		go func() {
			for {
				select {
				case <-ctx.Done():
					return
				case <-g.item.ClickedCh:
					tg <- g
				}
			}
		}()
	}
	for {
		t.mu.Lock()
		v, st := t.view, t.st
		t.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-m.highlight.ClickedCh:
			if v.Highlight != nil {
				p := *v.Highlight
				t.do(ctx, "vicinity at the last highlight", func(ctx context.Context) (string, error) {
					return vicinity(ctx, t.o.Client, api.VicinityRequest{Position: &p, Send: true})
				})
			}
		case <-m.clipboard.ClickedCh:
			t.do(ctx, "vicinity at the clipboard", func(ctx context.Context) (string, error) {
				text, err := t.o.Clipboard(ctx)
				if err != nil {
					return "", err
				}
				if text == "" {
					return "", errors.New("the clipboard is empty")
				}
				return vicinity(ctx, t.o.Client, api.VicinityRequest{Pos: text, Send: true})
			})
		case <-m.spectra.ClickedCh:
			if v.Spectra == nil {
				break
			}
			req := *v.Spectra
			t.do(ctx, "spectra for "+v.SpectraOf, func(ctx context.Context) (string, error) {
				r, err := t.o.Client.Spectra(ctx, req)
				return r.Summary, err
			})
		case <-m.resend.ClickedCh:
			t.do(ctx, "resend to "+t.o.SendTo, func(ctx context.Context) (string, error) {
				for _, id := range v.LastResults {
					if _, err := t.o.Client.Resend(ctx, id, t.o.SendTo); err != nil {
						return "", err
					}
				}
				return fmt.Sprintf("%d tables sent again", len(v.LastResults)), nil
			})
		case i := <-xm:
			cat := st.Catalogues[i].Name
			t.do(ctx, "cross-match with "+cat, func(ctx context.Context) (string, error) {
				r, err := t.o.Client.Crossmatch(ctx, api.CrossmatchRequest{TableID: v.LastTable, Catalog: cat, Send: true})
				return fmt.Sprintf("%d of %d rows matched", r.Matched, r.InputRows), err
			})
		case g := <-tg:
			val := g.on
			t.ui.Lock()
			checked := g.item.Checked()
			t.ui.Unlock()
			if checked {
				val = g.off
			}
			t.do(ctx, g.section+"."+g.key+" = "+val, func(ctx context.Context) (string, error) {
				if err := config.SetValue(st.Config, g.section, g.key, val); err != nil {
					return "", err
				}
				r, err := t.o.Client.Reload(ctx)
				if err == nil && r.Error != "" {
					err = errors.New(r.Error)
				}
				return "saved", err
			})
		case <-m.xmatchTwo.ClickedCh:
			t.do(ctx, "cross-match of the last two tables", func(ctx context.Context) (string, error) {
				r, err := t.o.Client.HeldMatch(ctx, api.HeldMatchRequest{Send: true})
				return fmt.Sprintf("%d pairs, %d rows", r.Pairs, r.Result.Rows), err
			})
		case <-m.reconnect.ClickedCh:
			t.do(ctx, "reconnect", func(ctx context.Context) (string, error) {
				r, err := t.o.Client.Reconnect(ctx)
				return "on " + r.Hub.URL, err
			})
		case <-m.openCfg.ClickedCh:
			t.do(ctx, "open configuration", func(ctx context.Context) (string, error) {
				return st.Config, t.o.Open(ctx, st.Config)
			})
		case <-m.reload.ClickedCh:
			t.do(ctx, "reload", func(ctx context.Context) (string, error) {
				r, err := t.o.Client.Reload(ctx)
				if err == nil && r.Error != "" {
					err = errors.New(r.Error)
				}
				return "configuration reloaded", err
			})
		case <-m.folder.ClickedCh:
			t.do(ctx, "open results folder", func(ctx context.Context) (string, error) {
				return st.ResultsDir, t.o.Open(ctx, st.ResultsDir)
			})
		case <-m.quit.ClickedCh:
			sctx, c := context.WithTimeout(ctx, 10*time.Second)
			if err := t.o.Client.Stop(sctx); err != nil {
				t.log.Warn("tray: stopping the agent", "err", err)
			}
			c()
			cancel()
			return
		}
	}
}

// vicinity runs a vicinity search and sums its reports up.
func vicinity(ctx context.Context, c *client.Client, req api.VicinityRequest) (string, error) {
	reps, err := c.Vicinity(ctx, req)
	var s []string
	for _, r := range reps {
		s = append(s, r.Summary)
	}
	return strings.Join(s, "; "), err
}

// setAction puts line on the "last action" line.
func (t *tray) setAction(line string) {
	t.ui.Lock()
	defer t.ui.Unlock()
	t.m.action.SetTitle(line)
}

// do runs a menu action in the background, shown as searching meanwhile,
// and puts its outcome on the "last action" line and in the log.
func (t *tray) do(ctx context.Context, what string, f func(context.Context) (string, error)) {
	t.mu.Lock()
	t.busy++
	t.mu.Unlock()
	t.setAction("running: " + what)
	t.refresh(ctx)
	go func() {
		actx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		defer cancel()
		out, err := f(actx)
		line := "last action: " + what + ": " + out
		if err != nil {
			line = "last action: " + what + " failed: " + err.Error()
			t.log.Warn("tray action failed", "action", what, "err", err)
		} else {
			t.log.Info("tray action", "action", what, "result", out)
		}
		t.setAction(line)
		t.mu.Lock()
		t.busy--
		t.mu.Unlock()
		t.refresh(ctx)
	}()
}
