package agent

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/internal/faultsvc"
)

func TestTablesFindAndEvict(t *testing.T) {
	s := NewTables(2, 0)
	s.Put(&Table{ID: "a", URL: "file:/a.vot"})
	s.Put(&Table{ID: "b", URL: "file:/b.vot"})
	if got, err := s.Find("", "file:/a.vot"); err != nil || got.ID != "a" {
		t.Fatalf("by url: %v %v", got, err)
	}
	if ev := s.Put(&Table{ID: "c", URL: "file:/c.vot"}); len(ev) != 1 || ev[0].ID != "a" {
		t.Fatalf("evicted %v, want a", ev)
	}
	if _, err := s.Find("a", ""); err == nil {
		t.Fatal("oldest table not evicted")
	}
	if got, err := s.Find("b", "file:/other"); err != nil || got.ID != "b" {
		t.Fatalf("by id: %v %v", got, err)
	}
	s.Put(&Table{ID: "b", URL: "file:/b2.vot"}) // replaced: now the newest
	if _, err := s.Find("", "file:/b.vot"); err == nil {
		t.Fatal("replaced table still found by its old url")
	}
	if ev := s.Put(&Table{ID: "d"}); len(ev) != 1 || ev[0].ID != "c" {
		t.Fatalf("evicted %v, want c (b was replaced, so newer)", ev)
	}
	if s.Len() != 2 {
		t.Fatalf("len %d", s.Len())
	}
}

// The store is bounded by bytes too; a table larger than the bound stays
// alone rather than not at all.
func TestTablesByteBound(t *testing.T) {
	tests := []struct {
		sizes []int64
		max   int64
		kept  []string
	}{
		{[]int64{10, 10, 10}, 25, []string{"t1", "t2"}},
		{[]int64{10, 10, 30}, 25, []string{"t2"}},
		{[]int64{5, 5, 5}, 100, []string{"t0", "t1", "t2"}},
		{[]int64{50, 1}, 40, []string{"t1"}},
	}
	for _, tc := range tests {
		s := NewTables(100, tc.max)
		for i, b := range tc.sizes {
			s.Put(&Table{ID: fmt.Sprintf("t%d", i), Bytes: b})
		}
		var kept []string
		for _, tab := range s.All() {
			kept = append(kept, tab.ID)
		}
		if fmt.Sprint(kept) != fmt.Sprint(tc.kept) {
			t.Errorf("sizes %v, bound %d: kept %v, want %v", tc.sizes, tc.max, kept, tc.kept)
		}
		var sum int64
		for _, tab := range s.All() {
			sum += tab.Bytes
		}
		if s.Bytes() != sum {
			t.Errorf("Bytes() %d, held %d", s.Bytes(), sum)
		}
	}
}

// The agent's store bound applies to its own results: the file of a result
// table pushed out of the store is removed, so the results directory stays
// bounded too.
func TestResultFilesFollowTheStore(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	fs := faultsvc.New(t)
	cfg := config.Default()
	cfg.Results.MaxTables = 2
	cfg.Catalogs = []config.Catalog{{Name: "cat", Kind: "scs", URL: fs.URLOf("/ok?rows=3")}}
	a := New(cfg, nil)
	defer a.shutdown(nil)
	for i := range 5 {
		if _, err := a.Vicinity(context.Background(), vicinityAt(10+float64(i), 20), "test"); err != nil {
			t.Fatal(err)
		}
	}
	files, err := os.ReadDir(a.ResultsDir())
	if err != nil || len(files) != 2 || a.Tables().Len() != 2 {
		t.Fatalf("%d result files, %d tables held after 5 searches with max_tables 2 (%v)", len(files), a.Tables().Len(), err)
	}
	for _, tab := range a.Tables().All() {
		if _, err := os.Stat(filePath(tab.URL)); err != nil {
			t.Errorf("held table %s lost its file: %v", tab.ID, err)
		}
	}
}
