package agent

import (
	"bytes"
	"context"
	"log/slog"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/internal/testbed"
	"github.com/voagent/voagent/internal/testbed/synth"
	"github.com/voagent/voagent/vo/votable"
)

// TestSEDAfterVicinity: a vicinity search at an anchor of the testbed over
// 2MASS (cone search), AllWISE (TAP) and SDSS (cone search) with
// sed.on_vicinity builds the anchor's SED from all three catalogues, each
// point the anchor's magnitude in its catalogue, keeps the SED table and
// writes its PNG plot, which the status lists.
func TestSEDAfterVicinity(t *testing.T) {
	in := testbed.Require(t)
	cfg := config.Default()
	cfg.Search.Timeout = config.Duration{Duration: time.Minute}
	cfg.SED.OnVicinity = true
	cfg.Catalogs = []config.Catalog{
		{Name: "2MASS", Kind: "scs", URL: in.Catalogs[0].SCS},
		{Name: "AllWISE", Kind: "tap", URL: in.TAP, Table: in.Catalogs[1].Table},
		{Name: "SDSS", Kind: "scs", URL: in.Catalogs[2].SCS},
	}
	logs := new(strings.Builder)
	a := New(cfg, slog.New(slog.NewTextHandler(logs, nil)))
	if err := a.KeepResultsIn(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	anchor := in.Anchors[0]
	sub := a.Events().Subscribe(256, "sed.built")
	defer sub.Close()
	rep := a.runVicinity(context.Background(), Position{RA: anchor.RA, Dec: anchor.Dec}, VicinityOptions{RadiusArcsec: 30}, true,
		trigger{name: "test", at: time.Now()})
	if rep.Search.Answered != 3 {
		t.Fatalf("vicinity: %+v", rep)
	}
	st := a.Status()
	if len(st.Plots) != 1 {
		t.Fatalf("status lists %d plots, want 1; log:\n%s", len(st.Plots), logs)
	}
	p := st.Plots[0]
	b, err := os.ReadFile(p.Plot)
	if err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) || !strings.HasPrefix(p.Plot, a.ResultsDir()) {
		t.Errorf("plot %s: %v", p.Plot, err)
	}
	select {
	case e := <-sub.C():
		if e.Path != p.Plot || e.Result != p.ID {
			t.Errorf("event %+v", e)
		}
	default:
		t.Error("no sed.built event")
	}
	held, err := a.Tables().Find(p.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	sedt := held.Data
	// Each point is the anchor's magnitude in its catalogue's column.
	cats := map[string]*synth.Catalog{"2MASS": in.Catalogs[0].Data, "AllWISE": in.Catalogs[1].Data, "SDSS": in.Catalogs[2].Data}
	seen := map[string]int{}
	ci, coli, magi := sedt.FieldByName("catalogue"), sedt.FieldByName("column"), sedt.FieldByName("mag")
	for i := range sedt.Rows() {
		catName, col := votable.CellText(sedt.Columns[ci], i), votable.CellText(sedt.Columns[coli], i)
		mag, _ := votable.Float64(sedt.Columns[magi], i)
		c := cats[catName]
		if c == nil {
			t.Errorf("point %d from unknown catalogue %q", i, catName)
			continue
		}
		row := -1
		for r, id := range c.TruthID {
			if id == anchor.TruthID {
				row = r
			}
		}
		k := c.ColumnIndex(col)
		if row < 0 || k < 0 {
			t.Errorf("point %d: %s column %q not found (row %d)", i, catName, col, row)
			continue
		}
		want, _ := c.Rows[row][k].(float64)
		if math.Abs(want-mag) > 1e-4 {
			t.Errorf("point %d: %s %s = %g, want %g", i, catName, col, mag, want)
		}
		seen[catName]++
	}
	if len(seen) != 3 {
		t.Errorf("SED points by catalogue %v, want all three", seen)
	}
	// The models fitted to these points are PARAMs of the table sent.
	params := map[string]string{}
	for _, p := range sedt.Params {
		params[p.Name] = p.Value
	}
	for _, name := range []string{"bb_temperature", "bb_scale", "pl_slope", "pl_norm"} {
		if v, err := strconv.ParseFloat(params[name], 64); err != nil || !(v == v) {
			t.Errorf("SED table PARAM %s = %q, want a number (PARAMs %v)", name, params[name], params)
		}
	}
	t.Logf("SED of anchor 1: %d points %v; plot %s", sedt.Rows(), seen, p.Plot)
}
