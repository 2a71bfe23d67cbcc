package handlers

import (
	"bytes"
	"context"
	"log/slog"
	"math"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/agent"
	"github.com/voagent/voagent/agent/api"
	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/internal/samppeer"
	"github.com/voagent/voagent/internal/syncbuf"
	"github.com/voagent/voagent/internal/testbed"
	"github.com/voagent/voagent/internal/testbed/synth"
	"github.com/voagent/voagent/samp/connection"
	"github.com/voagent/voagent/samp/connection/conntest"
	"github.com/voagent/voagent/samp/connector"
	"github.com/voagent/voagent/samp/profile"
	"github.com/voagent/voagent/vo/votable"
)

// TestVicinitySearch is the main job end to end on the testbed: a row
// highlighted in "TOPCAT" makes the agent point "Aladin" at the row's
// position, send back, one table per catalogue, the sources of the DaCHS
// cone search and TAP services around it, and give "Aladin" an image from
// each image service (SIA 1 and 2); a dead catalogue loses nothing else and
// is named in the log.
func TestVicinitySearch(t *testing.T) {
	in := testbed.Require(t)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String() + "/scs"
	ln.Close()
	twomass, allwise := in.Catalogs[0], in.Catalogs[1]
	cfg := config.Default()
	cfg.Search.RadiusArcsec = 90
	cfg.Catalogs = []config.Catalog{
		{Name: "2MASS", Kind: "scs", URL: twomass.SCS},
		{Name: "AllWISE", Kind: "tap", URL: in.TAP, Table: allwise.Table, RadiusArcsec: 45},
		{Name: "Gone", Kind: "scs", URL: dead},
	}
	cfg.Images = []config.Catalog{
		{Name: "images-SIA1", Kind: "sia", URL: in.SIA1, RadiusArcsec: 5},
		{Name: "images-SIA2", Kind: "sia2", URL: in.SIA2, RadiusArcsec: 5},
	}
	a, logs := ownHubAgent(t, ctx, cfg)
	tables := samppeer.Receiver(t, "topcat", "table.load.votable")
	aladin := samppeer.Receiver(t, "aladin", "coord.pointAt.sky", "image.load.fits")
	// "TOPCAT" sends a table and highlights the row on an anchor source.
	call := sampSender(t, ctx, a, "topcat-sender", "topcat", "aladin")
	anchor := in.Anchors[3] // two images (J, Ks) are centred here
	images := map[string]bool{}
	for _, im := range in.Images {
		if im.RA == anchor.RA && im.Dec == anchor.Dec {
			images[im.AccessURL] = true
		}
	}
	if len(images) == 0 {
		t.Fatal("test data: no image at the anchor")
	}
	file := writePositions(t, dir, "targets.vot", []agent.Position{{RA: 1, Dec: 1}, {RA: anchor.RA, Dec: anchor.Dec}})
	for _, m := range []connection.Message{
		connection.NewMessage(MTypeLoadVOTable, map[string]any{"url": profile.FileURL(file), "table-id": "targets"}),
		connection.NewMessage(MTypeHighlightRow, map[string]any{"table-id": "targets", "url": profile.FileURL(file), "row": "1"}),
	} {
		if r := call(m.MType, m.Params); !r.IsOK() {
			t.Fatalf("%s: %+v", m.MType, r)
		}
	}

	pointed, loaded := false, 0
	for !pointed || loaded < len(cfg.Images) {
		var p map[string]any
		select {
		case p = <-aladin:
		case <-time.After(60 * time.Second):
			t.Fatalf("Aladin: pointed %v, %d of %d images; log:\n%s", pointed, loaded, len(cfg.Images), logs.String())
		}
		switch p["mtype"] {
		case "coord.pointAt.sky":
			pointed = true
			ra, err1 := strconv.ParseFloat(p["ra"].(string), 64)
			dec, err2 := strconv.ParseFloat(p["dec"].(string), 64)
			if err1 != nil || err2 != nil || math.Abs(ra-anchor.RA) > 1e-9 || math.Abs(dec-anchor.Dec) > 1e-9 {
				t.Errorf("Aladin pointed at %v, want %v, %v", p, anchor.RA, anchor.Dec)
			}
		case "image.load.fits":
			loaded++
			id, _ := p["image-id"].(string)
			u, err := url.Parse(p["url"].(string))
			if !images[id] || err != nil || u.Scheme != "file" {
				t.Errorf("image %v is not a file URL of one of those at the anchor %v", p, images)
				continue
			}
			if b, err := os.ReadFile(u.Path); err != nil || !bytes.HasPrefix(b, []byte("SIMPLE  =                    T")) {
				t.Errorf("image %s is not a FITS file: %v", u.Path, err)
			}
		}
	}
	want := map[string]int{
		"2MASS":   len(synth.CatalogByName(twomass.Name).Cone(anchor.RA, anchor.Dec, 90.0/3600)),
		"AllWISE": len(synth.CatalogByName(allwise.Name).Cone(anchor.RA, anchor.Dec, 45.0/3600)),
	}
	for name, n := range want {
		if n == 0 {
			t.Fatalf("test data: no %s source near the anchor", name)
		}
	}
	for len(want) > 0 {
		var p map[string]any
		select {
		case p = <-tables:
		case <-time.After(90 * time.Second):
			t.Fatalf("no table from %v; log:\n%s", want, logs.String())
		}
		name, _ := p["name"].(string)
		cat, _, _ := strings.Cut(name, " ")
		n, ok := want[cat]
		if !ok {
			t.Errorf("unexpected table %v", p)
			continue
		}
		delete(want, cat)
		u, err := url.Parse(p["url"].(string))
		if err != nil || u.Scheme != "file" {
			t.Fatalf("table url %v: %v", p["url"], err)
		}
		doc, err := votable.ReadFile(u.Path)
		if err != nil {
			t.Fatalf("%s: %v", cat, err)
		}
		tab := doc.Tables()[0]
		if tab.Rows() != n {
			t.Errorf("%s: %d rows, want %d", cat, tab.Rows(), n)
		}
		t.Logf("%s: %d rows (%s)", cat, tab.Rows(), name)
		// The agent keeps the result, so that a row highlighted in it is found.
		if got, err := a.Tables().Find(p["table-id"].(string), ""); err != nil || got.Data.Rows() != n {
			t.Errorf("%s: not in the table store: %v", cat, err)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(logs.String(), "vicinity search done") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	l := logs.String()
	if !strings.Contains(l, "4 of 5 services answered") || !strings.Contains(l, "Gone") {
		t.Errorf("the summary does not name the dead catalogue:\n%s", l)
	}
	for _, line := range strings.Split(l, "\n") {
		if strings.Contains(line, "vicinity") {
			t.Log(line)
		}
	}
}

// ownHubAgent runs an agent with cfg (validated) on its own hub, found
// through a private lockfile, and returns it with its log.
func ownHubAgent(t *testing.T, ctx context.Context, cfg config.Config) (*agent.Agent, *syncbuf.Buffer) {
	t.Helper()
	t.Setenv("SAMP_HUB", "std-lockurl:"+profile.FileURL(filepath.Join(t.TempDir(), "lock.samp")))
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	logs := new(syncbuf.Buffer)
	a := agent.New(cfg, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	Register(a)
	run(t, ctx, a.Run)
	if err := a.WaitConnected(ctx, 60*time.Second); err != nil {
		t.Fatalf("agent did not register with its own hub: %v", err)
	}
	return a, logs
}

// sampSender registers a client named name on the agent's hub, waits until
// it sees the agent and the agent sees it and every client in seen, and
// returns a function calling the agent (each call must succeed at the SAMP
// level; the response may be samp.error).
func sampSender(t *testing.T, ctx context.Context, a *agent.Agent, name string, seen ...string) func(mtype string, params map[string]any) connection.Response {
	t.Helper()
	sender := connector.New(connector.Options{Metadata: map[string]any{"samp.name": name}})
	run(t, ctx, sender.Run)
	wctx, wcancel := context.WithTimeout(ctx, 60*time.Second)
	defer wcancel()
	if err := sender.WaitConnected(wctx); err != nil {
		t.Fatal(err)
	}
	conntest.Eventually(t, "the clients to see each other", func() bool {
		for _, n := range append(seen, name) {
			if len(a.Connector().FindClients(n)) == 0 {
				return false
			}
		}
		return len(sender.FindClients("voagent")) > 0
	})
	agentID := sender.FindClients("voagent")[0].ID
	return func(mtype string, params map[string]any) connection.Response {
		t.Helper()
		cctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		resp, err := sender.Call(cctx, agentID, connection.NewMessage(mtype, params))
		if err != nil {
			t.Fatalf("%s: %v", mtype, err)
		}
		return resp
	}
}

// TestSilentAladinDelaysNothing: an Aladin that does not answer
// coord.pointAt.sky never holds back the tables for TOPCAT.
func TestSilentAladinDelaysNothing(t *testing.T) {
	in := testbed.Require(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := config.Default()
	cfg.SAMP.CallTimeout = config.Duration{Duration: 5 * time.Minute}
	cfg.Catalogs = []config.Catalog{{Name: "2MASS", Kind: "scs", URL: in.Catalogs[0].SCS}}
	a, _ := ownHubAgent(t, ctx, cfg)
	tables := samppeer.Receiver(t, "topcat", "table.load.votable")
	release := make(chan struct{})
	asked := make(chan struct{}, 1)
	aladin := connector.New(connector.Options{Metadata: map[string]any{"samp.name": "aladin"}})
	aladin.HandleFunc("coord.pointAt.sky", func(context.Context, *connector.Request) (map[string]any, error) {
		asked <- struct{}{}
		<-release
		return nil, nil
	})
	run(t, ctx, aladin.Run)
	conntest.Eventually(t, "the agent to see TOPCAT and Aladin", func() bool {
		return len(a.Connector().FindClients("topcat")) > 0 && len(a.Connector().FindClients("aladin")) > 0
	})
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.Vicinity(ctx, api.VicinityRequest{Position: &api.Position{RA: in.Anchors[0].RA, Dec: in.Anchors[0].Dec}, Send: true}, "test")
	}()
	<-asked
	select {
	case <-tables: // arrived while Aladin still has not answered
	case <-time.After(2 * time.Minute):
		t.Fatal("the table waited for Aladin")
	}
	close(release)
	<-done
}
