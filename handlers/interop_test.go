package handlers

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/agent"
	"github.com/voagent/voagent/agent/events"
	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/internal/peertest"
	"github.com/voagent/voagent/internal/syncbuf"
	"github.com/voagent/voagent/internal/testbed"
	"github.com/voagent/voagent/samp/connection/conntest"
	"github.com/voagent/voagent/samp/profile"
)

// TestJSAMPSendsTables: the agent on a JSAMP hub receives table.load.votable
// and table.highlight.row from JSAMP's messagesender posing as TOPCAT.
func TestJSAMPSendsTables(t *testing.T) {
	env := conntest.NewEnv(t)
	env.JSAMPHub(t)
	t.Setenv("SAMP_HUB", env.Hub)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := config.Default()
	cfg.Catalogs = nil // no public service in tests
	cfg.SAMP.StartHub = false
	a := agent.New(cfg, conntest.Logger(t))
	Register(a)
	run(t, ctx, a.Run)
	if err := a.WaitConnected(ctx, 60*time.Second); err != nil {
		t.Fatalf("agent did not register with the JSAMP hub: %v", err)
	}
	file := writeSample(t, env.Dir)
	send := func(params ...string) string {
		args := []string{"messagesender", "-targetname", "voagent", "-sendername", "topcat", "-mode", "sync"}
		return env.JSAMPTool(t, append(args, params...)...)
	}
	out := send("-mtype", "table.load.votable", "-param", "url", profile.FileURL(file), "-param", "table-id", "T7", "-param", "name", "sample")
	if !strings.Contains(out, "samp.ok") {
		t.Fatalf("table.load.votable: %s", out)
	}
	out = send("-mtype", "table.highlight.row", "-param", "table-id", "T7", "-param", "url", profile.FileURL(file), "-param", "row", "1")
	if !strings.Contains(out, "samp.ok") {
		t.Fatalf("table.highlight.row: %s", out)
	}
	out = send("-mtype", "table.highlight.row", "-param", "table-id", "T7", "-param", "row", "5")
	if !strings.Contains(out, "samp.error") || !strings.Contains(out, "out of range") {
		t.Fatalf("out-of-range row: %s", out)
	}
	if tab, err := a.Tables().Find("T7", ""); err != nil || tab.Sender != "topcat" || tab.Name != "sample" {
		t.Fatalf("stored table %+v, %v", tab, err)
	}
}

// TestVicinityTOPCAT is the vicinity search with the real peers: a JSAMP
// hub, JSAMP's messagesender highlighting a row as TOPCAT would, the DaCHS
// testbed's cone search, TAP and SIA services, TOPCAT under Xvfb loading the
// result tables and Aladin pointed there and loading the image (their
// samp.ok means each read and loaded what it was sent).
func TestVicinityTOPCAT(t *testing.T) {
	if testing.Short() {
		t.Skip("starts TOPCAT")
	}
	in := testbed.Require(t)
	topcat := peertest.Command(t, "topcat")
	env := conntest.NewEnv(t)
	env.JSAMPHub(t)
	t.Setenv("SAMP_HUB", env.Hub)
	display := env.Xvfb(t)
	// /usr/bin/topcat runs java as a child: stop the whole process group.
	env.StartWith(t, conntest.StartOptions{Env: []string{"DISPLAY=" + display}, Group: true}, topcat, "-nohub")
	env.WaitClient(t, "topcat")
	env.Aladin(t, display)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := config.Default()
	cfg.SAMP.StartHub = false
	cfg.Catalogs = []config.Catalog{
		{Name: "2MASS", Kind: "scs", URL: in.Catalogs[0].SCS},
		{Name: "AllWISE", Kind: "tap", URL: in.TAP, Table: in.Catalogs[1].Table},
	}
	cfg.Images = []config.Catalog{{Name: "images", Kind: "sia", URL: in.SIA1, RadiusArcsec: 5}}
	var logs syncbuf.Buffer
	a := agent.New(cfg, slog.New(slog.NewTextHandler(&logs, nil)))
	Register(a)
	run(t, ctx, a.Run)
	if err := a.WaitConnected(ctx, 60*time.Second); err != nil {
		t.Fatalf("agent did not register with the JSAMP hub: %v", err)
	}
	conntest.Eventually(t, "the agent to see TOPCAT and Aladin", func() bool {
		return len(a.Connector().FindClients("topcat")) > 0 && len(a.Connector().FindClients("aladin")) > 0
	})

	anchor := in.Anchors[3] // images are centred here
	file := writePositions(t, env.Dir, "targets.vot", []agent.Position{{RA: 1, Dec: 1}, {RA: anchor.RA, Dec: anchor.Dec}})
	send := func(params ...string) {
		t.Helper()
		args := []string{"messagesender", "-targetname", "voagent", "-sendername", "topcat-highlighter", "-mode", "sync"}
		if out := env.JSAMPTool(t, append(args, params...)...); !strings.Contains(out, "samp.ok") {
			t.Fatalf("%v: %s", params, out)
		}
	}
	sub := a.Events().Subscribe(64, events.ResultSent, events.ResultNotSent, events.SearchFinished)
	defer sub.Close()
	send("-mtype", "table.load.votable", "-param", "url", profile.FileURL(file), "-param", "table-id", "targets")
	send("-mtype", "table.highlight.row", "-param", "table-id", "targets", "-param", "url", profile.FileURL(file), "-param", "row", "1")
	sent := map[string]string{} // service -> recipient
	var finished events.Event
	timeout := time.After(2 * time.Minute)
	// A highlight-triggered search finishes without waiting for its
	// deliveries, which are queued per recipient.
	for finished.Type == "" || len(sent) < 3 {
		select {
		case e := <-sub.C():
			switch e.Type {
			case events.ResultSent:
				sent[e.Service] = strings.ToLower(e.To)
			case events.ResultNotSent:
				t.Errorf("%s not delivered to %s: %s", e.Service, e.To, e.Error)
			case events.SearchFinished:
				finished = e
			}
		case <-timeout:
			t.Fatalf("no search finished; sent %v\n%s", sent, logs.String())
		}
	}
	l := logs.String()
	for svc, to := range map[string]string{"2MASS": "topcat", "AllWISE": "topcat", "images": "aladin"} {
		if sent[svc] != to {
			t.Errorf("%s result went to %q, want %s (its samp.ok says it loaded it):\n%s", svc, sent[svc], to, l)
		}
	}
	// Count is what was delivered by the time the search finished: a
	// highlight-triggered search does not wait for its queued deliveries.
	if finished.Answered != 3 || finished.Count > 3 || len(finished.Failed) != 0 {
		t.Errorf("search finished %+v, want 3 services answered", finished)
	}
	if strings.Contains(l, "not pointed") {
		t.Errorf("Aladin was not pointed:\n%s", l)
	}
}
