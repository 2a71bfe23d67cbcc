package handlers

import (
	"context"
	"fmt"
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
