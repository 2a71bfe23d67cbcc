package agent

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/agent/api"
	"github.com/voagent/voagent/agent/client"
	"github.com/voagent/voagent/agent/events"
	"github.com/voagent/voagent/config"
	"github.com/voagent/voagent/internal/peertest"
	"github.com/voagent/voagent/internal/samppeer"
	"github.com/voagent/voagent/internal/testbed"
	"github.com/voagent/voagent/samp/profile"
	"github.com/voagent/voagent/vo/dal"
	"github.com/voagent/voagent/vo/tap"
	"github.com/voagent/voagent/vo/votable"
	"github.com/voagent/voagent/vo/xmatch"
)

func TestUploadADQL(t *testing.T) {
	tests := []struct {
		cat  config.Catalog
		want string
	}{
		{config.Catalog{Table: "twomass.psc"},
			"SELECT c.* FROM twomass.psc AS c JOIN TAP_UPLOAD.xm_in AS u ON 1=CONTAINS(POINT('ICRS', c.ra, c.dec), CIRCLE('ICRS', u.xm_in_ra, u.xm_in_dec, 0.001))"},
		{config.Catalog{Table: "t; DROP TABLE x", RA: "ra) OR (1=1"},
			`SELECT c.* FROM "t; DROP TABLE x" AS c JOIN TAP_UPLOAD.xm_in AS u ON 1=CONTAINS(POINT('ICRS', c."ra) OR (1=1", c.dec), CIRCLE('ICRS', u.xm_in_ra, u.xm_in_dec, 0.001))`},
	}
	for _, tc := range tests {
		got, err := uploadADQL(tc.cat, 0.001)
		if err != nil || got != tc.want {
			t.Errorf("%+v:\n got %s, %v\nwant %s", tc.cat, got, err, tc.want)
		}
	}
}

// scalarTable is a table of float64 columns named as given.
func scalarTable(names []string, rows ...[]float64) *votable.Table {
	t := &votable.Table{}
	for i, n := range names {
		f := &votable.Field{Name: n, Datatype: votable.Double}
		c := votable.NewScalar[float64](f)
		for _, r := range rows {
			c.Append(r[i], math.IsNaN(r[i]))
		}
		t.Fields, t.Columns = append(t.Fields, f), append(t.Columns, c)
	}
	return t
}

func TestConcatTables(t *testing.T) {
	a := scalarTable([]string{"ra", "dec", "xm_in_ra"}, []float64{1, 2, 9})
	b := scalarTable([]string{"ra", "dec", "xm_in_ra"}, []float64{3, 4, 9}, []float64{5, 6, 9})
	got, err := concatTables([]*votable.Table{nil, a, nil, b}, "xm_in_")
	if err != nil {
		t.Fatal(err)
	}
	if got.Rows() != 3 || len(got.Fields) != 2 || votable.CellText(got.Columns[1], 2) != "6" {
		t.Errorf("concatenated: %d rows, %d fields", got.Rows(), len(got.Fields))
	}
	c := scalarTable([]string{"ra", "de"}, []float64{1, 2})
	if _, err := concatTables([]*votable.Table{scalarTable([]string{"ra", "dec"}, []float64{1, 2}), c}, ""); err == nil || !strings.Contains(err.Error(), `"de"`) {
		t.Errorf("different columns: %v", err)
	}
	if _, err := concatTables([]*votable.Table{nil}, ""); err == nil {
		t.Error("no answer was accepted")
	}
}

// The joined table keeps the user's names, suffixes clashing catalogue
// names, takes meta.main off the catalogue's UCDs, and has a null
// separation where there is no match.
func TestJoinedTable(t *testing.T) {
	a := scalarTable([]string{"ra", "dec"}, []float64{10, 20}, []float64{11, 21})
	a.Fields[0].UCD = "pos.eq.ra;meta.main"
	b := scalarTable([]string{"RA", "jmag"}, []float64{10.0001, 12.5})
	b.Fields[0].UCD = "pos.eq.ra;meta.main"
	out, err := joinedTable(a, b, "2MASS", []int32{0, 1}, []int32{0, -1}, []float64{0.36, math.NaN()})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range out.Fields {
		names = append(names, f.Name)
	}
	if got := strings.Join(names, " "); got != "ra dec RA_2MASS jmag sep_arcsec" {
		t.Errorf("names %q", got)
	}
	if out.Fields[2].UCD != "pos.eq.ra" || out.Fields[0].UCD != "pos.eq.ra;meta.main" {
		t.Errorf("UCDs %q, %q", out.Fields[0].UCD, out.Fields[2].UCD)
	}
	if out.Columns[4].Value(1) != nil || out.Columns[3].Value(1) != nil || votable.CellText(out.Columns[4], 0) != "0.36" {
		t.Errorf("row 2: %v %v", out.Columns[3].Value(1), out.Columns[4].Value(1))
	}
}

func TestCrossmatchRefusals(t *testing.T) {
	cfg := config.Default()
	cfg.Catalogs = []config.Catalog{{Name: "cat", Kind: "scs", URL: "http://127.0.0.1:1/scs"}}
	a := New(cfg, nil)
	ctx := context.Background()
	for _, tc := range []struct {
		req  api.CrossmatchRequest
		want string
	}{
		{api.CrossmatchRequest{Catalog: "nope"}, `no catalogue "nope" is configured (configured: cat)`},
		{api.CrossmatchRequest{Catalog: "cat", Radius: "2 parsec"}, "radius"},
		{api.CrossmatchRequest{Catalog: "cat", Radius: "3deg"}, "out of range"},
		{api.CrossmatchRequest{Catalog: "cat", Join: "1or2"}, `join "1or2"`},
		{api.CrossmatchRequest{Catalog: "cat"}, "no table has been sent"},
		{api.CrossmatchRequest{Catalog: "cat", TableID: "T9"}, `table-id="T9"`},
	} {
		_, err := a.Crossmatch(ctx, tc.req, "test")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.req, err, tc.want)
		}
	}
	// A table without positions.
	a.hold(&Table{ID: "nopos", Data: scalarTable([]string{"flux"}, []float64{1})})
	if _, err := a.Crossmatch(ctx, api.CrossmatchRequest{Catalog: "cat", TableID: "nopos"}, "test"); err == nil || !strings.Contains(err.Error(), "nopos") {
		t.Errorf("table without positions: %v", err)
	}
}

// A newer cross-match of the same table and catalogue cancels the older.
func TestCrossmatchSuperseded(t *testing.T) {
	in := testbed.Require(t)
	cfg := config.Default()
	c := in.Catalogs[0]
	cfg.Catalogs = []config.Catalog{{Name: "cones", Kind: "scs", URL: c.SCS}}
	cfg.Search.Concurrency = 1
	a := New(cfg, nil)
	a.hold(&Table{ID: "sample", Data: testbed.XmatchTable(2000)})
	first := make(chan error, 1)
	go func() {
		_, err := a.Crossmatch(context.Background(), api.CrossmatchRequest{TableID: "sample", Catalog: "cones"}, "test")
		first <- err
	}()
	sub := a.Events().Subscribe(64)
	defer sub.Close()
	for e := range sub.C() {
		if e.Type == "crossmatch.progress" && e.Done > 0 {
			break
		}
	}
	second := make(chan error, 1)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		_, err := a.Crossmatch(ctx, api.CrossmatchRequest{TableID: "sample", Catalog: "cones"}, "test")
		second <- err
	}()
	select {
	case err := <-first:
		if err == nil || !strings.Contains(err.Error(), "superseded") {
			t.Errorf("first cross-match: %v, want superseded", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the first cross-match was not cancelled by the second")
	}
	cancel()
	if err := <-second; !errors.Is(err, context.Canceled) {
		t.Errorf("second: %v", err)
	}
}

// reference is each sample row's best match in the whole catalogue, as
// 'voagent xmatch --find best --join all1' computes it: the catalogue's id
// and the separation (arcsec), "" and NaN where there is none.
type reference struct {
	ids  []string
	seps []float64
}

func wholeCatalogue(t *testing.T, in *testbed.Info, c testbed.Catalog) *votable.Table {
	t.Helper()
	svc := tap.New(in.TAP, dal.New(dal.Options{Timeout: time.Minute}), nil)
	doc, tr, err := svc.SyncFetch(context.Background(), &tap.Query{ADQL: "SELECT * FROM " + c.Table, HasMaxRec: true, MaxRec: 1000000})
	if err != nil || tr != nil {
		t.Fatalf("downloading %s: %v %v", c.Table, err, tr)
	}
	whole := doc.Tables()[0]
	if whole.Rows() != c.Rows {
		t.Fatalf("%s: %d rows downloaded, want %d", c.Table, whole.Rows(), c.Rows)
	}
	return whole
}

func xmatchReference(t *testing.T, sample, whole *votable.Table, idCol string, radius float64) reference {
	t.Helper()
	res, err := xmatch.MatchTables(context.Background(), sample, whole, xmatch.TableOptions{
		Options: xmatch.Options{Radius: radius, Find: xmatch.FindBest}, Join: xmatch.JoinAll1})
	if err != nil {
		t.Fatal(err)
	}
	out, err := res.Output.Table()
	if err != nil {
		t.Fatal(err)
	}
	ref := reference{ids: make([]string, sample.Rows()), seps: make([]float64, sample.Rows())}
	ic := out.Columns[out.FieldByName(idCol)]
	sc := out.Columns[out.FieldByName("Separation")]
	for i := range out.Rows() {
		ref.ids[i] = ""
		if ic.Value(i) != nil {
			ref.ids[i] = votable.CellText(ic, i)
		}
		ref.seps[i], _ = votable.Float64(sc, i)
		if sc.Value(i) == nil {
			ref.seps[i] = math.NaN()
		}
	}
	return ref
}

// compareResult checks the agent's joined table against the reference.
func compareResult(t *testing.T, got *votable.Table, ref reference, idCol string, tol float64) (matched int) {
	t.Helper()
	if got.Rows() != len(ref.ids) {
		t.Fatalf("%d rows, want %d (join all1)", got.Rows(), len(ref.ids))
	}
	ic, sc := got.FieldByName(idCol), got.FieldByName("sep_arcsec")
	if ic < 0 || sc < 0 {
		t.Fatalf("no %s or sep_arcsec column", idCol)
	}
	bad := 0
	for i := range got.Rows() {
		id := ""
		if got.Columns[ic].Value(i) != nil {
			id = votable.CellText(got.Columns[ic], i)
		}
		sep, ok := votable.Float64(got.Columns[sc], i)
		if !ok || got.Columns[sc].Value(i) == nil {
			sep = math.NaN()
		}
		same := id == ref.ids[i] && (math.IsNaN(sep) && math.IsNaN(ref.seps[i]) || math.Abs(sep-ref.seps[i]) < tol)
		if !same {
			if bad++; bad <= 5 {
				t.Errorf("row %d: %q at %g arcsec, want %q at %g", i+1, id, sep, ref.ids[i], ref.seps[i])
			}
		}
		if id != "" {
			matched++
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d rows differ", bad, got.Rows())
	}
	return matched
}

// TestCrossmatchTestbed matches the 2,000-row sample with the testbed's
// 2MASS, AllWISE and SDSS through TAP upload (in 4 chunks) and through
// one cone search per row, and checks each against 'voagent xmatch' (the
// same vo/xmatch code) on the catalogue downloaded whole.
func TestCrossmatchTestbed(t *testing.T) {
	in := testbed.Require(t)
	cfg := config.Default()
	cfg.Search.Timeout = config.Duration{Duration: 2 * time.Minute}
	cfg.Crossmatch.ChunkRows = 600
	cfg.Catalogs = nil
	for _, c := range in.Catalogs {
		cfg.Catalogs = append(cfg.Catalogs,
			config.Catalog{Name: c.Name + "-tap", Kind: "tap", URL: in.TAP, Table: c.Table},
			config.Catalog{Name: c.Name + "-scs", Kind: "scs", URL: c.SCS})
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	a := New(cfg, nil)
	if err := a.KeepResultsIn(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	sample := testbed.XmatchTable(2000)
	a.hold(&Table{ID: "sample", Name: "sample", Data: sample})
	const radius = 2.0 / 3600
	for _, c := range in.Catalogs {
		whole := wholeCatalogue(t, in, c)
		ref := xmatchReference(t, sample, whole, c.IDColumn, radius)
		for _, kind := range []string{"tap", "scs"} {
			t.Run(c.Name+"/"+kind, func(t *testing.T) {
				sub := a.Events().Subscribe(4096, "crossmatch.progress")
				defer sub.Close()
				rep, err := a.Crossmatch(context.Background(), api.CrossmatchRequest{TableID: "sample", Catalog: c.Name + "-" + kind, Radius: "2arcsec"}, "test")
				if err != nil {
					t.Fatal(err)
				}
				wantMethod := map[string]string{"tap": MethodTAPUpload, "scs": MethodCone}[kind]
				if rep.Method != wantMethod || rep.InputRows != 2000 || rep.Positions != 2000 || rep.FailedRows != 0 {
					t.Errorf("report: %+v", rep)
				}
				if kind == "tap" && rep.Chunks != 4 {
					t.Errorf("%d chunks, want 4", rep.Chunks)
				}
				got, err := votable.ReadTableFile(context.Background(), rep.Result.Path)
				if err != nil {
					t.Fatal(err)
				}
				matched := compareResult(t, got, ref, c.IDColumn, 1e-6)
				if matched != rep.Matched || matched < 1000 {
					t.Errorf("matched %d, report says %d", matched, rep.Matched)
				}
				// Progress: rows done of 2000, ending at 2000.
				last := 0
				for done := false; !done; {
					select {
					case e := <-sub.C():
						if e.Total != 2000 || e.Done < last {
							t.Errorf("progress %d of %d after %d", e.Done, e.Total, last)
						}
						last = e.Done
					default:
						done = true
					}
				}
				if last != 2000 {
					t.Errorf("last progress %d, want 2000", last)
				}
				if held, err := a.Tables().Find(rep.Result.ID, ""); err != nil || held.Data.Rows() != 2000 {
					t.Errorf("result not held: %v", err)
				}
				t.Logf("%s: %d of 2000 matched (%s, %d chunks) in %s", c.Name, matched, rep.Method, rep.Chunks, rep.Search.Elapsed)
			})
		}
	}
}

// TestCrossmatchSTILTS checks the agent's match through TAP upload against
// STILTS tmatch2 (find=best1 join=all1) on the catalogue downloaded whole.
func TestCrossmatchSTILTS(t *testing.T) {
	in := testbed.Require(t)
	stilts := peertest.Command(t, "stilts")
	cfg := config.Default()
	cfg.Search.Timeout = config.Duration{Duration: 2 * time.Minute}
	cfg.Catalogs = nil
	for _, c := range in.Catalogs {
		cfg.Catalogs = append(cfg.Catalogs, config.Catalog{Name: c.Name, Kind: "tap", URL: in.TAP, Table: c.Table})
	}
	a := New(cfg, nil)
	dir := t.TempDir()
	if err := a.KeepResultsIn(dir); err != nil {
		t.Fatal(err)
	}
	sample := testbed.XmatchTable(2000)
	a.hold(&Table{ID: "sample", Data: sample})
	samplePath := filepath.Join(dir, "sample.vot")
	if err := votable.CreateFile(samplePath, func(w io.Writer) error { return votable.WriteTable(w, sample, votable.TableData) }); err != nil {
		t.Fatal(err)
	}
	for _, c := range in.Catalogs {
		t.Run(c.Name, func(t *testing.T) {
			whole := wholeCatalogue(t, in, c)
			wholePath := filepath.Join(dir, c.Name+".vot")
			if err := votable.CreateFile(wholePath, func(w io.Writer) error { return votable.WriteTable(w, whole, votable.Binary2) }); err != nil {
				t.Fatal(err)
			}
			outPath := filepath.Join(dir, c.Name+"-stilts.csv")
			cmd := exec.Command(stilts, "tmatch2", "in1="+samplePath, "in2="+wholePath, "matcher=sky", "params=2",
				"values1=ra dec", "values2=ra dec", "find=best1", "join=all1", "ofmt=csv", "out="+outPath)
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("stilts: %v\n%s", err, b)
			}
			ref := stiltsReference(t, outPath, c.IDColumn, sample.Rows())
			rep, err := a.Crossmatch(context.Background(), api.CrossmatchRequest{TableID: "sample", Catalog: c.Name, Radius: "2arcsec"}, "test")
			if err != nil {
				t.Fatal(err)
			}
			got, err := votable.ReadTableFile(context.Background(), rep.Result.Path)
			if err != nil {
				t.Fatal(err)
			}
			// STILTS writes the separation with about 7 significant digits.
			matched := compareResult(t, got, ref, c.IDColumn, 1e-4)
			t.Logf("%s: %d of 2000 matched, as STILTS", c.Name, matched)
		})
	}
}

// stiltsReference reads tmatch2's CSV (sample columns, catalogue columns
// with _1/_2 suffixes on clashes, then Separation) into a reference.
func stiltsReference(t *testing.T, path, idCol string, n int) reference {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head := recs[0]
	col := func(name string) int {
		for i, h := range head {
			if h == name {
				return i
			}
		}
		t.Fatalf("stilts output has no column %q: %v", name, head)
		return -1
	}
	has := func(name string) bool {
		for _, h := range head {
			if h == name {
				return true
			}
		}
		return false
	}
	rowCol := "id"
	if has("id_1") {
		rowCol = "id_1"
	}
	ii, ic, is := col(rowCol), col(idCol), col("Separation")
	ref := reference{ids: make([]string, n), seps: make([]float64, n)}
	for _, r := range recs[1:] {
		var row int
		fmt.Sscan(r[ii], &row)
		ref.ids[row-1] = r[ic]
		ref.seps[row-1] = math.NaN()
		if r[is] != "" {
			fmt.Sscan(r[is], &ref.seps[row-1])
		}
	}
	return ref
}

// TestCrossmatchConeFailures: rows whose cone search fails (here, for
// every position west of RA 150: an HTTP 400) are counted and named in the
// report, kept unmatched (join all1), and the other rows still get their
// matches. The row timeout is generous so that a loaded machine (or the
// race detector) does not fail a good row.
func TestCrossmatchConeFailures(t *testing.T) {
	in := testbed.Require(t)
	c := in.Catalogs[0]
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ra, _ := strconv.ParseFloat(r.URL.Query().Get("RA"), 64)
		if ra < 150 {
			http.Error(w, "broken for this test", http.StatusBadRequest)
			return
		}
		resp, err := http.Get(c.SCS + "?" + r.URL.RawQuery)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
		io.Copy(w, resp.Body)
	}))
	defer srv.Close()
	cfg := config.Default()
	cfg.Search.Concurrency = 8
	cfg.Crossmatch.RowTimeout = config.Duration{Duration: 60 * time.Second}
	cfg.Catalogs = []config.Catalog{{Name: "flaky", Kind: "scs", URL: srv.URL + "/scs"}}
	a := New(cfg, nil)
	if err := a.KeepResultsIn(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	sample := testbed.XmatchTable(100)
	a.hold(&Table{ID: "sample", Data: sample})
	west := 0
	rc := sample.Columns[sample.FieldByName("ra")]
	for i := range sample.Rows() {
		if v, _ := votable.Float64(rc, i); v < 150 {
			west++
		}
	}
	if west == 0 || west == 100 {
		t.Fatalf("test data: %d of 100 rows west of RA 150", west)
	}
	rep, err := a.Crossmatch(context.Background(), api.CrossmatchRequest{TableID: "sample", Catalog: "flaky", Radius: "2arcsec"}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if rep.FailedRows != west || len(rep.Errors) != maxRowErrors {
		t.Errorf("failed rows %d (want %d), errors %q", rep.FailedRows, west, rep.Errors)
	}
	for _, e := range rep.Errors {
		if !strings.Contains(e, "400") {
			t.Errorf("error %q does not name the HTTP status", e)
		}
	}
	got, err := votable.ReadTableFile(context.Background(), rep.Result.Path)
	if err != nil {
		t.Fatal(err)
	}
	whole := wholeCatalogue(t, in, c)
	ref := xmatchReference(t, sample, whole, c.IDColumn, 2.0/3600)
	for i := range ref.ids {
		if v, _ := votable.Float64(rc, i); v < 150 {
			ref.ids[i], ref.seps[i] = "", math.NaN() // no answer: unmatched
		}
	}
	if matched := compareResult(t, got, ref, c.IDColumn, 1e-6); matched == 0 || matched != rep.Matched {
		t.Errorf("matched %d, report %d", matched, rep.Matched)
	}
	// Every cone failing is an error.
	westOnly := &votable.Table{Fields: sample.Fields, NRows: 1}
	for _, col := range sample.Columns {
		d, _ := votable.NewColumn(col.Field())
		first := int32(-1)
		for i := range sample.Rows() {
			if v, _ := votable.Float64(rc, i); v < 150 {
				first = int32(i)
				break
			}
		}
		votable.Gather(d, col, []int32{first})
		westOnly.Columns = append(westOnly.Columns, d)
	}
	a.hold(&Table{ID: "west", Data: westOnly})
	if _, err := a.Crossmatch(context.Background(), api.CrossmatchRequest{TableID: "west", Catalog: "flaky"}, "test"); err == nil ||
		!strings.Contains(err.Error(), "every one of the 1 cone searches failed") {
		t.Errorf("all cones failing: %v", err)
	}
}

// TestCrossmatchTAPOverflow: a TAP answer cut at crossmatch.maxrec is an
// error naming the setting to change, never a silently partial match.
func TestCrossmatchTAPOverflow(t *testing.T) {
	in := testbed.Require(t)
	cfg := config.Default()
	cfg.Crossmatch.MaxRec = 10
	cfg.Catalogs = []config.Catalog{{Name: "2MASS", Kind: "tap", URL: in.TAP, Table: in.Catalogs[0].Table}}
	a := New(cfg, nil)
	a.hold(&Table{ID: "sample", Data: testbed.XmatchTable(200)})
	rep, err := a.Crossmatch(context.Background(), api.CrossmatchRequest{TableID: "sample", Catalog: "2MASS"}, "test")
	if err == nil || !strings.Contains(err.Error(), "cut at 10 rows") || !strings.Contains(err.Error(), "chunk_rows") {
		t.Errorf("overflow: %v", err)
	}
	if rep.Result.ID != "" || len(rep.Search.Failed) != 1 {
		t.Errorf("report of a failed match: %+v", rep)
	}
}

// TestCrossmatchControlAPI: client.Crossmatch through the control socket
// matches the table sent last ("last") with the testbed's SDSS by cone
// search and, with send, the table reaches "topcat"; a bad request is an
// error with the reason; progress events are on the stream.
func TestCrossmatchControlAPI(t *testing.T) {
	in := testbed.Require(t)
	dir := t.TempDir()
	t.Setenv("SAMP_HUB", "std-lockurl:"+profile.FileURL(filepath.Join(dir, "lock.samp")))
	t.Setenv("TMPDIR", dir)
	cfg := config.Default()
	cfg.Catalogs = []config.Catalog{{Name: "SDSS", Kind: "scs", URL: in.Catalogs[2].SCS}}
	sock := filepath.Join(dir, "run", "control.sock")
	a := New(cfg, nil, WithControlSocket(sock))
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- a.Run(ctx) }()
	defer func() { cancel(); <-ran }()
	c := client.New(sock)
	wctx, wcancel := context.WithTimeout(ctx, 20*time.Second)
	defer wcancel()
	if err := c.Wait(wctx); err != nil {
		t.Fatal(err)
	}
	if err := a.WaitConnected(ctx, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	topcat := samppeer.Receiver(t, "topcat", "table.load.votable")
	a.hold(&Table{ID: "older", Sender: "topcat", Data: scalarTable([]string{"flux"}, []float64{1})})
	a.hold(&Table{ID: "sample", Name: "targets", Sender: "topcat", Data: testbed.XmatchTable(50)})
	if _, err := c.Crossmatch(ctx, api.CrossmatchRequest{Catalog: "Gaia"}); err == nil || !strings.Contains(err.Error(), `no catalogue "Gaia"`) {
		t.Errorf("unknown catalogue: %v", err)
	}
	rep, err := c.Crossmatch(ctx, api.CrossmatchRequest{TableID: "last", Catalog: "SDSS", Radius: "1.5arcsec", Join: "1and2", Send: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Table != "sample" || rep.Method != MethodCone || rep.Matched == 0 || rep.Result.Rows != rep.Matched ||
		rep.RadiusArcsec != 1.5 || len(rep.Result.SentTo) != 1 || rep.Result.SentTo[0] != "topcat" {
		t.Errorf("report %+v", rep)
	}
	select {
	case p := <-topcat:
		if p["table-id"] != rep.Result.ID || p["name"] != rep.Result.Name {
			t.Errorf("topcat got %v", p)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("topcat got nothing")
	}
	n := 0
	for _, e := range a.Events().Since(0) {
		if e.Type == events.CrossmatchProgress && e.Search == rep.Search.ID && e.Total == 50 {
			n++
		}
	}
	if n < 2 {
		t.Errorf("%d progress events", n)
	}
}
