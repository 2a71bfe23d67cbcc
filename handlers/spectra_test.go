package handlers

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/agent"
	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/internal/samppeer"
	"github.com/voagent/voagent/internal/testbed"
	"github.com/voagent/voagent/internal/testbed/synth"
	"github.com/voagent/voagent/samp/connection/conntest"
	"github.com/voagent/voagent/samp/profile"
)

// TestSelectedRowsSpectra: rows selected in "TOPCAT" (table.select.rowList)
// make the agent look up their spectra in the ObsCore services of the
// testbed's registry and send each to the client registered as "splat".
func TestSelectedRowsSpectra(t *testing.T) {
	in := testbed.Require(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := config.Default()
	cfg.Spectra = config.Spectra{OnSelect: true, Registry: in.RegTAP, RadiusArcsec: 60, SendTo: "splat", MaxRows: 10}
	a, logs := ownHubAgent(t, ctx, cfg)
	splat := samppeer.Receiver(t, "splat", "spectrum.load.ssa-generic")
	call := sampSender(t, ctx, a, "topcat", "splat")
	dir := t.TempDir()
	rows := []agent.Position{{RA: in.Anchors[0].RA, Dec: in.Anchors[0].Dec}, {RA: 10, Dec: -60}, {RA: in.Anchors[3].RA, Dec: in.Anchors[3].Dec}}
	file := writePositions(t, dir, "targets.vot", rows)
	if r := call(MTypeLoadVOTable, map[string]any{"url": profile.FileURL(file), "table-id": "targets"}); !r.IsOK() {
		t.Fatalf("load: %+v", r)
	}
	if r := call(MTypeSelectRows, map[string]any{"table-id": "targets", "row-list": []any{"0", "9"}}); r.IsOK() || !strings.Contains(r.Error.ErrorTxt, `9 is not a row`) {
		t.Errorf("bad row-list: %+v", r)
	}
	if r := call(MTypeSelectRows, map[string]any{"table-id": "targets", "row-list": []any{"0", "2"}}); !r.IsOK() {
		t.Fatalf("select: %+v", r)
	}
	want := map[string]bool{}
	for _, s := range in.Spectra {
		for _, p := range []agent.Position{rows[0], rows[2]} {
			if synth.Sep(p.RA, p.Dec, s.RA, s.Dec) < 60.0/3600 {
				want[s.AccessURL] = true
			}
		}
	}
	for n := len(want); n > 0; n-- {
		select {
		case p := <-splat:
			u, _ := p["url"].(string)
			if !want[u] {
				t.Errorf("unexpected spectrum %v", p)
			}
			delete(want, u)
		case <-time.After(60 * time.Second):
			t.Fatalf("spectra not received: %v\n%s", want, logs.String())
		}
	}
	conntest.Eventually(t, "the spectra search to end", func() bool { return strings.Contains(logs.String(), "spectra search done") })
	select {
	case p := <-splat:
		t.Errorf("one spectrum too many: %v", p)
	default:
	}

	// A selection in a table the agent never received (TOPCAT's table
	// after an agent restart) is resolved from its url, as a highlight is.
	if r := call(MTypeSelectRows, map[string]any{"table-id": "sent-before-restart", "url": profile.FileURL(file),
		"row-list": []any{"2"}}); !r.IsOK() {
		t.Fatalf("select in a table never sent to the agent: %+v", r)
	}
	got := 0
	for _, sp := range in.Spectra {
		if synth.Sep(rows[2].RA, rows[2].Dec, sp.RA, sp.Dec) < 60.0/3600 {
			got++
		}
	}
	if got == 0 {
		t.Fatal("test data: no spectrum near row 2")
	}
	for ; got > 0; got-- {
		select {
		case <-splat:
		case <-time.After(60 * time.Second):
			t.Fatalf("%d spectra of the selection not received\n%s", got, logs.String())
		}
	}
}

// TestSpectraOnLoad: with spectra.on_load, a table sent to voagent makes
// it send "splat" the spectra near every row (at most spectra.max_rows
// rows: the third row, near an anchor with spectra, is beyond it and
// brings none).
func TestSpectraOnLoad(t *testing.T) {
	in := testbed.Require(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := config.Default()
	cfg.Spectra = config.Spectra{OnLoad: true, Registry: in.RegTAP, RadiusArcsec: 60, SendTo: "splat", MaxRows: 2}
	a, logs := ownHubAgent(t, ctx, cfg)
	splat := samppeer.Receiver(t, "splat", "spectrum.load.ssa-generic")
	call := sampSender(t, ctx, a, "topcat", "splat")
	rows := []agent.Position{{RA: in.Anchors[0].RA, Dec: in.Anchors[0].Dec}, {RA: 10, Dec: -60}, {RA: in.Anchors[3].RA, Dec: in.Anchors[3].Dec}}
	want := map[string]bool{}
	beyond := 0
	for _, s := range in.Spectra {
		if synth.Sep(rows[0].RA, rows[0].Dec, s.RA, s.Dec) < 60.0/3600 {
			want[s.AccessURL] = true
		}
		if synth.Sep(rows[2].RA, rows[2].Dec, s.RA, s.Dec) < 60.0/3600 {
			beyond++
		}
	}
	if len(want) == 0 || beyond == 0 {
		t.Fatalf("test data: %d spectra near row 1, %d near row 3", len(want), beyond)
	}
	file := writePositions(t, t.TempDir(), "targets.vot", rows)
	if r := call(MTypeLoadVOTable, map[string]any{"url": profile.FileURL(file), "table-id": "targets"}); !r.IsOK() {
		t.Fatalf("load: %+v", r)
	}
	for n := len(want); n > 0; n-- {
		select {
		case p := <-splat:
			u, _ := p["url"].(string)
			if !want[u] {
				t.Errorf("unexpected spectrum %v", p)
			}
			delete(want, u)
		case <-time.After(60 * time.Second):
			t.Fatalf("spectra not received: %v\n%s", want, logs.String())
		}
	}
	conntest.Eventually(t, "the spectra search to end", func() bool { return strings.Contains(logs.String(), "spectra search done") })
	select {
	case p := <-splat:
		t.Errorf("one spectrum too many: %v", p)
	default:
	}
}

// TestSpectraDataLinkToSPLAT: an SSA service whose access URLs are DataLink
// documents (the testbed's serve files directly, so a local server plays
// the registry, the SSA service and the links service with recordings of
// the testbed's answers, the access URL turned into a links URL) gets its
// spectrum to "splat" as the #this link, the FITS file on the testbed, not
// as the links document.
func TestSpectraDataLinkToSPLAT(t *testing.T) {
	in := testbed.Require(t)
	files := map[string]string{"/tap/sync": "testdata/regtap-ssa.vot", "/ssa": "testdata/ssa-spec01-datalink.vot",
		"/dlmeta": "../agent/testdata/datalink-spec01.vot"}
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		b, err := os.ReadFile(name)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/x-votable+xml")
		w.Write(bytes.ReplaceAll(b, []byte("http://LOCAL"), []byte(srv.URL)))
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := config.Default()
	cfg.Spectra = config.Spectra{OnLoad: true, Registry: srv.URL + "/tap", RadiusArcsec: 10, SendTo: "splat", MaxRows: 10}
	a, logs := ownHubAgent(t, ctx, cfg)
	splat := samppeer.Receiver(t, "splat", "spectrum.load.ssa-generic")
	call := sampSender(t, ctx, a, "topcat", "splat")
	anchor := in.Anchors[0]
	file := writePositions(t, t.TempDir(), "targets.vot", []agent.Position{{RA: anchor.RA, Dec: anchor.Dec}})
	if r := call(MTypeLoadVOTable, map[string]any{"url": profile.FileURL(file), "table-id": "targets"}); !r.IsOK() {
		t.Fatalf("load: %+v", r)
	}
	const this = "http://127.0.0.1:8080/getproduct/spectra/data/spec01.fits"
	select {
	case p := <-splat:
		meta, _ := p["meta"].(map[string]any)
		if p["url"] != this || meta["Access.Reference"] != this || meta["Access.Format"] != "application/fits" {
			t.Errorf("splat got %v, want the #this link %s", p, this)
		}
	case <-time.After(time.Minute):
		t.Fatalf("no spectrum for splat; log:\n%s", logs.String())
	}
	resp, err := http.Get(this)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	head := make([]byte, 9)
	if _, err := io.ReadFull(resp.Body, head); err != nil || string(head) != "SIMPLE  =" {
		t.Errorf("%s is not a FITS file: %q %v", this, head, err)
	}
}
