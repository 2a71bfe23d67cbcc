package agent

import (
	"context"
	"slices"
	"testing"

	"github.com/voagent/voagent/config"
)

// TestStatusSelection: the last selection a tool sent is in the status
// (the tray's "spectra for the last selection"), whatever spectra.on_select
// says, and goes when its table goes.
func TestStatusSelection(t *testing.T) {
	cfg := config.Default()
	cfg.Catalogs, cfg.Images = nil, nil
	cfg.Spectra.OnSelect = false
	a := New(cfg, nil)
	if err := a.KeepResultsIn(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	if a.Status().Selection != nil {
		t.Fatal("a selection before any was made")
	}
	a.hold(&Table{ID: "t1", Data: scalarTable([]string{"flux"}, []float64{1, 2, 3})})
	if err := a.Select(context.Background(), TableRef{ID: "t1"}, []int{0, 2}); err != nil {
		t.Fatal(err)
	}
	sel := a.Status().Selection
	if sel == nil || sel.TableID != "t1" || !slices.Equal(sel.Rows, []int{0, 2}) {
		t.Fatalf("status selection %+v, want rows 0 and 2 of t1", sel)
	}
	a.tables.AddHolder("t1", "c9")
	a.tables.Release("c9")
	if sel := a.Status().Selection; sel != nil {
		t.Errorf("selection %+v still reported after its table went", sel)
	}
}
