package handlers

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/voagent/voagent/agent"
	"github.com/voagent/voagent/agent/api"
	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/internal/faultsvc"
	"github.com/voagent/voagent/internal/samppeer"
	"github.com/voagent/voagent/internal/testbed"
	"github.com/voagent/voagent/internal/testbed/synth"
	"github.com/voagent/voagent/samp/connection"
	"github.com/voagent/voagent/samp/connection/conntest"
	"github.com/voagent/voagent/samp/connector"
	"github.com/voagent/voagent/samp/profile"
)

// silentAladin registers an "aladin" that records every coord.pointAt.sky
// and image.load.fits it is sent (on the returned channel, as it arrives)
// and answers none of them until release is closed (at the latest when the
// test ends).
func silentAladin(t *testing.T, ctx context.Context) (asked <-chan map[string]any, release func()) {
	t.Helper()
	got := make(chan map[string]any, 64)
	rel := make(chan struct{})
	var once sync.Once
	release = func() { once.Do(func() { close(rel) }) }
	t.Cleanup(release)
	c := connector.New(connector.Options{Metadata: map[string]any{"samp.name": "aladin"}})
	for _, mt := range []string{"coord.pointAt.sky", "image.load.fits"} {
		c.HandleFunc(mt, func(rctx context.Context, r *connector.Request) (map[string]any, error) {
			p := map[string]any{"mtype": mt}
			for k, v := range r.Message.Params {
				p[k] = v
			}
			got <- p
			select {
			case <-rel:
			case <-rctx.Done():
			}
			return nil, nil
		})
	}
	run(t, ctx, c.Run)
	return got, release
}

// TestSilentAladinHoldsNoTable: an Aladin that never answers
// image.load.fits (nor coord.pointAt.sky) holds back none of TOPCAT's
// tables, even those that arrive after the image; the search's report,
// which waits for its deliveries, then says where each result went.
func TestSilentAladinHoldsNoTable(t *testing.T) {
	in := testbed.Require(t)
	fs := faultsvc.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := config.Default()
	cfg.SAMP.CallTimeout = config.Duration{Duration: 5 * time.Minute}
	cfg.Search.Timeout = config.Duration{Duration: 2 * time.Minute}
	cfg.Catalogs = []config.Catalog{
		{Name: "2MASS", Kind: "scs", URL: in.Catalogs[0].SCS, RadiusArcsec: 90},
		// Answers after the image service (its lines come 100 ms apart).
		{Name: "late", Kind: "scs", URL: fs.URLOf("/slow?delay=100ms&rows=20")},
	}
	cfg.Images = []config.Catalog{{Name: "images-SIA1", Kind: "sia", URL: in.SIA1, RadiusArcsec: 5}}
	a, logs := ownHubAgent(t, ctx, cfg)
	tables := samppeer.Receiver(t, "topcat", "table.load.votable")
	aladin, release := silentAladin(t, ctx)
	conntest.Eventually(t, "the agent to see TOPCAT and Aladin", func() bool {
		return len(a.Connector().FindClients("topcat")) > 0 && len(a.Connector().FindClients("aladin")) > 0
	})
	anchor := in.Anchors[0]
	type outcome struct {
		reps []api.Report
		err  error
	}
	done := make(chan outcome, 1)
	go func() {
		reps, err := a.Vicinity(ctx, api.VicinityRequest{Position: &api.Position{RA: anchor.RA, Dec: anchor.Dec}, Send: true}, "test")
		done <- outcome{reps, err}
	}()
	want := map[string]bool{"2MASS": true, "late": true}
	for len(want) > 0 {
		select {
		case <-aladin: // not answered
		case p := <-tables:
			name, _ := p["name"].(string)
			for cat := range want {
				if len(name) > len(cat) && name[:len(cat)+1] == cat+" " {
					delete(want, cat)
				}
			}
		case o := <-done:
			t.Fatalf("the search returned before Aladin answered: %+v %v", o.reps, o.err)
		case <-time.After(2 * time.Minute):
			t.Fatalf("tables %v still waited for while Aladin is silent; log:\n%s", want, logs.String())
		}
	}
	release()
	var o outcome
	select {
	case o = <-done:
	case <-time.After(2 * time.Minute):
		t.Fatal("the search did not return once Aladin answered")
	}
	if o.err != nil || len(o.reps) != 1 {
		t.Fatalf("report %+v, %v", o.reps, o.err)
	}
	sent := map[string][]string{}
	for _, r := range o.reps[0].Results {
		sent[r.Service] = r.SentTo
	}
	for svc, to := range map[string]string{"2MASS": "topcat", "late": "topcat", "images-SIA1": "aladin"} {
		if !slices.Equal(sent[svc], []string{to}) {
			t.Errorf("%s: report says sent to %v, want [%s] (report %+v)", svc, sent[svc], to, o.reps[0])
		}
	}
}

// TestSupersededDeliveriesDropped: while a silent Aladin holds the first
// highlighted row's coord.pointAt.sky, that search's image waits in
// Aladin's queue; a newer highlight supersedes it, so once Aladin answers
// it gets the newer row's image and never the older one's.
func TestSupersededDeliveriesDropped(t *testing.T) {
	in := testbed.Require(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := config.Default()
	cfg.SAMP.CallTimeout = config.Duration{Duration: 5 * time.Minute}
	cfg.Catalogs = nil // no public service
	cfg.Images = []config.Catalog{{Name: "images-SIA1", Kind: "sia", URL: in.SIA1, RadiusArcsec: 5}}
	a, logs := ownHubAgent(t, ctx, cfg)
	aladin, release := silentAladin(t, ctx)
	call := sampSender(t, ctx, a, "topcat-sender", "aladin")
	first, second := in.Anchors[0], in.Anchors[3] // images centred on both, far apart
	imagesAt := func(anchor synth.Anchor) map[string]bool {
		m := map[string]bool{}
		for _, im := range in.Images {
			if im.RA == anchor.RA && im.Dec == anchor.Dec {
				m[im.AccessURL] = true
			}
		}
		if len(m) == 0 {
			t.Fatalf("test data: no image at %+v", anchor)
		}
		return m
	}
	firstImages, secondImages := imagesAt(first), imagesAt(second)
	file := writePositions(t, t.TempDir(), "targets.vot", []agent.Position{{RA: first.RA, Dec: first.Dec}, {RA: second.RA, Dec: second.Dec}})
	sub := a.Events().Subscribe(64, "search.started", "search.finished", "result.not_sent")
	defer sub.Close()
	highlight := func(row string) {
		m := connection.NewMessage(MTypeHighlightRow, map[string]any{"table-id": "targets", "url": profile.FileURL(file), "row": row})
		if r := call(m.MType, m.Params); !r.IsOK() {
			t.Fatalf("highlight row %s: %+v", row, r)
		}
	}
	highlight("0")
	// The first search is over (its image queued behind the unanswered
	// coord.pointAt.sky) before the second row is highlighted.
	for finished := false; !finished; {
		select {
		case ev := <-sub.C():
			finished = ev.Type == "search.finished"
		case <-time.After(2 * time.Minute):
			t.Fatalf("the first search did not finish; log:\n%s", logs.String())
		}
	}
	select {
	case p := <-aladin:
		if p["mtype"] != "coord.pointAt.sky" {
			t.Fatalf("Aladin was first sent %v", p)
		}
	case <-time.After(time.Minute):
		t.Fatal("Aladin was not asked to point")
	}
	highlight("1")
	for started := false; !started; {
		select {
		case ev := <-sub.C():
			started = ev.Type == "search.started"
		case <-time.After(time.Minute):
			t.Fatal("the second search did not start")
		}
	}
	release()
	for got := false; !got; {
		select {
		case p := <-aladin:
			if p["mtype"] != "image.load.fits" {
				continue
			}
			id, _ := p["image-id"].(string)
			if firstImages[id] {
				t.Fatalf("Aladin got the superseded search's image %v; log:\n%s", p, logs.String())
			}
			got = secondImages[id]
		case <-time.After(2 * time.Minute):
			t.Fatalf("Aladin did not get the second row's image; log:\n%s", logs.String())
		}
	}
	// The dropped image is reported as not sent, with the reason.
	for {
		select {
		case ev := <-sub.C():
			if ev.Type == "result.not_sent" && ev.Error != "" {
				t.Logf("dropped: %s", ev.Error)
				return
			}
		case <-time.After(time.Minute):
			t.Fatal("no result.not_sent for the dropped image")
		}
	}
}
