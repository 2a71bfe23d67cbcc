package handlers

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"github.com/voagent/voagent/agent/events"
	"log/slog"
	"maps"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/agent"
	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/internal/peertest"
	"github.com/voagent/voagent/internal/syncbuf"
	"github.com/voagent/voagent/internal/testbed"
	"github.com/voagent/voagent/internal/testbed/synth"
	"github.com/voagent/voagent/internal/topcatdrive"
	"github.com/voagent/voagent/samp/connection/conntest"
)

// TestTOPCATUserHighlight is the main job as a user lives it: a table comes
// into a real TOPCAT over SAMP, the user clicks one of its rows in TOPCAT's
// Table Browser ("Send row index" ticked), TOPCAT sends
// table.highlight.row, and the agent searches the testbed's catalogues
// around the row's position and sends TOPCAT one table per catalogue, which
// TOPCAT loads (it answers samp.ok only once a table is loaded, and its own
// answers to table.highlight.row then tell how many rows it holds).
//
// The tables differ in how they give the position: UCDs (pos.eq.ra/dec),
// or, as a CSV converted by astropy gives it, only column names and units:
// RAJ2000/DEJ2000 in degrees, ra/dec as sexagesimal strings (hours and
// degrees), or GLON/GLAT (galactic, whose ICRS position is searched).
//
// Screenshots of TOPCAT after each highlight go to $VOAGENT_SCREENSHOTS
// when set.
//
// It runs on JSAMP's hub and on voagent's own.
func TestTOPCATUserHighlight(t *testing.T) {
	if testing.Short() {
		t.Skip("starts TOPCAT")
	}
	for _, hub := range []string{"jsamp-hub", "voagent-hub"} {
		t.Run(hub, func(t *testing.T) { userHighlight(t, hub == "voagent-hub") })
	}
}

func userHighlight(t *testing.T, ownHub bool) {
	in := testbed.Require(t)
	py := peertest.PythonModule(t, "astropy.coordinates")
	env := conntest.NewEnv(t)
	if !ownHub {
		env.JSAMPHub(t)
	}
	t.Setenv("SAMP_HUB", env.Hub)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := config.Default()
	cfg.SAMP.StartHub = ownHub
	cfg.Vicinity.PointAt = "" // no Aladin here
	cfg.Search.RadiusArcsec = 60
	// A row must stay highlighted 1 s before its tables go (250 ms by
	// default): on a loaded CI machine xdotool's Down keys, 50 ms apart,
	// can come more than 250 ms apart, and the row passed over is then
	// rightly delivered.
	cfg.Vicinity.Settle = config.Duration{Duration: time.Second}
	cfg.Catalogs = []config.Catalog{
		{Name: "2MASS", Kind: "scs", URL: in.Catalogs[0].SCS},
		{Name: "AllWISE", Kind: "tap", URL: in.TAP, Table: in.Catalogs[1].Table},
	}
	synthOf := map[string]*synth.Catalog{"2MASS": in.Catalogs[0].Data, "AllWISE": in.Catalogs[1].Data}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	logs := new(syncbuf.Buffer)
	a := agent.New(cfg, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	Register(a)
	run(t, ctx, a.Run)
	if err := a.WaitConnected(ctx, 60*time.Second); err != nil {
		t.Fatalf("agent did not register with the hub: %v", err)
	}
	// The agent runs before TOPCAT starts, as on a desktop where it starts
	// at login.
	tc := topcatdrive.Start(t, env)
	conntest.Eventually(t, "the agent and TOPCAT to see each other", func() bool {
		return len(a.Connector().FindClients("topcat")) > 0 && len(tc.Driver().FindClients("voagent")) > 0
	})
	agentID := tc.Driver().FindClients("voagent")[0].ID

	const row = 1 // the row the user clicks; rows 0 and 2 are elsewhere
	cases := []struct {
		name   string
		anchor int
		// write writes the table of positions (ICRS, degrees) into dir and
		// returns the file and the position the row stands for.
		write func(t *testing.T, dir string, pos []agent.Position) (string, agent.Position)
	}{
		{"ucd", 3, func(t *testing.T, dir string, pos []agent.Position) (string, agent.Position) {
			return writePositions(t, dir, "ucd.vot", pos), pos[row]
		}},
		{"csv-RAJ2000-DEJ2000-deg", 0, func(t *testing.T, dir string, pos []agent.Position) (string, agent.Position) {
			var b strings.Builder
			b.WriteString("RAJ2000,DEJ2000\n")
			for _, p := range pos {
				fmt.Fprintf(&b, "%.9f,%.9f\n", p.RA, p.Dec)
			}
			return csvToVOTable(t, py, dir, "radec", b.String(), `{"RAJ2000": "deg", "DEJ2000": "deg"}`), pos[row]
		}},
		{"csv-sexagesimal-hours", 4, func(t *testing.T, dir string, pos []agent.Position) (string, agent.Position) {
			var b strings.Builder
			b.WriteString("ra,dec\n")
			var want agent.Position
			for i, p := range pos {
				ra, dec := sexagesimal(p.RA/15, false), sexagesimal(p.Dec, true)
				fmt.Fprintf(&b, "%s,%s\n", ra, dec)
				if i == row { // what the strings say, not what they came from
					want = agent.Position{RA: 15 * parseSexagesimal(t, ra), Dec: parseSexagesimal(t, dec)}
				}
			}
			return csvToVOTable(t, py, dir, "sexa", b.String(), `{}`), want
		}},
		{"csv-galactic", 2, func(t *testing.T, dir string, pos []agent.Position) (string, agent.Position) {
			var b strings.Builder
			b.WriteString("ra,dec\n")
			for _, p := range pos {
				fmt.Fprintf(&b, "%.12f,%.12f\n", p.RA, p.Dec)
			}
			// astropy turns the ICRS positions into a GLON,GLAT CSV.
			return csvToVOTable(t, py, dir, "galactic", b.String(), `{"GLON": "deg", "GLAT": "deg"}`), pos[row]
		}},
	}
	// checkSearch waits for the agent to take the row TOPCAT sent (from log
	// record mark on), search, and deliver; it checks where it searched, the
	// rows of each catalogue's table and that TOPCAT holds them, and returns
	// their table-ids.
	checkSearch := func(t *testing.T, mark int, sent map[string]any, want agent.Position, expect map[string]int) (ids []string) {
		t.Helper()
		// The agent takes the row (or says why not), searches, and
		// TOPCAT loads each catalogue's table.
		deadline := time.Now().Add(15 * time.Second)
		for !hasRecord(logs.String(), mark, "row highlighted") {
			if time.Now().After(deadline) {
				// Ask the agent what it answered TOPCAT: the same message again.
				r := tc.CallClient(t, agentID, MTypeHighlightRow, sent)
				t.Fatalf("the agent did not take the row TOPCAT highlighted (%v); it answers: %v", sent, r.Err())
			}
			time.Sleep(50 * time.Millisecond)
		}
		deadline = time.Now().Add(60 * time.Second)
		for !hasRecord(logs.String(), mark, "vicinity search done") {
			if time.Now().After(deadline) {
				t.Fatalf("the vicinity search did not end in 60 s; log:\n%s", logs.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
		// Its deliveries are queued per recipient: wait for their outcomes.
		for outcomes := 0; outcomes < len(expect) && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			outcomes = 0
			for _, r := range logRecords(logs.String())[mark:] {
				if r["msg"] == "result sent" || r["msg"] == "result not delivered" {
					outcomes++
				}
			}
		}
		for _, r := range logRecords(logs.String())[mark:] {
			switch r["msg"] {
			case "row highlighted":
				if fmt.Sprint(r["row"]) != fmt.Sprint(sent["row"]) {
					continue // a neighbour topcatdrive clicked to retry
				}
				ra, _ := r["ra"].(float64)
				dec, _ := r["dec"].(float64)
				if synth.Sep(ra, dec, want.RA, want.Dec) > 1e-3/3600 {
					t.Errorf("the agent searched around %v, %v; the row is at %v", ra, dec, want)
				}
			case "result sent": // logged once TOPCAT answered samp.ok
				if r["mtype"] != MTypeLoadVOTable {
					continue
				}
				cat, _ := r["service"].(string)
				rows, _ := r["rows"].(float64)
				id, _ := r["result"].(string) // the table-id it was sent under
				n, ok := expect[cat]
				if !ok {
					t.Errorf("unexpected or repeated result %v", r)
					continue
				}
				delete(expect, cat)
				ids = append(ids, id)
				if int(rows) != n {
					t.Errorf("%s: %v rows sent, the testbed has %d in the cone", cat, rows, n)
				}
				if err := tc.HasRows(t, id, n); err != nil {
					t.Errorf("%s: %v", cat, err)
				} else {
					t.Logf("TOPCAT holds %s (%s, %d rows)", id, cat, n)
				}
			}
		}
		if len(expect) > 0 {
			t.Errorf("TOPCAT got no table from %v; log:\n%s", expect, logs.String())
		}
		return ids
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			anchor := in.Anchors[c.anchor]
			pos := []agent.Position{{RA: 1, Dec: 1}, {RA: anchor.RA, Dec: anchor.Dec}, {RA: anchor.RA + 1, Dec: anchor.Dec - 1}}
			file, want := c.write(t, t.TempDir(), pos)
			expect := map[string]int{}
			for name, cat := range synthOf {
				radius := cfg.Search.RadiusArcsec / 3600
				if n := len(cat.Cone(want.RA, want.Dec, radius)); n > 0 {
					expect[name] = n
				} else {
					t.Fatalf("test data: no %s source within %v deg of %v", name, radius, want)
				}
			}

			if dir := os.Getenv("VOAGENT_SCREENSHOTS"); dir != "" {
				defer func() { // also when the subtest fails
					shot := filepath.Join(dir, "topcat-"+c.name+".png")
					tc.Screenshot(t, shot)
					t.Logf("screenshot %s", shot)
				}()
			}
			mark := len(logRecords(logs.String()))
			tab := tc.Load(t, file, "user-"+c.name, c.name)
			sent := tc.Highlight(t, tab, row)
			t.Logf("TOPCAT sent table.highlight.row %v", sent)
			ids := checkSearch(t, mark, sent, want, maps.Clone(expect))
			if c.name != "ucd" {
				return
			}
			// The same row clicked again (TOPCAT sends a highlight when the
			// selection changes: another row first, as a user does): a
			// second set of tables, under new table-ids, which TOPCAT
			// takes too.
			mark = len(logRecords(logs.String()))
			tc.Highlight(t, tab, 0) // at (1, 1): nothing there
			for deadline := time.Now().Add(60 * time.Second); !hasRecord(logs.String(), mark, "vicinity search done"); time.Sleep(50 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatal("the search of row 0 did not end")
				}
			}
			mark = len(logRecords(logs.String()))
			sent = tc.Highlight(t, tab, row)
			again := checkSearch(t, mark, sent, want, maps.Clone(expect))
			for _, id := range again {
				if slices.Contains(ids, id) {
					t.Errorf("table-id %s sent twice", id)
				}
			}
			if len(again) != len(expect) {
				t.Errorf("the second click brought %d tables, want %d", len(again), len(expect))
			}
		})
	}
	// Running through 30 rows with the Down key (one every 50 ms, as a
	// user does with the keyboard): TOPCAT highlights each, and is left
	// with the tables of the row the user stops at only.
	t.Run("rapid-rows", func(t *testing.T) {
		anchor := in.Anchors[0]
		pos := make([]agent.Position, 30)
		for i := range pos {
			pos[i] = agent.Position{RA: anchor.RA + float64(i)*5/3600, Dec: anchor.Dec}
		}
		tab := tc.Load(t, writePositions(t, t.TempDir(), "rapid.vot", pos), "rapid", "rapid")
		tc.Highlight(t, tab, 0)
		time.Sleep(2 * time.Second) // row 0's tables come
		sub := a.Events().Subscribe(1000, events.SearchStarted, events.ResultSent, events.SearchDelivered)
		defer sub.Close()
		n := tc.KeyDown(t, tab, 0, len(pos)-1, 50*time.Millisecond)
		t.Logf("TOPCAT sent %d highlights for %d Down keys", n, len(pos)-1)
		at := map[string]float64{} // search -> RA
		last := pos[len(pos)-1]
		sent := 0
		timeout := time.After(60 * time.Second)
		for done := false; !done; {
			select {
			case e := <-sub.C():
				switch e.Type {
				case events.SearchStarted:
					at[e.Search] = *e.RA
				case events.ResultSent:
					if math.Abs(at[e.Search]-last.RA) > 1e-9 {
						t.Errorf("TOPCAT got %s of a row passed over (RA %v; the last row is at %v)", e.Result, at[e.Search], last.RA)
						continue
					}
					sent++
					if err := tc.HasRows(t, e.Result, e.Rows); err != nil {
						t.Error(err)
					}
				case events.SearchDelivered:
					done = math.Abs(at[e.Search]-last.RA) < 1e-9
				}
			case <-timeout:
				t.Fatalf("the last row's search never delivered; %d sent", sent)
			}
		}
		if sent != 2 {
			t.Errorf("%d tables of the last row reached TOPCAT, want 2", sent)
		}
	})
}

// logRecords parses the agent's JSON log lines.
func logRecords(s string) []map[string]any {
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

// hasRecord reports whether a log record with message msg comes after the
// first from records.
func hasRecord(s string, from int, msg string) bool {
	recs := logRecords(s)
	for _, r := range recs[min(from, len(recs)):] {
		if r["msg"] == msg {
			return true
		}
	}
	return false
}

// csvToAstropy converts a CSV to a VOTable the way a user's script would
// with astropy: read as CSV, units set on some columns (no UCDs), written
// as VOTable. Mode galactic first turns ra,dec (ICRS degrees) into a
// GLON,GLAT CSV.
const csvToAstropy = `
import json, sys
from astropy.table import Table
mode, src, dst, units = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
if mode == "galactic":
    from astropy.coordinates import SkyCoord
    t = Table.read(src, format="ascii.csv")
    g = SkyCoord(t["ra"], t["dec"], unit="deg", frame="icrs").galactic
    src = dst + ".csv"
    Table({"GLON": g.l.deg, "GLAT": g.b.deg}).write(src, format="ascii.csv", formats={"GLON": "%.12f", "GLAT": "%.12f"}, overwrite=True)
t = Table.read(src, format="ascii.csv")
for name, unit in units.items():
    t[name].unit = unit
t.write(dst, format="votable", overwrite=True)
`

// csvToVOTable writes csv to dir/name.csv and converts it with astropy
// (csvToAstropy) into dir/name.vot, which it returns.
func csvToVOTable(t *testing.T, py, dir, name, csv, units string) string {
	t.Helper()
	src, dst := filepath.Join(dir, name+".csv"), filepath.Join(dir, name+".vot")
	if err := os.WriteFile(src, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	mode := "plain"
	if name == "galactic" {
		mode = "galactic"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, py, "-c", csvToAstropy, mode, src, dst, units).CombinedOutput(); err != nil {
		t.Fatalf("astropy converting %s: %v\n%s", src, err, out)
	}
	b, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "ucd=") {
		t.Fatalf("astropy wrote UCDs into %s, the test wants a table without:\n%s", dst, b)
	}
	return dst
}

// sexagesimal formats v (hours or degrees) as [+-]dd:mm:ss.ssss, with a
// sign when signed.
func sexagesimal(v float64, signed bool) string {
	sign := "+"
	if v < 0 {
		sign, v = "-", -v
	}
	d := math.Floor(v)
	m := math.Floor((v - d) * 60)
	s := ((v-d)*60 - m) * 60
	if s >= 59.99995 { // would print as 60.0000
		s, m = 0, m+1
	}
	if m >= 60 {
		m, d = 0, d+1
	}
	out := fmt.Sprintf("%02.0f:%02.0f:%07.4f", d, m, s)
	if signed {
		out = sign + out
	}
	return out
}

// parseSexagesimal reads [+-]dd:mm:ss.s.
func parseSexagesimal(t *testing.T, s string) float64 {
	t.Helper()
	sign := 1.0
	if strings.HasPrefix(s, "-") {
		sign = -1
	}
	parts := strings.Split(strings.TrimLeft(s, "+-"), ":")
	if len(parts) != 3 {
		t.Fatalf("sexagesimal %q", s)
	}
	var v [3]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(p, 64)
		if err != nil {
			t.Fatalf("sexagesimal %q: %v", s, err)
		}
		v[i] = f
	}
	return sign * (v[0] + v[1]/60 + v[2]/3600)
}
