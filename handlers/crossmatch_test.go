package handlers

import (
	"context"
	"io"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/agent"
	"github.com/voagent/voagent/agent/events"
	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/internal/peertest"
	"github.com/voagent/voagent/internal/samppeer"
	"github.com/voagent/voagent/internal/testbed"
	"github.com/voagent/voagent/samp/connection"
	"github.com/voagent/voagent/samp/connection/conntest"
	"github.com/voagent/voagent/samp/connector"
	"github.com/voagent/voagent/samp/profile"
	"github.com/voagent/voagent/vo/votable"
)

// writeXmatchSample writes the 2,000-row cross-match sample and returns its path.
func writeXmatchSample(t *testing.T, dir string, n int) string {
	t.Helper()
	p := filepath.Join(dir, "sample.vot")
	if err := votable.CreateFile(p, func(w io.Writer) error { return votable.WriteTable(w, testbed.XmatchTable(n), votable.Binary2) }); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCrossmatchOverSAMP: a client calls voagent.crossmatch with
// callAndWait on the testbed's 2MASS (TAP upload) and gets {url, table-id,
// rows, matched} once the match is done; a recording "topcat" receives
// the joined table under that table-id. The MType is in voagent's
// subscriptions and metadata, and a bad call is answered with samp.error.
func TestCrossmatchOverSAMP(t *testing.T) {
	in := testbed.Require(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := config.Default()
	cfg.Catalogs = []config.Catalog{{Name: "2MASS", Kind: "tap", URL: in.TAP, Table: in.Catalogs[0].Table}}
	a, logs := ownHubAgent(t, ctx, cfg)
	tables := samppeer.Receiver(t, "topcat", "table.load.votable")
	caller := connector.New(connector.Options{Metadata: map[string]any{"samp.name": "xm-caller"}})
	run(t, ctx, caller.Run)
	wctx, wcancel := context.WithTimeout(ctx, time.Minute)
	defer wcancel()
	if err := caller.WaitConnected(wctx); err != nil {
		t.Fatal(err)
	}
	conntest.Eventually(t, "the clients to see each other", func() bool {
		cl := caller.FindClients("voagent")
		return len(cl) > 0 && cl[0].Subscribed(MTypeCrossmatch) && len(a.Connector().FindClients("topcat")) > 0
	})
	ag := caller.FindClients("voagent")[0]
	if _, ok := ag.Metadata["voagent.mtype.voagent.crossmatch"]; !ok {
		t.Errorf("voagent's metadata does not declare %s: %v", MTypeCrossmatch, ag.Metadata)
	}
	file := writeXmatchSample(t, t.TempDir(), 2000)
	resp, err := caller.CallAndWait(ctx, ag.ID, connection.NewMessage(MTypeCrossmatch, map[string]any{
		"url": profile.FileURL(file), "catalog": "2MASS", "radius": "2arcsec"}), 2*time.Minute)
	if err != nil || !resp.IsOK() {
		t.Fatalf("callAndWait: %v %+v\n%s", err, resp, logs.String())
	}
	res := resp.Result
	rows, _ := strconv.Atoi(res["rows"].(string))
	matched, _ := strconv.Atoi(res["matched"].(string))
	id, _ := res["table-id"].(string)
	if rows != 2000 || matched < 1000 || matched >= 2000 || id == "" {
		t.Errorf("result %v", res)
	}
	u, err := url.Parse(res["url"].(string))
	if err != nil || u.Scheme != "file" {
		t.Fatalf("url %v", res["url"])
	}
	got, err := votable.ReadTableFile(ctx, u.Path)
	if err != nil || got.Rows() != rows || got.FieldByName("sep_arcsec") < 0 {
		t.Fatalf("result table: %v", err)
	}
	select {
	case p := <-tables:
		if p["table-id"] != id || p["url"] != res["url"] || p["name"] != `sample.vot x 2MASS (all1, 2")` {
			t.Errorf("topcat got %v, want table-id %s", p, id)
		}
	case <-time.After(time.Minute):
		t.Fatalf("topcat got no table; log:\n%s", logs.String())
	}
	// Errors are samp.error with the reason.
	for params, want := range map[*map[string]any]string{
		{"url": profile.FileURL(file)}:                                             "missing catalog",
		{"catalog": "2MASS"}:                                                       "give table-id or url",
		{"table-id": "nope", "catalog": "2MASS"}:                                   `table-id="nope"`,
		{"url": profile.FileURL(file), "catalog": "Gaia"}:                          `no catalogue "Gaia"`,
		{"url": profile.FileURL(file), "catalog": "2MASS", "radius": "2 furlongs"}: "radius",
	} {
		resp, err := caller.CallAndWait(ctx, ag.ID, connection.NewMessage(MTypeCrossmatch, *params), time.Minute)
		if err != nil || resp.IsOK() || resp.Error == nil || !strings.Contains(resp.Error.ErrorTxt, want) {
			t.Errorf("%v: %v %+v, want samp.error with %q", *params, err, resp, want)
		}
	}
}

// TestCrossmatchOnLoad: with crossmatch.on_load naming AllWISE (a cone
// search), a table sent to voagent comes back to "topcat" joined with it.
func TestCrossmatchOnLoad(t *testing.T) {
	in := testbed.Require(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := config.Default()
	cfg.Catalogs = []config.Catalog{{Name: "AllWISE", Kind: "scs", URL: in.Catalogs[1].SCS}}
	cfg.Crossmatch.OnLoad = []string{"AllWISE"}
	cfg.Crossmatch.Join = "1and2"
	a, logs := ownHubAgent(t, ctx, cfg)
	tables := samppeer.Receiver(t, "topcat", "table.load.votable")
	call := sampSender(t, ctx, a, "topcat-sender", "topcat")
	file := writeXmatchSample(t, t.TempDir(), 200)
	if r := call(MTypeLoadVOTable, map[string]any{"url": profile.FileURL(file), "table-id": "sample200", "name": "my targets"}); !r.IsOK() {
		t.Fatalf("load: %+v", r)
	}
	select {
	case p := <-tables:
		u, err := url.Parse(p["url"].(string))
		if err != nil {
			t.Fatal(err)
		}
		got, err := votable.ReadTableFile(ctx, u.Path)
		if err != nil {
			t.Fatal(err)
		}
		sc := got.FieldByName("sep_arcsec")
		if got.Rows() == 0 || got.Rows() >= 200 || sc < 0 || !strings.Contains(p["name"].(string), "my targets x AllWISE") {
			t.Fatalf("joined table: %d rows, name %v", got.Rows(), p["name"])
		}
		for i := range got.Rows() {
			if v, ok := votable.Float64(got.Columns[sc], i); !ok || v > 2 {
				t.Errorf("row %d: separation %v (join 1and2 within 2 arcsec)", i, v)
			}
		}
	case <-time.After(2 * time.Minute):
		t.Fatalf("topcat got no cross-match; log:\n%s", logs.String())
	}
}

// TestSEDOnHighlight: with sed.on_vicinity, a row highlighted on an
// anchor of the testbed brings "topcat" the catalogues' tables and the
// anchor's SED table (its own table-id, points from every catalogue), and
// the status lists the SED's PNG plot.
func TestSEDOnHighlight(t *testing.T) {
	in := testbed.Require(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := config.Default()
	cfg.SED.OnVicinity = true
	cfg.Search.RadiusArcsec = 20
	cfg.Vicinity.PointAt = ""
	cfg.Catalogs = []config.Catalog{
		{Name: "2MASS", Kind: "scs", URL: in.Catalogs[0].SCS},
		{Name: "AllWISE", Kind: "scs", URL: in.Catalogs[1].SCS},
		{Name: "SDSS", Kind: "tap", URL: in.TAP, Table: in.Catalogs[2].Table},
	}
	a, logs := ownHubAgent(t, ctx, cfg)
	tables := samppeer.Receiver(t, "topcat", "table.load.votable")
	call := sampSender(t, ctx, a, "topcat-sender", "topcat")
	anchor := in.Anchors[1]
	file := writePositions(t, t.TempDir(), "targets.vot", []agent.Position{{RA: anchor.RA, Dec: anchor.Dec}})
	if r := call(MTypeLoadVOTable, map[string]any{"url": profile.FileURL(file), "table-id": "targets"}); !r.IsOK() {
		t.Fatalf("load: %+v", r)
	}
	if r := call(MTypeHighlightRow, map[string]any{"table-id": "targets", "row": "0"}); !r.IsOK() {
		t.Fatalf("highlight: %+v", r)
	}
	var sedURL, sedID string
	for sedURL == "" {
		select {
		case p := <-tables:
			if strings.HasPrefix(p["name"].(string), "SED at ") {
				sedURL, sedID = p["url"].(string), p["table-id"].(string)
			}
		case <-time.After(time.Minute):
			t.Fatalf("no SED table; log:\n%s", logs.String())
		}
	}
	u, _ := url.Parse(sedURL)
	st, err := votable.ReadTableFile(ctx, u.Path)
	if err != nil {
		t.Fatal(err)
	}
	cats := map[string]bool{}
	for i := range st.Rows() {
		cats[votable.CellText(st.Columns[st.FieldByName("catalogue")], i)] = true
	}
	if len(cats) != 3 || !strings.Contains(sedID, "sed") {
		t.Errorf("SED %s from catalogues %v, want all three", sedID, cats)
	}
	plots := a.Status().Plots
	if len(plots) != 1 || plots[0].ID != sedID || !strings.HasSuffix(plots[0].Plot, ".png") {
		t.Errorf("status plots %+v", plots)
	}
}

// TestCrossmatchJSAMPAndTOPCAT: with the real peers, JSAMP's
// messagesender calls voagent.crossmatch (sync, that is callAndWait, on a
// JSAMP hub) for a table on the testbed's AllWISE and gets url, table-id,
// rows and matched; TOPCAT under Xvfb loads the joined table (its samp.ok
// is the agent's result.sent).
func TestCrossmatchJSAMPAndTOPCAT(t *testing.T) {
	if testing.Short() {
		t.Skip("starts TOPCAT")
	}
	in := testbed.Require(t)
	topcat := peertest.Command(t, "topcat")
	env := conntest.NewEnv(t)
	env.JSAMPHub(t)
	t.Setenv("SAMP_HUB", env.Hub)
	display := env.Xvfb(t)
	env.StartWith(t, conntest.StartOptions{Env: []string{"DISPLAY=" + display}, Group: true}, topcat, "-nohub")
	env.WaitClient(t, "topcat")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := config.Default()
	cfg.SAMP.StartHub = false
	cfg.Catalogs = []config.Catalog{{Name: "AllWISE", Kind: "tap", URL: in.TAP, Table: in.Catalogs[1].Table}}
	a := agent.New(cfg, conntest.Logger(t))
	Register(a)
	run(t, ctx, a.Run)
	if err := a.WaitConnected(ctx, 60*time.Second); err != nil {
		t.Fatal(err)
	}
	conntest.Eventually(t, "the agent to see TOPCAT", func() bool { return len(a.Connector().FindClients("topcat")) > 0 })
	sub := a.Events().Subscribe(64, events.ResultSent, events.ResultNotSent)
	defer sub.Close()
	file := writeXmatchSample(t, env.Dir, 2000)
	out := env.JSAMPTool(t, "messagesender", "-targetname", "voagent", "-sendername", "xm-script", "-mode", "sync", "-timeout", "50",
		"-mtype", MTypeCrossmatch, "-param", "url", profile.FileURL(file), "-param", "catalog", "AllWISE", "-param", "radius", "2arcsec")
	field := func(name string) string {
		m := regexp.MustCompile(`"` + name + `": "([^"]*)"`).FindStringSubmatch(out)
		if m == nil {
			return ""
		}
		return m[1]
	}
	if !strings.Contains(out, "samp.ok") || field("rows") != "2000" || field("table-id") == "" {
		t.Fatalf("messagesender: %s", out)
	}
	// matched is the rows of the joined table that have a separation.
	u, err := url.Parse(field("url"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := votable.ReadTableFile(ctx, u.Path)
	if err != nil {
		t.Fatal(err)
	}
	sc, n := got.Columns[got.FieldByName("sep_arcsec")], 0
	for i := range got.Rows() {
		if sc.Value(i) != nil {
			n++
		}
	}
	if field("matched") != strconv.Itoa(n) || n == 0 || n == 2000 {
		t.Errorf("matched %q, the table has %d matched rows", field("matched"), n)
	}
	select {
	case e := <-sub.C():
		if e.Type != events.ResultSent || !strings.EqualFold(e.To, "topcat") {
			t.Errorf("delivery: %+v", e)
		}
	case <-time.After(time.Minute):
		t.Fatal("the joined table was not delivered to TOPCAT")
	}
}
