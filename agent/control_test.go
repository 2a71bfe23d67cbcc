package agent

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/voagent/voagent/agent/api"
	"github.com/voagent/voagent/agent/client"
	"github.com/voagent/voagent/agent/events"
	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/internal/samppeer"
	"github.com/voagent/voagent/internal/syncbuf"
	"github.com/voagent/voagent/internal/testbed"
	"github.com/voagent/voagent/internal/testbed/synth"
	"github.com/voagent/voagent/samp/profile"
)

// The control API end to end on the testbed: an agent on its own hub
// serving its socket; a client reads the status, follows the events, runs
// a vicinity search through the socket, resends a result to "topcat", and
// stops the agent, which removes its socket and results.
func TestControlAPI(t *testing.T) {
	in := testbed.Require(t)
	dir := t.TempDir()
	t.Setenv("SAMP_HUB", "std-lockurl:"+profile.FileURL(filepath.Join(dir, "lock.samp")))
	t.Setenv("TMPDIR", dir)
	twomass, allwise := in.Catalogs[0], in.Catalogs[1]
	cfg := config.Default()
	cfg.Catalogs = []config.Catalog{
		{Name: "2MASS", Kind: "scs", URL: twomass.SCS},
		{Name: "AllWISE", Kind: "tap", URL: in.TAP, Table: allwise.Table},
	}
	sock := filepath.Join(dir, "run", "control.sock")
	var logs syncbuf.Buffer
	a := New(cfg, slog.New(slog.NewTextHandler(&logs, nil)), WithControlSocket(sock))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ran := make(chan error, 1)
	go func() { ran <- a.Run(ctx) }()
	c := client.New(sock)
	wctx, wcancel := context.WithTimeout(ctx, 20*time.Second)
	defer wcancel()
	if err := c.Wait(wctx); err != nil {
		t.Fatalf("the control API never answered:\n%s", logs.String())
	}
	if err := a.WaitConnected(ctx, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	topcat := samppeer.Receiver(t, "topcat", "table.load.votable")

	var mu sync.Mutex
	var seen []events.Event
	follow, stopFollowing := context.WithCancel(ctx)
	followed := make(chan error, 1)
	go func() {
		followed <- c.Events(follow, 0, nil, func(e events.Event) error {
			mu.Lock()
			seen = append(seen, e)
			mu.Unlock()
			return nil
		})
	}()

	st, err := c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Hub.Connected || !st.Hub.Own || st.Socket != sock || len(st.Catalogues) != 2 {
		t.Errorf("status: hub %+v, socket %q, catalogues %v", st.Hub, st.Socket, st.Catalogues)
	}

	anchor := in.Anchors[0]
	reps, err := c.Vicinity(ctx, api.VicinityRequest{Position: &api.Position{RA: anchor.RA, Dec: anchor.Dec}, RadiusArcsec: 60})
	if err != nil {
		t.Fatal(err)
	}
	if len(reps) != 1 || reps[0].Search.Answered != 2 {
		t.Fatalf("reports %+v", reps)
	}
	want := map[string]int{
		"2MASS":   len(synth.CatalogByName(twomass.Name).Cone(anchor.RA, anchor.Dec, 60.0/3600)),
		"AllWISE": len(synth.CatalogByName(allwise.Name).Cone(anchor.RA, anchor.Dec, 60.0/3600)),
	}
	var tableResult string
	for _, r := range reps[0].Results {
		if r.Rows != want[r.Service] || r.Kind != "table" {
			t.Errorf("%s: %d rows, want %d", r.Service, r.Rows, want[r.Service])
		}
		if _, err := os.Stat(r.Path); err != nil {
			t.Errorf("%s: result file: %v", r.Service, err)
		}
		if len(r.SentTo) != 0 {
			t.Errorf("%s was sent without being asked to: %v", r.Service, r.SentTo)
		}
		tableResult = r.ID
	}
	st, _ = c.Status(ctx)
	if len(st.Recent) != 1 || st.LastResults["2MASS"].Rows != want["2MASS"] {
		t.Errorf("status after the search: recent %+v, last results %+v", st.Recent, st.LastResults)
	}

	rep, err := c.Resend(ctx, tableResult, "topcat")
	if err != nil || len(rep.SentTo) != 1 {
		t.Fatalf("resend: %+v, %v", rep, err)
	}
	select {
	case p := <-topcat:
		if p["table-id"] == tableResult || !strings.HasPrefix(p["url"].(string), "file://") {
			t.Errorf("resent table %v: want a new table-id and a file URL", p)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("topcat got nothing")
	}
	if _, err := c.Resend(ctx, "no-such-result", ""); err == nil || !strings.Contains(err.Error(), "no-such-result") {
		t.Errorf("resend of an unknown result: %v", err)
	}
	if _, err := c.Vicinity(ctx, api.VicinityRequest{Position: &api.Position{RA: 10, Dec: 95}}); err == nil {
		t.Error("Dec 95 accepted")
	}
	if rep, err := c.Reload(ctx); err != nil || rep.Error == "" {
		t.Errorf("reload without a configuration file: %+v, %v", rep, err)
	}

	// The events tell the same story.
	waitFor := func(typ events.Type) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			mu.Lock()
			for _, e := range seen {
				if e.Type == typ {
					mu.Unlock()
					return
				}
			}
			mu.Unlock()
			time.Sleep(10 * time.Millisecond)
		}
		t.Errorf("no %s event", typ)
	}
	for _, typ := range []events.Type{events.HubFound, events.SearchStarted, events.ResultStored, events.SearchFinished} {
		waitFor(typ)
	}
	mu.Lock()
	for _, e := range seen {
		if e.Type == events.SearchFinished && (e.Answered != 2 || len(e.Counts) != 2) {
			t.Errorf("search.finished %+v", e)
		}
	}
	mu.Unlock()

	results := a.ResultsDir()
	if err := c.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-ran:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the agent did not stop")
	}
	waitFor(events.Stopping)
	stopFollowing()
	<-followed
	for _, p := range []string{sock, results} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s left behind (%v)", p, err)
		}
	}
	if c.Running(context.Background()) {
		t.Error("the control socket still answers")
	}
}
