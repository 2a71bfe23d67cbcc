package tray

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/voagent/voagent/agent"
	"github.com/voagent/voagent/agent/client"
	"github.com/voagent/voagent/agent/events"
	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/internal/dbustest"
	"github.com/voagent/voagent/internal/samppeer"
	"github.com/voagent/voagent/internal/syncbuf"
	"github.com/voagent/voagent/internal/testbed"
	"github.com/voagent/voagent/samp/profile"
)

// layout is a com.canonical.dbusmenu layout node.
type layout struct {
	ID       int32
	Props    map[string]dbus.Variant
	Children []dbus.Variant
}

// item is a menu item as the test reads it.
type item struct {
	id      int32
	label   string
	enabled bool
	toggle  int32 // -1 for no checkbox
}

// getLayout calls GetLayout on the item's menu and flattens it.
func getLayout(t *testing.T, conn *dbus.Conn, dest string, menu dbus.ObjectPath) map[string]item {
	t.Helper()
	var rev uint32
	var root layout
	if err := conn.Object(dest, menu).Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{}).Store(&rev, &root); err != nil {
		t.Fatalf("GetLayout: %v", err)
	}
	items := map[string]item{}
	var walk func(l layout)
	walk = func(l layout) {
		it := item{id: l.ID, enabled: true, toggle: -1}
		if v, ok := l.Props["label"]; ok {
			it.label, _ = v.Value().(string)
		}
		if v, ok := l.Props["enabled"]; ok {
			it.enabled, _ = v.Value().(bool)
		}
		if v, ok := l.Props["toggle-type"]; ok && v.Value() == "checkmark" {
			it.toggle, _ = l.Props["toggle-state"].Value().(int32)
		}
		if it.label != "" {
			items[it.label] = it
		}
		for _, c := range l.Children {
			var cl layout
			if err := dbus.Store([]any{c.Value()}, &cl); err != nil {
				t.Fatalf("a child of the menu layout: %v", err)
			}
			walk(cl)
		}
	}
	walk(root)
	return items
}

// The tray through its real protocol: a private session bus with a
// StatusNotifierWatcher; an agent on its own hub with the testbed's
// catalogues and a configuration file; a recording "topcat". The tray
// registers its item; its menu read over com.canonical.dbusmenu has the
// items in the right states; clicking the clipboard search runs a vicinity
// search whose tables reach topcat; clicking a toggle writes the file
// (keeping its comments) and the menu shows it checked.
func TestTrayOverDBus(t *testing.T) {
	in := testbed.Require(t)
	dbustest.Session(t)
	watcher := dbustest.ServeWatcher(t)
	dir := t.TempDir()
	t.Setenv("SAMP_HUB", "std-lockurl:"+profile.FileURL(filepath.Join(dir, "lock.samp")))
	t.Setenv("TMPDIR", dir)
	twomass := in.Catalogs[0]
	cfgPath := filepath.Join(dir, "voagent.toml")
	cfgText := fmt.Sprintf("# my settings\n[spectra]\n# off for now\non_select = false\n\n[[catalog]]\nname = \"2MASS\"\nkind = \"scs\"\nurl = %q\n", twomass.SCS)
	if err := os.WriteFile(cfgPath, []byte(cfgText), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "run", "control.sock")
	var logs syncbuf.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	a := agent.New(cfg, log, agent.WithControlSocket(sock), agent.WithConfigPath(cfgPath))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	ran := make(chan error, 1)
	go func() { ran <- a.Run(ctx) }()
	c := client.New(sock)
	if err := c.Wait(ctx); err != nil {
		t.Fatalf("the control API never answered:\n%s", logs.String())
	}
	if err := a.WaitConnected(ctx, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	topcat := samppeer.Receiver(t, "topcat", "table.load.votable")

	anchor := in.Anchors[0]
	clip := fmt.Sprintf("%.6f %+.6f", anchor.RA, anchor.Dec)
	trayDone := make(chan error, 1)
	go func() {
		trayDone <- Run(ctx, Options{Client: c, Log: log, Refresh: 200 * time.Millisecond,
			Clipboard: func(context.Context) (string, error) { return clip, nil },
			Open:      func(context.Context, string) error { return nil }})
	}()

	dest, _, _ := strings.Cut(watcher.WaitItem(t, 30*time.Second), "/")
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	v, err := conn.Object(dest, "/StatusNotifierItem").GetProperty("org.kde.StatusNotifierItem.Menu")
	if err != nil {
		t.Fatalf("the item's Menu property: %v", err)
	}
	menu := v.Value().(dbus.ObjectPath)

	// Wait for the first status to be shown.
	var items map[string]item
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		items = getLayout(t, conn, dest, menu)
		if _, ok := items["hub: voagent's own ("+cfgHubURL(t, c)+")"]; ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the menu never showed the own hub: %+v", items)
		}
	}
	want := []struct {
		label   string
		enabled bool
		toggle  int32
	}{
		{"Search around the last highlighted row", false, -1},
		{"Search around the clipboard's position or name", true, -1},
		{"Spectra for the last selection or table", false, -1},
		{"Send the last results to TOPCAT again", false, -1},
		{"Cross-match the last table with", false, -1},
		{"Cross-match the last two tables", false, -1},
		{"Spectra to SPLAT automatically", true, 0},
		{"Point Aladin on highlight", true, 1},
		{"Notifications", true, 1},
		{"Images to Aladin", true, 1},
		{"Reconnect to the hub", true, -1},
		{"Open configuration", true, -1},
		{"Reload configuration", true, -1},
		{"Quit", true, -1},
		{"tables held: 0", false, -1},
		{"last search: none", false, -1},
	}
	for _, w := range want {
		it, ok := items[w.label]
		if !ok {
			t.Errorf("no menu item %q in %v", w.label, labels(items))
			continue
		}
		if it.enabled != w.enabled || it.toggle != w.toggle {
			t.Errorf("%q: enabled %v toggle %d, want %v %d", w.label, it.enabled, it.toggle, w.enabled, w.toggle)
		}
	}

	// Click the clipboard search: the search runs and topcat gets its table.
	finished := make(chan events.Event, 4)
	fctx, fstop := context.WithCancel(ctx)
	defer fstop()
	go c.Events(fctx, client.FromNow, []events.Type{events.SearchFinished}, func(e events.Event) error {
		finished <- e
		return nil
	})
	time.Sleep(200 * time.Millisecond) // the subscription is in place (events are remembered anyway)
	click(t, conn, dest, menu, items["Search around the clipboard's position or name"].id)
	select {
	case e := <-finished:
		if e.Kind != "vicinity" || e.Answered != 1 || e.Trigger != "control" && e.Trigger != "" {
			t.Errorf("search finished: %+v", e)
		}
		st, err := c.Status(ctx)
		if err != nil || len(st.Recent) == 0 || fmt.Sprintf("%.5f %.5f", st.Recent[0].RA, st.Recent[0].Dec) != fmt.Sprintf("%.5f %.5f", anchor.RA, anchor.Dec) {
			t.Errorf("the search was not at the clipboard's %s: %+v, %v", clip, st.Recent, err)
		}
	case <-ctx.Done():
		t.Fatalf("no search finished after the click:\n%s", logs.String())
	}
	select {
	case m := <-topcat:
		if !strings.Contains(fmt.Sprint(m["name"]), "2MASS") {
			t.Errorf("topcat got %v, want the 2MASS table", m)
		}
	case <-ctx.Done():
		t.Fatal("topcat got no table")
	}

	// Click a toggle: the file is written, comments kept, the menu checked.
	click(t, conn, dest, menu, items["Spectra to SPLAT automatically"].id)
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		b, _ := os.ReadFile(cfgPath)
		it := getLayout(t, conn, dest, menu)["Spectra to SPLAT automatically"]
		if strings.Contains(string(b), "on_select = true") && it.toggle == 1 {
			if !strings.HasPrefix(string(b), "# my settings\n[spectra]\n# off for now\n") {
				t.Errorf("comments lost:\n%s", b)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("toggle not written or shown: file\n%s\nitem %+v", b, it)
		}
	}
	if it := getLayout(t, conn, dest, menu); !anyPrefix(it, "last search: vicinity at") {
		t.Errorf("no last search line after the search: %v", labels(it))
	}

	// Reconnect: the agent registers again and the tray says where.
	click(t, conn, dest, menu, items["Reconnect to the hub"].id)
	for deadline := time.Now().Add(20 * time.Second); !anyPrefix(getLayout(t, conn, dest, menu), "last action: reconnect: on http"); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("reconnect not done: %v\n%s", labels(getLayout(t, conn, dest, menu)), logs.String())
		}
	}

	// Quit stops the agent.
	click(t, conn, dest, menu, items["Quit"].id)
	select {
	case err := <-ran:
		if err != nil {
			t.Errorf("agent: %v", err)
		}
	case <-ctx.Done():
		t.Fatal("Quit did not stop the agent")
	}
	if err := <-trayDone; err != nil {
		t.Errorf("tray: %v", err)
	}
}

func cfgHubURL(t *testing.T, c *client.Client) string {
	st, err := c.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st.Hub.URL
}

func click(t *testing.T, conn *dbus.Conn, dest string, menu dbus.ObjectPath, id int32) {
	t.Helper()
	if err := conn.Object(dest, menu).Call("com.canonical.dbusmenu.Event", 0, id, "clicked", dbus.MakeVariant(""), uint32(0)).Err; err != nil {
		t.Fatalf("clicking item %d: %v", id, err)
	}
}

func labels(items map[string]item) []string {
	var l []string
	for k := range items {
		l = append(l, k)
	}
	return l
}

func anyPrefix(items map[string]item, p string) bool {
	for k := range items {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}
