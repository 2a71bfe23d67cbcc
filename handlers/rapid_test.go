package handlers

import (
	"context"
	"fmt"
	"github.com/voagent/voagent/agent/api"
	"github.com/voagent/voagent/agent/events"
	"github.com/voagent/voagent/samp/connection/conntest"
	"github.com/voagent/voagent/samp/connector"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/agent"
	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/internal/faultsvc"
	"github.com/voagent/voagent/internal/samppeer"
	"github.com/voagent/voagent/samp/profile"
)

// Clicking quickly through 30 rows (a highlight every 50 ms, services
// answering in milliseconds) leaves TOPCAT with the tables of the row the
// user stopped at only, and Aladin pointed there only (vicinity.settle);
// clicking one row and waiting brings its tables.
func TestRapidHighlightsDeliverTheLastRowOnly(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fs := faultsvc.New(t)
	cfg := config.Default()
	// 2 s rather than the default 250 ms: on a loaded machine two of the
	// highlights sent 50 ms apart can arrive more than 250 ms apart, and
	// the row passed over is then rightly delivered.
	cfg.Vicinity.Settle = config.Duration{Duration: 2 * time.Second}
	cfg.Catalogs = []config.Catalog{
		{Name: "one", Kind: "scs", URL: fs.URLOf("/ok?rows=3")},
		{Name: "two", Kind: "scs", URL: fs.URLOf("/ok?rows=2")},
	}
	a, logs := ownHubAgent(t, ctx, cfg)
	tables := samppeer.Receiver(t, "topcat", "table.load.votable")
	aladin := samppeer.Receiver(t, "aladin", "coord.pointAt.sky")
	call := sampSender(t, ctx, a, "topcat-sender", "topcat", "aladin")
	pos := make([]agent.Position, 30)
	for i := range pos {
		pos[i] = agent.Position{RA: 10 + float64(i), Dec: 20}
	}
	file := writePositions(t, t.TempDir(), "rows.vot", pos)
	url := profile.FileURL(file)
	delivered := a.Events().Subscribe(100, events.SearchDelivered)
	defer delivered.Close()
	if r := call(MTypeLoadVOTable, map[string]any{"url": url, "table-id": "rows"}); !r.IsOK() {
		t.Fatal(r)
	}
	for i := range pos {
		if r := call(MTypeHighlightRow, map[string]any{"table-id": "rows", "url": url, "row": fmt.Sprint(i)}); !r.IsOK() {
			t.Fatal(r)
		}
		time.Sleep(50 * time.Millisecond)
	}
	last := pos[len(pos)-1].String()
	got := map[string]bool{}
	timeout := time.After(30 * time.Second)
	for len(got) < 2 {
		select {
		case p := <-tables:
			name, _ := p["name"].(string)
			if !strings.HasSuffix(name, last) {
				t.Errorf("TOPCAT got %q, a table of a row passed over (the last row is at %s)", name, last)
				continue
			}
			got[name] = true
		case <-timeout:
			t.Fatalf("TOPCAT got %v of the last row's 2 tables\n%s", got, logs.String())
		}
	}
	// The summary counts what was delivered: the last row's 2 tables.
	select {
	case e := <-delivered.C():
		for e.Count == 0 { // a passed-over row's search: nothing went
			e = <-delivered.C()
		}
		if e.Count != 2 {
			t.Errorf("search.delivered %+v, want 2 results delivered", e)
		}
	case <-time.After(10 * time.Second):
		t.Error("no search.delivered event")
	}
	time.Sleep(time.Second) // anything late would come now
	for {
		select {
		case p := <-tables:
			t.Errorf("one more table: %v", p["name"])
			continue
		case p := <-aladin:
			if p["ra"] != fmt.Sprint(pos[len(pos)-1].RA) {
				t.Errorf("Aladin pointed at %v, a row passed over", p)
			}
			continue
		default:
		}
		break
	}
}

// A result table stays while the client it was sent to is registered (it
// may highlight rows of it) and goes, with its file, when that client
// leaves the hub.
func TestResultTablesReleasedWhenTheirHolderLeaves(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fs := faultsvc.New(t)
	cfg := config.Default()
	cfg.Vicinity.Settle = config.Duration{}
	cfg.Catalogs = []config.Catalog{{Name: "one", Kind: "scs", URL: fs.URLOf("/ok?rows=3")}}
	a, _ := ownHubAgent(t, ctx, cfg)
	tctx, leave := context.WithCancel(ctx)
	topcat := connector.New(connector.Options{Metadata: map[string]any{"samp.name": "topcat"}})
	got := make(chan map[string]any, 10)
	topcat.HandleFunc("table.load.votable", func(_ context.Context, r *connector.Request) (map[string]any, error) {
		got <- r.Message.Params
		return nil, nil
	})
	left := make(chan struct{})
	go func() { topcat.Run(tctx); close(left) }()
	conntest.Eventually(t, "the agent to see topcat", func() bool { return len(a.Connector().FindClients("topcat")) > 0 })
	reps, err := a.Vicinity(ctx, api.VicinityRequest{Position: &api.Position{RA: 10, Dec: 20}, Send: true}, "test")
	if err != nil || len(reps[0].Results) != 1 {
		t.Fatalf("%v %+v", err, reps)
	}
	p := <-got
	id := p["table-id"].(string)
	path := reps[0].Results[0].Path
	if _, err := a.Tables().Find(id, ""); err != nil {
		t.Fatalf("the result table is not held: %v", err)
	}
	leave()
	<-left
	conntest.Eventually(t, "the table to be released", func() bool {
		_, err := a.Tables().Find(id, "")
		return err != nil
	})
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the released table's file is still there: %v", err)
	}
}
