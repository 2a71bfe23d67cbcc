package handlers

import (
	"context"
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
