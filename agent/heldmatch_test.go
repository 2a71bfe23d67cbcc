package agent

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/agent/api"
	"github.com/voagent/voagent/agent/client"
	"github.com/voagent/voagent/agent/events"
	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/internal/samppeer"
	"github.com/voagent/voagent/samp/profile"
	"github.com/voagent/voagent/vo/votable"
)

// startControlled runs an agent on its own in-process hub (a private
// lockfile) with its control socket, and returns it with a client.
func startControlled(t *testing.T) (*Agent, *client.Client, context.Context) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("SAMP_HUB", "std-lockurl:"+profile.FileURL(filepath.Join(dir, "lock.samp")))
	t.Setenv("TMPDIR", dir)
	cfg := config.Default()
	cfg.Catalogs = nil
	sock := filepath.Join(dir, "run", "control.sock")
	a := New(cfg, nil, WithControlSocket(sock))
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- a.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-ran })
	c := client.New(sock)
	wctx, wcancel := context.WithTimeout(ctx, 20*time.Second)
	defer wcancel()
	if err := c.Wait(wctx); err != nil {
		t.Fatal(err)
	}
	if err := a.WaitConnected(ctx, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	return a, c, ctx
}

// The tray's "cross-match the last two tables": through the control API,
// the last two tables other tools sent are matched (ours skipped), the
// result held and sent to "topcat".
func TestHeldMatchControlAPI(t *testing.T) {
	a, c, ctx := startControlled(t)
	topcat := samppeer.Receiver(t, "topcat", "table.load.votable")
	radec := []string{"ra", "dec"}
	const as = 1.0 / 3600
	a.hold(&Table{ID: "first", Name: "stars", Sender: "topcat", Data: scalarTable(radec, []float64{10, 20}, []float64{11, 21}, []float64{12, 22})})
	if _, err := c.HeldMatch(ctx, api.HeldMatchRequest{}); err == nil || !strings.Contains(err.Error(), "fewer than two tables") {
		t.Errorf("one table held: %v, want an error saying two are needed", err)
	}
	a.hold(&Table{ID: "second", Name: "galaxies", Sender: "topcat", Data: scalarTable(radec, []float64{10 + 0.5*as, 20},
		[]float64{12, 22 - 0.8*as}, []float64{30, -5}, []float64{11, 21 + 10*as})})
	a.hold(&Table{ID: "ours", Ours: true, Data: scalarTable(radec, []float64{10, 20})})

	tests := []struct {
		name      string
		req       api.HeldMatchRequest
		a, b      string
		pairs     int
		rows      int
		errSubstr string
	}{
		{"last two, 2 arcsec", api.HeldMatchRequest{Radius: "2arcsec"}, "first", "second", 2, 2, ""},
		{"all1 keeps unmatched", api.HeldMatchRequest{Radius: "2arcsec", Join: "all1"}, "first", "second", 2, 3, ""},
		{"larger radius", api.HeldMatchRequest{A: "second", Radius: "15arcsec"}, "second", "first", 3, 3, ""},
		{"bad radius", api.HeldMatchRequest{Radius: "2 parsecs"}, "", "", 0, 0, "radius"},
		{"bad join", api.HeldMatchRequest{Join: "outer"}, "", "", 0, 0, "join"},
		{"unknown table", api.HeldMatchRequest{A: "nope"}, "", "", 0, 0, "nope"},
		{"same table", api.HeldMatchRequest{A: "first", B: "first"}, "", "", 0, 0, "both"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := c.HeldMatch(ctx, tt.req)
			if tt.errSubstr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errSubstr) {
					t.Fatalf("error %v, want one naming %q", err, tt.errSubstr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rep.A != tt.a || rep.B != tt.b || rep.Pairs != tt.pairs || rep.Result.Rows != tt.rows {
				t.Errorf("matched %s x %s: %d pairs, %d rows; want %s x %s, %d pairs, %d rows",
					rep.A, rep.B, rep.Pairs, rep.Result.Rows, tt.a, tt.b, tt.pairs, tt.rows)
			}
			held, err := a.Tables().Find(rep.Result.ID, "")
			if err != nil {
				t.Fatalf("result not held: %v", err)
			}
			if f, err := os.Open(rep.Result.Path); err != nil {
				t.Errorf("result file: %v", err)
			} else if _, err := votable.Read(f); err != nil {
				f.Close()
				t.Errorf("result file %s: %v", rep.Result.Path, err)
			} else {
				f.Close()
			}
			if held.Data.Rows() != tt.rows {
				t.Errorf("held result has %d rows, want %d", held.Data.Rows(), tt.rows)
			}
		})
	}

	rep, err := c.HeldMatch(ctx, api.HeldMatchRequest{Radius: "2arcsec", Send: true, To: "topcat"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Result.SentTo) != 1 || rep.Result.SentTo[0] != "topcat" {
		t.Errorf("sent to %v, failed %v", rep.Result.SentTo, rep.Result.SendError)
	}
	select {
	case p := <-topcat:
		if p["table-id"] != rep.Result.ID || !strings.Contains(p["name"].(string), "stars x galaxies") {
			t.Errorf("topcat got %v", p)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("topcat got nothing")
	}
	var finished bool
	for _, e := range a.Events().Since(0) {
		if e.Type == events.SearchFinished && e.Search == rep.Search.ID && e.Kind == "xmatch" && e.Count == 2 {
			finished = true
		}
	}
	if !finished {
		t.Error("no search.finished event for the match")
	}
}

// Reconnect through the control API: the agent unregisters and registers
// again (a new self-id on the same hub), and says so on the event stream.
func TestReconnectControlAPI(t *testing.T) {
	a, c, ctx := startControlled(t)
	before, err := c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	since := a.Events().Last()
	rep, err := c.Reconnect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Hub.Connected || rep.Hub.SelfID == "" || rep.Hub.SelfID == before.Hub.SelfID || rep.Hub.URL != before.Hub.URL {
		t.Errorf("after reconnect hub %+v; before %+v", rep.Hub, before.Hub)
	}
	var lost, found bool
	for _, e := range a.Events().Since(since) {
		switch {
		case e.Type == events.HubLost && strings.Contains(e.Error, "reconnect"):
			lost = true
		case e.Type == events.HubFound && lost:
			found = true
		}
	}
	if !lost || !found {
		t.Errorf("events after reconnect: hub.lost (reconnect) %v, then hub.found %v", lost, found)
	}
}
