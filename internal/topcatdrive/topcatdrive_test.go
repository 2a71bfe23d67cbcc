package topcatdrive

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/voagent/voagent/samp/connection/conntest"
	"github.com/voagent/voagent/vo/votable"
)

// TestHighlightByClick: a row clicked in TOPCAT's Table Browser comes out of
// TOPCAT as table.highlight.row with the table's id and the row's index,
// and TOPCAT's own answers tell how many rows a loaded table has.
func TestHighlightByClick(t *testing.T) {
	if testing.Short() {
		t.Skip("starts TOPCAT")
	}
	env := conntest.NewEnv(t)
	env.JSAMPHub(t)
	tc := Start(t, env)

	f := &votable.Field{Name: "x", Datatype: votable.Int}
	col := votable.NewScalar[int32](f)
	for i := int32(0); i < 4; i++ {
		col.Append(i*10, false)
	}
	path := filepath.Join(env.Dir, "t.vot")
	w, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := votable.WriteTable(w, &votable.Table{Name: "t", Fields: []*votable.Field{f}, Columns: []votable.Column{col}}, votable.TableData); err != nil {
		t.Fatal(err)
	}
	w.Close()

	tab := tc.Load(t, path, "drive-t", "four rows")
	// The last, 3 again: a click on the row already selected sends
	// nothing, and Highlight's retry (ctrl+click, then click) must still
	// bring row 3's highlight, and no other row's.
	for _, row := range []int{2, 0, 3, 3} {
		p := tc.Highlight(t, tab, row)
		if p["table-id"] != "drive-t" {
			t.Errorf("row %d: TOPCAT sent %v, want table-id drive-t", row, p)
		}
	}
	if err := tc.HasRows(t, "drive-t", 4); err != nil {
		t.Error(err)
	}
	if err := tc.HasRows(t, "drive-t", 3); err == nil {
		t.Error("HasRows(3) passed for a 4-row table")
	}
	if err := tc.HasRows(t, "no-such-table", 1); err == nil {
		t.Error("HasRows passed for a table TOPCAT does not have")
	}
}
