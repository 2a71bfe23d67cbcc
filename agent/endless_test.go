package agent

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/voagent/voagent/config"
)

// endlessCatalogue ignores MAXREC and sends rows until the client goes
// away; each row carries a cell of cell bytes.
func endlessCatalogue(t *testing.T, cell int, sent *atomic.Int64) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-votable+xml")
		io.WriteString(w, `<VOTABLE version="1.4"><RESOURCE type="results"><INFO name="QUERY_STATUS" value="OK"/><TABLE>`+
			`<FIELD name="id" datatype="long" ucd="meta.id;meta.main"/><FIELD name="ra" datatype="double" ucd="pos.eq.ra;meta.main"/>`+
			`<FIELD name="dec" datatype="double" ucd="pos.eq.dec;meta.main"/><FIELD name="note" datatype="char" arraysize="*"/><DATA><TABLEDATA>`)
		pad := strings.Repeat("x", cell)
		for i := int64(0); r.Context().Err() == nil; i++ {
			if _, err := fmt.Fprintf(w, "<TR><TD>%d</TD><TD>10.0</TD><TD>20.0</TD><TD>%s</TD></TR>\n", i, pad); err != nil {
				return
			}
			sent.Store(i + 1)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestVicinityEndlessCatalogue: a catalogue that ignores MAXREC costs the
// rows asked for (the result marked truncated), and an answer of huge rows
// stops at search.max_answer_mb with a clear error.
func TestVicinityEndlessCatalogue(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	var sent, sentWide atomic.Int64
	cfg := config.Default()
	cfg.Search.Timeout = config.Duration{Duration: 60 * time.Second}
	cfg.Vicinity.MaxRec = 500
	cfg.Search.MaxAnswerMB = 1
	cfg.Catalogs = []config.Catalog{
		{Name: "endless", Kind: "scs", URL: endlessCatalogue(t, 10, &sent)},
		{Name: "wide", Kind: "scs", URL: endlessCatalogue(t, 100_000, &sentWide)},
	}
	a := New(cfg, nil)
	if err := a.KeepResultsIn(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	found := map[string]Found{}
	sum, err := a.FindVicinity(context.Background(), Position{RA: 10, Dec: 20}, VicinityOptions{}, func(_ context.Context, f Found) {
		found[f.Catalog] = f
	})
	if err != nil {
		t.Fatal(err)
	}
	f, ok := found["endless"]
	if !ok || f.Err != nil || f.Table == nil {
		t.Fatalf("endless: %+v", f)
	}
	if rows := f.Table.Data.Rows(); rows != 500 {
		t.Errorf("endless: %d rows kept, want the 500 asked for", rows)
	}
	if f.Truncation == nil || f.Truncation.Rows != 500 {
		t.Errorf("endless: truncation %+v, want 500 rows, truncated", f.Truncation)
	}
	var failed error
	for _, fl := range sum.Failures {
		if fl.Name == "wide" {
			failed = fl.Err
		}
	}
	if failed == nil || !strings.Contains(failed.Error(), "search.max_answer_mb") {
		t.Errorf("wide rows: %v, want the 1 MB answer limit", failed)
	} else {
		t.Logf("wide rows: %v", failed)
	}
	t.Logf("endless sent %d rows before the agent stopped reading; wide sent %d rows", sent.Load(), sentWide.Load())
}
