// Package topcatdrive runs a real TOPCAT (Debian's 4.8.7) under Xvfb for
// integration tests and drives it with xdotool as a user would, so that
// TOPCAT itself sends table.highlight.row when a row is clicked in its Table
// Browser.
//
// TOPCAT sends table.highlight.row only through the "Send row index"
// activation action, which is off by default and greyed out unless the table
// came in over SAMP and some other client subscribes to the MType. Load
// therefore sends the table over SAMP from the driver's own client (which
// subscribes to table.highlight.row and records what TOPCAT sends), opens the
// table's Table Browser and Activation Actions windows from the main
// window's toolbar and ticks "Send row index". Highlight clicks the row's
// line in the Table Browser and waits until TOPCAT has sent that row.
//
// The click positions were measured on TOPCAT 4.8.7, OpenJDK 17, Xvfb
// 1280x1024x24 with Debian's default fonts and no window manager (windows
// then open at fixed places: the main window at +0+0, the others at +60+60).
// Each step checks its effect (a window appears, a checkbox is ticked, TOPCAT
// sends the row asked for), so a layout change fails loudly instead of
// clicking the wrong thing silently.
package topcatdrive

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/voagent/voagent/internal/peertest"
	"github.com/voagent/voagent/samp/connection"
	"github.com/voagent/voagent/samp/connection/conntest"
	"github.com/voagent/voagent/samp/connector"
	"github.com/voagent/voagent/samp/profile"
)

// DriverName is the samp.name of the driver's own SAMP client, which loads
// tables into TOPCAT and records the highlights TOPCAT sends.
const DriverName = "topcatdrive"

// Positions measured on screenshots (see the package comment); all are
// relative to the top-left corner of the window named.
const (
	// Main window toolbar: "Display table cell data" and "Display
	// activation actions" buttons.
	tableBrowserButtonX, tableBrowserButtonY = 163, 40
	activationButtonX, activationButtonY     = 344, 40
	// Activation Actions window: the checkbox of the last entry, "Send row
	// index", and the window's close button.
	sendRowCheckX, sendRowCheckY = 40, 301
	activationCloseX             = 455
	activationCloseY             = 39
	// Table Browser: a point in the first data column on row 0's line
	// (the row numbers end at about x=30), and the height of a line.
	browserRowX, browserRow0Y = 45, 113
	browserRowHeight          = 16
	// activationX, activationY is where the Activation Actions window is
	// put (clear of the Table Browser's rows).
	activationX, activationY = 400, 300
	// Where the Table Browser is put (below the main window) and its size,
	// tall enough for about 25 rows.
	browserX, browserY = 0, 340
	browserW, browserH = 700, 560
)

// TOPCAT is a running TOPCAT on its own virtual display, registered with the
// hub of a conntest.Env. Everything it started is stopped when the test ends.
type TOPCAT struct {
	env *conntest.Env
	// Display is the X display TOPCAT runs on (":NNN").
	Display string
	// ID is TOPCAT's SAMP client id.
	ID string

	xdotool, importCmd string
	mainWin            string
	proc               *conntest.Proc
	driver             *connector.Connector
	highlights         chan map[string]any
}

// Table is a table that Load sent to TOPCAT and prepared for Highlight.
type Table struct {
	// ID is the SAMP table-id it was sent with.
	ID string
	// URL is the URL it was sent with.
	URL string
	// Index is TOPCAT's number for the table (the N of "TOPCAT(N)").
	Index int
	// browser is the X window id of its Table Browser.
	browser string
	// before are TOPCAT's windows before the table came.
	before map[string]bool
}

// Start starts Xvfb and TOPCAT on env's hub (env's hub must be running),
// waits until TOPCAT has registered and shown its main window, and returns
// the driver. It skips the test (fails under VOAGENT_REQUIRE_PEERS=1) when
// topcat, xdotool, ImageMagick's import or Xvfb are missing.
func Start(t testing.TB, env *conntest.Env) *TOPCAT {
	t.Helper()
	topcat := peertest.Command(t, "topcat")
	tc := &TOPCAT{env: env, xdotool: peertest.Command(t, "xdotool"), importCmd: peertest.Command(t, "import"),
		highlights: make(chan map[string]any, 64)}
	tc.Display = env.Xvfb(t)

	// The driver's client is there before TOPCAT so that "Send row index"
	// has a subscriber from the start (TOPCAT greys it out otherwise).
	tc.driver = connector.New(connector.Options{
		Metadata: map[string]any{"samp.name": DriverName, "samp.description.text": "drives TOPCAT in tests"},
		Locate:   env.Location,
	})
	tc.driver.HandleFunc("table.highlight.row", func(_ context.Context, r *connector.Request) (map[string]any, error) {
		p := map[string]any{"sender": r.SenderID}
		for k, v := range r.Message.Params {
			p[k] = v
		}
		select {
		case tc.highlights <- p:
		default:
		}
		return nil, nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- tc.driver.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	wctx, wcancel := context.WithTimeout(ctx, 60*time.Second)
	defer wcancel()
	if err := tc.driver.WaitConnected(wctx); err != nil {
		t.Fatalf("topcatdrive: the driver's SAMP client did not register: %v", err)
	}

	// /usr/bin/topcat runs java as a child: the whole group is stopped.
	// TOPCAT is awaited through the driver's client list, fed by hub
	// events: polling the hub with short-lived clients (conntest's
	// WaitClient) made TOPCAT's first connection fail now and then (a
	// client gone between getRegisteredClients and getMetadata), and such a
	// TOPCAT stays registered but tracks no clients at all (empty Clients
	// panel, tables from "samp:" instead of the sender's name), so "Send row
	// index" reaches nobody. Should it happen anyway, TOPCAT is started
	// again.
	old, oldWins := map[string]bool{}, map[string]bool{}
	for attempt := 1; ; attempt++ {
		p := env.StartWith(t, conntest.StartOptions{Env: []string{"DISPLAY=" + tc.Display}, Group: true}, topcat, "-nohub")
		tc.proc = p
		conntest.Eventually(t, "TOPCAT to register and subscribe", func() bool {
			for _, c := range tc.driver.FindClients("topcat") {
				if !old[c.ID] && c.Subscribed("table.load.votable") {
					tc.ID = c.ID
					return true
				}
			}
			return false
		})
		tc.mainWin = tc.waitWindow(t, `^TOPCAT$`, oldWins, nil)
		if tc.mainWin == "" {
			t.Fatalf("topcatdrive: TOPCAT registered but showed no main window in 60 s; output:\n%s", p.Output())
		}
		if !strings.Contains(p.Output(), "Hub connection attempt failed") {
			break
		}
		if attempt == 3 {
			t.Fatalf("topcatdrive: TOPCAT's first hub connection failed %d times; output:\n%s", attempt, p.Output())
		}
		t.Logf("topcatdrive: TOPCAT's first hub connection failed (it would track no clients), starting it again")
		p.Stop(syscall.SIGTERM)
		old[tc.ID], oldWins[tc.mainWin] = true, true
	}
	tc.xdo(t, "windowmove", tc.mainWin, "0", "0")
	return tc
}

// Call sends a message to TOPCAT from the driver's client and returns
// TOPCAT's response (at most 60 s).
func (tc *TOPCAT) Call(t testing.TB, mtype string, params map[string]any) connection.Response {
	t.Helper()
	return tc.CallClient(t, tc.ID, mtype, params)
}

// CallClient sends a message to the client id from the driver's client and
// returns its response (at most 60 s).
func (tc *TOPCAT) CallClient(t testing.TB, id, mtype string, params map[string]any) connection.Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	resp, err := tc.driver.Call(ctx, id, connection.NewMessage(mtype, params))
	if err != nil {
		t.Fatalf("topcatdrive: %s to %s: %v", mtype, id, err)
	}
	return resp
}

// Driver returns the driver's SAMP client (registered as DriverName).
func (tc *TOPCAT) Driver() *connector.Connector { return tc.driver }

// Load sends the VOTable file path to TOPCAT with table.load.votable under
// tableID and name, waits for TOPCAT's samp.ok (it answers once the table
// is loaded), opens the table's Table Browser and ticks "Send row index" in
// its Activation Actions. Call it with no other table arriving in TOPCAT
// meanwhile: TOPCAT opens those windows for its current table, which is the
// one it loaded last.
func (tc *TOPCAT) Load(t testing.TB, path, tableID, name string) *Table {
	t.Helper()
	u := profile.FileURL(path)
	before := tc.windows(t, `^TOPCAT\(`)
	if r := tc.Call(t, "table.load.votable", map[string]any{"url": u, "table-id": tableID, "name": name}); !r.IsOK() {
		t.Fatalf("topcatdrive: TOPCAT did not load %s: %v", path, r.Err())
	}
	tab := &Table{ID: tableID, URL: u}

	// Table Browser of the current table.
	browserRE := regexp.MustCompile(`^TOPCAT\(([0-9]+)\): Table Browser$`)
	tab.browser = tc.openWindow(t, browserRE.String(), before, tableBrowserButtonX, tableBrowserButtonY)
	m := browserRE.FindStringSubmatch(tc.windowName(t, tab.browser))
	if m == nil {
		t.Fatalf("topcatdrive: unexpected Table Browser title %q", tc.windowName(t, tab.browser))
	}
	tab.Index, _ = strconv.Atoi(m[1])
	tc.xdo(t, "windowmove", tab.browser, strconv.Itoa(browserX), strconv.Itoa(browserY))
	tc.xdo(t, "windowsize", tab.browser, strconv.Itoa(browserW), strconv.Itoa(browserH))

	tab.before = before
	tc.tickSendRow(t, tab)
	return tab
}

// tickSendRow opens the Activation Actions of tab (TOPCAT's current table)
// and ticks "Send row index", then closes the window.
func (tc *TOPCAT) tickSendRow(t testing.TB, tab *Table) {
	t.Helper()
	act := tc.openWindow(t, fmt.Sprintf(`^TOPCAT\(%d\): Activation Actions$`, tab.Index), tab.before, activationButtonX, activationButtonY)
	// Java may still place a new window after it is mapped (seen under
	// load: the window ended where the clicks were not): put it in one
	// place and wait until it is there.
	x, y := tc.place(t, act, activationX, activationY)
	cx, cy := x+sendRowCheckX, y+sendRowCheckY
	for attempt := 0; !tc.ticked(t, cx, cy); attempt++ {
		if attempt > 0 {
			x, y = tc.place(t, act, activationX, activationY)
			cx, cy = x+sendRowCheckX, y+sendRowCheckY
		}
		if attempt == 3 {
			t.Fatalf("topcatdrive: could not tick \"Send row index\" for table %d (screenshot %s)", tab.Index, tc.failShot(t, "activation"))
		}
		tc.xdo(t, "windowraise", act)
		tc.click(t, cx, cy)
		// Under load TOPCAT repaints late: a click made before the tick
		// shows would untick it. Wait for it to show.
		for deadline := time.Now().Add(3 * time.Second); !tc.ticked(t, cx, cy) && time.Now().Before(deadline); {
			time.Sleep(100 * time.Millisecond)
		}
	}
	tc.click(t, x+activationCloseX, y+activationCloseY)
}

// Highlight clicks row (0-based) of tab in its Table Browser, as a user
// would, and waits (at most 30 s) until TOPCAT has sent table.highlight.row
// for it; it returns the parameters TOPCAT sent (table-id, url, row). The
// row must be on screen (the browser shows about 25 rows).
func (tc *TOPCAT) Highlight(t testing.TB, tab *Table, row int) map[string]any {
	t.Helper()
	for {
		select {
		case <-tc.highlights:
			continue
		default:
		}
		break
	}
	x, y, _, h := tc.geometry(t, tab.browser)
	ry := y + browserRow0Y + row*browserRowHeight
	if row < 0 || ry > y+h-40 {
		t.Fatalf("topcatdrive: row %d is not on screen in table %d's browser", row, tab.Index)
	}
	deadline := time.Now().Add(30 * time.Second)
	other := -1 // the neighbour clicked before a retry
	for attempt := 0; ; attempt++ {
		tc.xdo(t, "windowraise", tab.browser)
		if attempt > 0 {
			// TOPCAT activates a row once: clicking again the row a
			// too-early click activated (before its action was ticked)
			// sends nothing, even after ctrl+click took it out of the
			// selection (tried). A neighbour is activated first, and its
			// highlight, if TOPCAT sends one, is thrown away here (the
			// agent sees it: callers that read the agent's log look at
			// the records of the row they asked for).
			other = row + 1
			if row > 0 {
				other = row - 1
			}
			tc.click(t, x+browserRowX, y+browserRow0Y+other*browserRowHeight)
			time.Sleep(500 * time.Millisecond)
			for drained := false; !drained; {
				select {
				case <-tc.highlights:
				default:
					drained = true
				}
			}
		}
		tc.click(t, x+browserRowX, ry)
		wait := time.After(5 * time.Second)
		for {
			select {
			case p := <-tc.highlights:
				if p["sender"] != tc.ID || (p["table-id"] != tab.ID && p["url"] != tab.URL) {
					continue
				}
				if other >= 0 && p["row"] == strconv.Itoa(other) {
					continue // the neighbour's, late
				}
				if p["row"] != strconv.Itoa(row) {
					t.Fatalf("topcatdrive: clicked row %d of table %d but TOPCAT sent %v (row height changed?)", row, tab.Index, p)
				}
				delete(p, "sender")
				return p
			case <-wait:
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("topcatdrive: TOPCAT sent no table.highlight.row for row %d of table %d after %d clicks (screenshot %s)",
				row, tab.Index, attempt+1, tc.failShot(t, "highlight"))
		}
		if attempt == 1 {
			// On a loaded machine the tick can land before TOPCAT lists
			// the action: open the Activation Actions again and make sure.
			t.Logf("topcatdrive: no highlight after 2 clicks: ticking \"Send row index\" of table %d again (screenshot %s)",
				tab.Index, tc.failShot(t, "retick"))
			tc.tickSendRow(t, tab)
		}
	}
}

// KeyDown presses the Down arrow n times in tab's Table Browser, every
// delay, as a user running through rows with the keyboard (the browser has
// the focus after Highlight); it waits (at most 30 s) until TOPCAT has sent
// table.highlight.row for the row it ends on, from, and returns how many
// highlights TOPCAT sent.
func (tc *TOPCAT) KeyDown(t testing.TB, tab *Table, from, n int, delay time.Duration) int {
	t.Helper()
	tc.xdo(t, "key", "--delay", strconv.Itoa(int(delay/time.Millisecond)), "--repeat", strconv.Itoa(n), "Down")
	want := strconv.Itoa(from + n)
	sent := 0
	deadline := time.After(30 * time.Second)
	for {
		select {
		case p := <-tc.highlights:
			if p["sender"] != tc.ID || (p["table-id"] != tab.ID && p["url"] != tab.URL) {
				continue
			}
			sent++
			if p["row"] == want {
				return sent
			}
		case <-deadline:
			t.Fatalf("topcatdrive: TOPCAT sent no highlight for row %s after %d Down keys (%d highlights; screenshot %s)",
				want, n, sent, tc.failShot(t, "keydown"))
		}
	}
}

// HasRows checks through TOPCAT's own answers to table.highlight.row that
// it holds a table with the given table-id (or url) and exactly n rows
// (n > 0): row n-1 must be accepted and row n refused as out of range.
//
// TOPCAT answers table.load.votable with samp.ok once it has read the
// table but adds it to its table list a moment later, so a table it does
// not know yet is asked for again for up to 10 s.
func (tc *TOPCAT) HasRows(t testing.TB, tableID string, n int) error {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		last := tc.Call(t, "table.highlight.row", map[string]any{"table-id": tableID, "row": strconv.Itoa(n - 1)})
		if last.IsOK() {
			break
		}
		if err := last.Err(); err == nil || !strings.Contains(err.Error(), "No table with") || time.Now().After(deadline) {
			return fmt.Errorf("TOPCAT refused row %d of table %q: %w", n-1, tableID, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	past := tc.Call(t, "table.highlight.row", map[string]any{"table-id": tableID, "row": strconv.Itoa(n)})
	if past.IsOK() {
		return fmt.Errorf("TOPCAT's table %q has more than %d rows (it accepted row %d)", tableID, n, n)
	}
	if err := past.Err(); err == nil || !strings.Contains(err.Error(), "out of range") {
		return fmt.Errorf("TOPCAT's answer for row %d of table %q is not \"out of range\": %v", n, tableID, err)
	}
	return nil
}

// Screenshot writes a PNG of the whole display to path.
func (tc *TOPCAT) Screenshot(t testing.TB, path string) {
	t.Helper()
	cmd := exec.Command(tc.importCmd, "-window", "root", path)
	cmd.Env = append(os.Environ(), "DISPLAY="+tc.Display)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("topcatdrive: screenshot %s: %v\n%s", path, err, out)
	}
}

// failShot takes a screenshot for a failure message, in a file that
// outlives the test (the test's directories are removed), and returns its
// path.
func (tc *TOPCAT) failShot(t testing.TB, what string) string {
	t.Helper()
	t.Logf("topcatdrive: TOPCAT's output so far:\n%s", tc.proc.Output())
	for _, c := range tc.driver.Clients() {
		t.Logf("topcatdrive: hub client %s %q, %d subscriptions", c.ID, c.Name(), len(c.Subscriptions))
	}
	f, err := os.CreateTemp("", "topcatdrive-"+what+"-failed-*.png")
	if err != nil {
		return "not taken: " + err.Error()
	}
	f.Close()
	tc.Screenshot(t, f.Name())
	return f.Name()
}

// xdo runs xdotool on the display and returns its trimmed output.
func (tc *TOPCAT) xdo(t testing.TB, args ...string) string {
	t.Helper()
	out, err := tc.run(tc.xdotool, args...)
	if err != nil {
		t.Fatalf("topcatdrive: xdotool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func (tc *TOPCAT) run(name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+tc.Display)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.Bytes(), err
}

// windows returns the ids of the windows whose title matches re.
func (tc *TOPCAT) windows(t testing.TB, re string) map[string]bool {
	t.Helper()
	out, err := tc.run(tc.xdotool, "search", "--onlyvisible", "--name", re)
	ids := map[string]bool{}
	if err != nil { // xdotool search exits 1 when nothing matches
		return ids
	}
	for _, id := range strings.Fields(string(out)) {
		ids[id] = true
	}
	return ids
}

func (tc *TOPCAT) windowName(t testing.TB, id string) string {
	t.Helper()
	return tc.xdo(t, "getwindowname", id)
}

// waitWindow polls (60 s) for a window whose title matches re and whose id
// is not in old, calling retry every 3 s while there is none; it returns
// "" when none appeared.
func (tc *TOPCAT) waitWindow(t testing.TB, re string, old map[string]bool, retry func()) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	next := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		for id := range tc.windows(t, re) {
			if !old[id] {
				return id
			}
		}
		if retry != nil && time.Now().After(next) {
			retry()
			next = time.Now().Add(3 * time.Second)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return ""
}

// openWindow clicks the main window's toolbar button at (bx, by) until a
// new window whose title matches re appears, and returns it.
func (tc *TOPCAT) openWindow(t testing.TB, re string, old map[string]bool, bx, by int) string {
	t.Helper()
	press := func() {
		tc.xdo(t, "windowraise", tc.mainWin)
		tc.click(t, bx, by)
	}
	press()
	w := tc.waitWindow(t, re, old, press)
	if w == "" {
		t.Fatalf("topcatdrive: no window %s appeared (screenshot %s)", re, tc.failShot(t, "open"))
	}
	return w
}

// click moves the pointer to (x, y), lets Swing see it enter, and clicks.
func (tc *TOPCAT) click(t testing.TB, x, y int) {
	t.Helper()
	tc.xdo(t, "mousemove", strconv.Itoa(x), strconv.Itoa(y))
	time.Sleep(150 * time.Millisecond)
	tc.xdo(t, "click", "1")
	time.Sleep(150 * time.Millisecond)
}

// geometry returns a window's position and size.
// place moves window id to (x, y) and waits (at most 5 s) until it is
// there; it returns where the window is.
func (tc *TOPCAT) place(t testing.TB, id string, x, y int) (int, int) {
	t.Helper()
	var gx, gy int
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		tc.xdo(t, "windowmove", id, strconv.Itoa(x), strconv.Itoa(y))
		time.Sleep(100 * time.Millisecond)
		if gx, gy, _, _ = tc.geometry(t, id); gx == x && gy == y {
			break
		}
	}
	tc.xdo(t, "windowraise", id)
	time.Sleep(150 * time.Millisecond)
	return gx, gy
}

func (tc *TOPCAT) geometry(t testing.TB, id string) (x, y, w, h int) {
	t.Helper()
	vals := map[string]int{}
	for _, line := range strings.Split(tc.xdo(t, "getwindowgeometry", "--shell", id), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			vals[k], _ = strconv.Atoi(v)
		}
	}
	return vals["X"], vals["Y"], vals["WIDTH"], vals["HEIGHT"]
}

// ticked reports whether the checkbox centred at (x, y) shows its tick: a
// ticked box has dark pixels, an empty one none.
func (tc *TOPCAT) ticked(t testing.TB, x, y int) bool {
	t.Helper()
	out, err := tc.run(tc.importCmd, "-window", "root", "-crop", fmt.Sprintf("10x10+%d+%d", x-5, y-5), "-depth", "8", "txt:-")
	if err != nil {
		t.Fatalf("topcatdrive: reading the checkbox pixels: %v\n%s", err, out)
	}
	dark := 0
	for _, line := range strings.Split(string(out), "\n") {
		// "0,0: (198,198,198)  #C6C6C6  srgb(...)"
		_, rest, ok := strings.Cut(line, "(")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		rgb, _, _ := strings.Cut(rest, ")")
		sum := 0
		for _, f := range strings.Split(rgb, ",") {
			v, _ := strconv.Atoi(strings.TrimSpace(f))
			sum += v
		}
		if sum < 200 {
			dark++
		}
	}
	return dark >= 5
}
