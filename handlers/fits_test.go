package handlers

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/agent"
	"github.com/voagent/voagent/agent/events"
	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/internal/peertest"
	"github.com/voagent/voagent/samp/connection"
	"github.com/voagent/voagent/samp/connector"
	"github.com/voagent/voagent/samp/profile"
)

// fitsTable writes a FITS file whose BINTABLE has RA and Dec (TUCD
// pos.eq.ra/dec;meta.main, degrees) and a name, as TOPCAT sends them.
func fitsTable(t *testing.T, path string, pos []agent.Position) {
	t.Helper()
	block := func(cards ...string) []byte {
		var b bytes.Buffer
		for _, c := range append(cards, "END") {
			fmt.Fprintf(&b, "%-80s", c)
		}
		for b.Len()%2880 != 0 {
			b.WriteByte(' ')
		}
		return b.Bytes()
	}
	var data bytes.Buffer
	for i, p := range pos {
		binary.Write(&data, binary.BigEndian, p.RA)
		binary.Write(&data, binary.BigEndian, p.Dec)
		fmt.Fprintf(&data, "%-4s", fmt.Sprint("s", i))
	}
	for data.Len()%2880 != 0 {
		data.WriteByte(0)
	}
	out := block("SIMPLE  =                    T", "BITPIX  =                    8", "NAXIS   =                    0")
	out = append(out, block("XTENSION= 'BINTABLE'", "BITPIX  =                    8", "NAXIS   =                    2",
		"NAXIS1  =                   20", fmt.Sprintf("NAXIS2  = %20d", len(pos)), "PCOUNT  =                    0",
		"GCOUNT  =                    1", "TFIELDS =                    3", "EXTNAME = 'sources'",
		"TTYPE1  = 'RA'", "TFORM1  = 'D'", "TUNIT1  = 'deg'", "TUCD1   = 'pos.eq.ra;meta.main'",
		"TTYPE2  = 'DEC'", "TFORM2  = 'D'", "TUNIT2  = 'deg'", "TUCD2   = 'pos.eq.dec;meta.main'",
		"TTYPE3  = 'name'", "TFORM3  = '4A'")...)
	out = append(out, data.Bytes()...)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// fitsAgent runs an agent on its own hub (SAMP_HUB set for the test) and
// a second client named topcat, and returns them with the agent's client
// id once the peer sees it subscribed to table.load.fits.
func fitsAgent(t *testing.T, ctx context.Context, dir string) (*agent.Agent, *connector.Connector, string) {
	t.Helper()
	t.Setenv("SAMP_HUB", "std-lockurl:"+profile.FileURL(filepath.Join(dir, "lock.samp")))
	cfg := config.Default()
	cfg.Catalogs = nil // no public service in tests
	a := agent.New(cfg, nil)
	Register(a)
	run(t, ctx, a.Run)
	if err := a.WaitConnected(ctx, 60*time.Second); err != nil {
		t.Fatalf("agent did not register with its own hub: %v", err)
	}
	peer := connector.New(connector.Options{Metadata: map[string]any{"samp.name": "topcat"}})
	run(t, ctx, peer.Run)
	wctx, wcancel := context.WithTimeout(ctx, 60*time.Second)
	defer wcancel()
	if err := peer.WaitConnected(wctx); err != nil {
		t.Fatal(err)
	}
	for {
		if cl := peer.FindClients("voagent"); len(cl) > 0 && cl[0].Subscribed(MTypeLoadFITS) {
			return a, peer, cl[0].ID
		}
		select {
		case <-wctx.Done():
			t.Fatal("the peer never saw voagent register subscribed to " + MTypeLoadFITS)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// TestAgentLoadFITS sends the agent table.load.fits from a second client:
// the agent subscribes to it, keeps the table (positions found by UCD, so
// a highlight of its rows works) and refuses a broken file naming the
// card at fault.
func TestAgentLoadFITS(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, peer, agentID := fitsAgent(t, ctx, dir)
	good := filepath.Join(dir, "sources.fits")
	fitsTable(t, good, []agent.Position{{RA: 10.5, Dec: -30}, {RA: 11.5, Dec: -29}, {RA: 12.5, Dec: -28}})
	broken := filepath.Join(dir, "broken.fits")
	data, _ := os.ReadFile(good)
	os.WriteFile(broken, bytes.Replace(data, []byte("NAXIS1  =                   20"), []byte("NAXIS1  =                   24"), 1), 0o644)
	for _, tc := range []struct {
		name, mtype string
		params      map[string]any
		wantStatus  string
		wantErr     string
	}{
		{"load", MTypeLoadFITS, map[string]any{"url": profile.FileURL(good), "table-id": "F1", "name": "sources"}, "samp.ok", ""},
		{"highlight", MTypeHighlightRow, map[string]any{"table-id": "F1", "row": "2"}, "samp.ok", ""},
		{"broken", MTypeLoadFITS, map[string]any{"url": profile.FileURL(broken), "table-id": "F2"}, "samp.error", "NAXIS1 = 24"},
		{"no url", MTypeLoadFITS, map[string]any{"table-id": "F3"}, "samp.error", "missing url"},
	} {
		cctx, ccancel := context.WithTimeout(ctx, 30*time.Second)
		resp, err := peer.Call(cctx, agentID, connection.NewMessage(tc.mtype, tc.params))
		ccancel()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if resp.Status != tc.wantStatus || tc.wantErr != "" && (resp.Error == nil || !strings.Contains(resp.Error.ErrorTxt, tc.wantErr)) {
			t.Errorf("%s: %s %+v, want %s with %q", tc.name, resp.Status, resp.Error, tc.wantStatus, tc.wantErr)
		}
	}
	got, err := a.Tables().Find("F1", "")
	if err != nil || got.Data.Rows() != 3 || got.Sender != "topcat" || got.Data.Fields[2].Name != "name" {
		t.Fatalf("stored table: %+v, %v", got, err)
	}
	if v := got.Data.Columns[2].Value(1); v != "s1" {
		t.Errorf("name of row 1: %v", v)
	}
	cancel()
}

// TestSTILTSSendsFITS: STILTS (tpipe omode=samp format=fits) sends a
// table to the agent as table.load.fits, the agent loads it.
func TestSTILTSSendsFITS(t *testing.T) {
	stilts := peertest.Command(t, "stilts")
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, _, _ := fitsAgent(t, ctx, dir)
	loaded := a.Events().Subscribe(10, events.TableLoaded)
	defer loaded.Close()
	src := writePositions(t, dir, "stilts.vot", []agent.Position{{RA: 1, Dec: 2}, {RA: 3, Dec: 4}, {RA: 5, Dec: 6}, {RA: 7, Dec: 8}})
	sctx, scancel := context.WithTimeout(ctx, 2*time.Minute)
	defer scancel()
	cmd := exec.CommandContext(sctx, stilts, "tpipe", "in="+src, "omode=samp", "format=fits", "client=voagent")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("stilts: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "Send "+MTypeLoadFITS+" to") || !strings.Contains(string(out), "Response samp.ok") {
		t.Errorf("stilts did not have table.load.fits answered samp.ok:\n%s", out)
	}
	select {
	case e := <-loaded.C():
		got, err := a.Tables().Find(e.Table, "")
		if err != nil || got.Data.Rows() != 4 || e.Rows != 4 {
			t.Fatalf("table from STILTS: %+v %v (event %+v)", got, err, e)
		}
		if v := got.Data.Columns[got.Data.FieldByName("DEJ2000")].Value(3); v != 8.0 {
			t.Errorf("DEJ2000 of row 4: %v", v)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("no table loaded; stilts said:\n%s", out)
	}
}
