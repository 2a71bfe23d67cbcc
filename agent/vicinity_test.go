package agent

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/internal/faultsvc"
	"github.com/voagent/voagent/vo/fanout"
)

func TestConeADQL(t *testing.T) {
	tests := []struct {
		cat  config.Catalog
		want string
	}{
		{config.Catalog{Table: "allwise.source"},
			"SELECT TOP 50 * FROM allwise.source WHERE 1=CONTAINS(POINT('ICRS', ra, dec), CIRCLE('ICRS', 10.5, (-30), 0.01))"},
		{config.Catalog{Table: "gaia.dr3", RA: "RA_ICRS", Dec: "DE_ICRS"},
			"SELECT TOP 50 * FROM gaia.dr3 WHERE 1=CONTAINS(POINT('ICRS', RA_ICRS, DE_ICRS), CIRCLE('ICRS', 10.5, (-30), 0.01))"},
		// Names from the configuration are quoted, never pasted in.
		{config.Catalog{Table: "t; DROP TABLE x", RA: "ra) OR (1=1"},
			`SELECT TOP 50 * FROM "t; DROP TABLE x" WHERE 1=CONTAINS(POINT('ICRS', "ra) OR (1=1", dec), CIRCLE('ICRS', 10.5, (-30), 0.01))`},
	}
	for _, tc := range tests {
		got, err := coneADQL(tc.cat, Position{RA: 10.5, Dec: -30}, 0.01, 50)
		if err != nil || got != tc.want {
			t.Errorf("%+v:\n got %s, %v\nwant %s", tc.cat, got, err, tc.want)
		}
	}
	if _, err := coneADQL(config.Catalog{Table: ""}, Position{}, 0.01, 50); err == nil {
		t.Error("an empty table name was accepted")
	}
}

func TestResultFiles(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	var r results
	f, err := r.create("2MASS/../../etc passwd")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if strings.Count(f.Name(), "/") != strings.Count(r.dir, "/")+1 || !strings.HasSuffix(f.Name(), "-2MASS_.._.._etc_passwd.vot") {
		t.Errorf("result file %s escapes or misnames %s", f.Name(), r.dir)
	}
	for path, want := range map[string]os.FileMode{r.dir: 0o700 | os.ModeDir, f.Name(): 0o600} {
		if st, err := os.Stat(path); err != nil || st.Mode() != want {
			t.Errorf("%s: mode %v, want %v (%v)", path, st.Mode(), want, err)
		}
	}
	if err := r.remove(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(r.dir); !os.IsNotExist(err) {
		t.Errorf("result directory left behind: %v", err)
	}
}

// A new search cancels the one still running (a newer highlighted row
// supersedes the previous), and a broken catalogue never hides the answer
// of a good one.
func TestVicinitySupersededAndFaults(t *testing.T) {
	fs := faultsvc.New(t)
	cfg := config.Default()
	cfg.Search.Timeout = config.Duration{Duration: 30 * time.Second}
	cfg.Catalogs = []config.Catalog{
		{Name: "good", Kind: "scs", URL: fs.URLOf("/ok?rows=4")},
		{Name: "hangs", Kind: "scs", URL: fs.URLOf("/hang")},
		{Name: "error", Kind: "scs", URL: fs.URLOf("/scs-error-info?msg=SR+too+large")},
		{Name: "html", Kind: "scs", URL: fs.URLOf("/html")},
	}
	a := New(cfg, nil)
	if err := a.KeepResultsIn(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	type outcome struct {
		found []string
		err   error
		sum   fanout.Summary
	}
	var latest fanout.Latest // as Highlight runs its searches
	var failed atomic.Int32  // broken catalogues the first search has reported
	var good atomic.Int32    // good answers the first search has handed over
	first := make(chan outcome, 1)
	go func() {
		var o outcome
		ctx, done := latest.Begin(ctx)
		defer done()
		o.sum, o.err = a.FindVicinity(ctx, Position{RA: 10, Dec: 20}, VicinityOptions{}, func(_ context.Context, f Found) {
			if f.Err != nil {
				failed.Add(1)
				return
			}
			o.found = append(o.found, fmt.Sprintf("%s:%d", f.Catalog, f.Table.Data.Rows()))
			good.Add(1)
		})
		first <- o
	}()
	// Wait for the good answer (handed to the callback, not only stored:
	// the table is stored first), the two broken ones and for the hanging
	// service to be asked.
	deadline := time.Now().Add(20 * time.Second)
	for (fs.Count("/hang") == 0 || a.Tables().Len() == 0 || good.Load() == 0 || failed.Load() < 2) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	second := make(chan outcome, 1)
	sctx, scancel := context.WithCancel(ctx)
	go func() {
		var o outcome
		sctx, done := latest.Begin(sctx)
		defer done()
		o.sum, o.err = a.FindVicinity(sctx, Position{RA: 11, Dec: 21}, VicinityOptions{}, func(context.Context, Found) {})
		second <- o
	}()
	select {
	case o := <-first:
		if !errors.Is(o.err, fanout.ErrSuperseded) {
			t.Errorf("first search ended with %v, want superseded", o.err)
		}
		if len(o.found) != 1 || o.found[0] != "good:4" {
			t.Errorf("first search found %v, want [good:4]", o.found)
		}
		var names []string
		for _, f := range o.sum.Failures {
			names = append(names, f.Name)
		}
		if !strings.Contains(strings.Join(names, " "), "error") || !strings.Contains(strings.Join(names, " "), "html") {
			t.Errorf("failures %v lack the broken catalogues", o.sum)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the first search was not cancelled by the second")
	}
	scancel()
	if o := <-second; !errors.Is(o.err, context.Canceled) {
		t.Errorf("second search: %v", o.err)
	}
}
