package handlers

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/agent"
	"github.com/voagent/voagent/agent/events"
	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/samp/connection"
	"github.com/voagent/voagent/samp/connector"
	"github.com/voagent/voagent/samp/profile"
	"github.com/voagent/voagent/vo/votable"
)

// writeSample writes a 3-row table with sky positions found by UCD.
func writeSample(t *testing.T, dir string) string {
	return writePositions(t, dir, "sample.vot", []agent.Position{{RA: 10.5, Dec: -30}, {RA: 11.5, Dec: -29}, {RA: 12.5, Dec: -28}})
}

// writePositions writes a table of positions (RAJ2000, DEJ2000 with UCDs
// pos.eq.ra/dec;meta.main) to dir/name.
func writePositions(t *testing.T, dir, name string, pos []agent.Position) string {
	t.Helper()
	ra := &votable.Field{Name: "RAJ2000", Datatype: votable.Double, UCD: "pos.eq.ra;meta.main", Unit: "deg"}
	dec := &votable.Field{Name: "DEJ2000", Datatype: votable.Double, UCD: "pos.eq.dec;meta.main", Unit: "deg"}
	rc, dc := votable.NewScalar[float64](ra), votable.NewScalar[float64](dec)
	for _, p := range pos {
		rc.Append(p.RA, false)
		dc.Append(p.Dec, false)
	}
	p := filepath.Join(dir, name)
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tab := &votable.Table{Name: "sample", Fields: []*votable.Field{ra, dec}, Columns: []votable.Column{rc, dc}}
	if err := votable.WriteTable(f, tab, votable.Binary2); err != nil {
		t.Fatal(err)
	}
	return p
}

func run(t *testing.T, ctx context.Context, fn func(context.Context) error) {
	done := make(chan error, 1)
	go func() { done <- fn(ctx) }()
	t.Cleanup(func() {
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Errorf("did not stop 15 s after cancel")
		}
	})
}

// TestAgentTableMessages runs the agent on its own hub and sends it table
// messages from a second client, as TOPCAT would.
func TestAgentTableMessages(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("SAMP_HUB", "std-lockurl:"+profile.FileURL(filepath.Join(dir, "lock.samp")))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

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
	var agentID string
	for agentID == "" {
		if cl := peer.FindClients("voagent"); len(cl) > 0 {
			agentID = cl[0].ID
			break
		}
		select {
		case <-wctx.Done():
			t.Fatal("the peer never saw voagent register")
		case <-time.After(50 * time.Millisecond):
		}
	}
	file := writeSample(t, dir)
	unsent := writePositions(t, dir, "unsent.vot", []agent.Position{{RA: 1, Dec: 2}, {RA: 3, Dec: 4}})
	call := func(mtype string, params map[string]any) connection.Response {
		t.Helper()
		cctx, ccancel := context.WithTimeout(ctx, 30*time.Second)
		defer ccancel()
		resp, err := peer.Call(cctx, agentID, connection.NewMessage(mtype, params))
		if err != nil {
			t.Fatalf("%s: %v", mtype, err)
		}
		return resp
	}
	tests := []struct {
		name, mtype string
		params      map[string]any
		wantStatus  string
		wantErr     string
	}{
		{"load", MTypeLoadVOTable, map[string]any{"url": profile.FileURL(file), "table-id": "T42", "name": "sample"}, "samp.ok", ""},
		{"highlight by id", MTypeHighlightRow, map[string]any{"table-id": "T42", "url": "file:/elsewhere", "row": "2"}, "samp.ok", ""},
		{"highlight by url", MTypeHighlightRow, map[string]any{"table-id": "other", "url": profile.FileURL(file), "row": "0"}, "samp.ok", ""},
		{"row out of range", MTypeHighlightRow, map[string]any{"table-id": "T42", "row": "99"}, "samp.error", "out of range"},
		{"unknown table", MTypeHighlightRow, map[string]any{"table-id": "nope", "row": "0"}, "samp.error", "no table"},
		{"table never sent, read from its url", MTypeHighlightRow, map[string]any{"table-id": "fresh", "url": profile.FileURL(unsent), "row": "1"}, "samp.ok", ""},
		{"table never sent, url unreadable", MTypeHighlightRow, map[string]any{"table-id": "nope", "url": profile.FileURL(filepath.Join(dir, "gone.vot")), "row": "0"},
			"samp.error", "and reading it from its url failed"},
		{"missing file", MTypeLoadVOTable, map[string]any{"url": profile.FileURL(filepath.Join(dir, "missing.vot"))}, "samp.error", "missing.vot"},
		{"select rows", MTypeSelectRows, map[string]any{"table-id": "T42", "row-list": []any{"0", "2"}}, "samp.ok", ""},
	}
	refused := a.Events().Subscribe(100, events.MessageFailed)
	defer refused.Close()
	for _, tc := range tests {
		resp := call(tc.mtype, tc.params)
		if resp.Status != tc.wantStatus {
			t.Errorf("%s: status %s, want %s (%+v)", tc.name, resp.Status, tc.wantStatus, resp.Error)
			continue
		}
		if tc.wantErr != "" && (resp.Error == nil || !strings.Contains(resp.Error.ErrorTxt, tc.wantErr)) {
			t.Errorf("%s: error %+v, want one containing %q", tc.name, resp.Error, tc.wantErr)
		}
		// Every samp.error answered is on the event stream (and in the
		// log) with the MType, the sender and the reason.
		if tc.wantStatus == "samp.error" {
			select {
			case e := <-refused.C():
				if e.MType != tc.mtype || e.From != "topcat" || !strings.Contains(e.Error, tc.wantErr) {
					t.Errorf("%s: event %+v", tc.name, e)
				}
			case <-time.After(5 * time.Second):
				t.Errorf("%s: no message.failed event", tc.name)
			}
		}
	}
	if len(refused.C()) != 0 {
		t.Errorf("message.failed for an accepted message: %+v", <-refused.C())
	}
	if got, err := a.Tables().Find("T42", ""); err != nil || got.Data.Rows() != 3 || got.Sender != "topcat" {
		t.Fatalf("stored table: %+v, %v", got, err)
	}
	if got, err := a.Tables().Find("fresh", ""); err != nil || got.Data.Rows() != 2 {
		t.Fatalf("table read on highlight: %+v, %v", got, err)
	}
	cancel()
}
