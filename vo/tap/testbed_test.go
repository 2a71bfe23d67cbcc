package tap

import (
	"bytes"
	"context"
	"errors"
	"github.com/voagent/voagent/internal/peertest"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/internal/testbed"
	"github.com/voagent/voagent/vo/adql"
	"github.com/voagent/voagent/vo/dal"
	"github.com/voagent/voagent/vo/votable"
)

// Integration tests against the DaCHS testbed (testbed/setup.sh); they skip
// when it is not running, and fail under VOAGENT_REQUIRE_PEERS=1.

func testbedService(t *testing.T) (*testbed.Info, *Service) {
	in := testbed.Require(t)
	// A stalled service fails the test within minutes instead of hanging it.
	s := New(in.TAP, dal.New(dal.Options{IdleTimeout: 2 * time.Minute}), nil)
	t.Cleanup(func() { s.Cleanup(context.Background()) })
	return in, s
}

func TestTestbedSync(t *testing.T) {
	in, s := testbedService(t)
	cat := in.Catalog("twomass")
	ctx := context.Background()
	id, err := adql.Col(cat.IDColumn)
	if err != nil {
		t.Fatal(err)
	}
	table, _ := adql.TableName(cat.Table)
	q := &Query{ADQL: "SELECT " + string(id) + " FROM " + string(table), HasMaxRec: true, MaxRec: int64(cat.Rows + 10)}
	doc, tr, err := s.SyncFetch(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if got := rowsOf(doc); got != cat.Rows || tr != nil {
		t.Fatalf("%d rows (truncation %v), want all %d", got, tr, cat.Rows)
	}
	// The ids are the generated ones.
	want := map[string]bool{}
	for _, r := range cat.Data.Rows {
		want[r[cat.Data.ColumnIndex(cat.IDColumn)].(string)] = true
	}
	col := doc.Tables()[0].Columns[0]
	for i := range col.Len() {
		if !want[col.Value(i).(string)] {
			t.Fatalf("unknown id %v", col.Value(i))
		}
	}
	// Streaming gives the same count, batch by batch.
	r, err := s.Sync(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.NextTable(); err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := r.NextBatch(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if r.Rows() != int64(cat.Rows) || r.Truncation() != nil {
		t.Errorf("streamed %d rows, truncation %v", r.Rows(), r.Truncation())
	}
}

func TestTestbedMaxrecOverflow(t *testing.T) {
	in, s := testbedService(t)
	cat := in.Catalog("twomass")
	ctx := context.Background()
	table, _ := adql.TableName(cat.Table)
	for _, tc := range []struct {
		maxrec int64
		rows   int
	}{{5, 5}, {0, 0}} {
		q := &Query{ADQL: "SELECT * FROM " + string(table), HasMaxRec: true, MaxRec: tc.maxrec}
		doc, tr, err := s.SyncFetch(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if rowsOf(doc) != tc.rows || tr == nil || !tr.ByCaller {
			t.Errorf("MAXREC=%d: %d rows, truncation %+v", tc.maxrec, rowsOf(doc), tr)
		}
		if len(doc.Tables()) != 1 || len(doc.Tables()[0].Fields) != len(cat.Data.Columns) {
			t.Errorf("MAXREC=%d: metadata missing", tc.maxrec)
		}
		// The raw copy sees the same overflow.
		var buf bytes.Buffer
		_, tr, err = s.SyncCopy(ctx, q, &buf)
		if err != nil || tr == nil {
			t.Errorf("MAXREC=%d copy: truncation %v, err %v", tc.maxrec, tr, err)
		}
	}
	// A service limit: the default MAXREC of the testbed is below the big table.
	caps, err := s.Capabilities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	def, ok := caps.OutputLimit.Default("sync")
	if !ok || def.Value <= 0 {
		t.Fatalf("no default output limit in %+v", caps.OutputLimit)
	}
	if in.BigRows > def.Value {
		big, _ := adql.TableName(in.BigTable)
		var n int64
		r, err := s.Sync(ctx, &Query{ADQL: "SELECT id FROM " + string(big)})
		if err != nil {
			peertest.Missing(t, "dachs testbed bigcat.main", err.Error())
		}
		defer r.Close()
		for _, err = r.NextTable(); err == nil; _, err = r.NextTable() {
			for {
				cols, err := r.NextBatch()
				if err != nil {
					break
				}
				n += int64(cols[0].Len())
			}
		}
		tr := r.Truncation()
		if n != def.Value || tr == nil || tr.ByCaller {
			t.Errorf("service limit: %d rows (default %d), truncation %+v", n, def.Value, tr)
		}
	}
}

func TestTestbedErrors(t *testing.T) {
	_, s := testbedService(t)
	ctx := context.Background()
	_, _, err := s.SyncFetch(ctx, &Query{ADQL: "SELECT nosuchcolumn FROM twomass.psc"})
	if !errors.Is(err, dal.ErrService) || !strings.Contains(dal.ServiceMessage(err), "nosuchcolumn") ||
		!strings.Contains(err.Error(), s.URL) {
		t.Errorf("sync error: %v", err)
	}
	var buf bytes.Buffer
	_, _, err = s.SyncCopy(ctx, &Query{ADQL: "SELEKT 1"}, &buf)
	if !errors.Is(err, dal.ErrService) || buf.Len() != 0 {
		t.Errorf("sync copy error: %v (%d bytes written)", err, buf.Len())
	}
	_, _, err = s.AsyncFetch(ctx, &Query{ADQL: "SELECT nosuchcolumn FROM twomass.psc"}, AsyncOptions{})
	if !errors.Is(err, dal.ErrService) || !strings.Contains(dal.ServiceMessage(err), "nosuchcolumn") {
		t.Errorf("async error: %v", err)
	}
	if open := s.OpenJobs(); len(open) != 0 {
		t.Errorf("failed job not deleted: %v", open)
	}
}

func TestTestbedAsync(t *testing.T) {
	in, s := testbedService(t)
	cat := in.Catalog("allwise")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	table, _ := adql.TableName(cat.Table)
	doc, tr, err := s.AsyncFetch(ctx, &Query{ADQL: "SELECT * FROM " + string(table), HasMaxRec: true, MaxRec: 100}, AsyncOptions{ExecutionDuration: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if rowsOf(doc) != 100 || tr == nil || !tr.ByCaller {
		t.Errorf("%d rows, truncation %+v", rowsOf(doc), tr)
	}
	if len(s.OpenJobs()) != 0 {
		t.Errorf("job not deleted: %v", s.OpenJobs())
	}
}

func TestTestbedUpload(t *testing.T) {
	in, s := testbedService(t)
	ctx := context.Background()
	// A table of the anchors' positions: each has its twomass counterpart.
	ra := &votable.Field{Name: "ra", Datatype: votable.Double}
	dec := &votable.Field{Name: "dec", Datatype: votable.Double}
	up := &votable.Table{Fields: []*votable.Field{ra, dec}, NRows: -1}
	for _, f := range up.Fields {
		c, _ := votable.NewColumn(f)
		up.Columns = append(up.Columns, c)
	}
	for _, a := range in.Anchors {
		up.Columns[0].(*votable.Scalar[float64]).Append(a.RA, false)
		up.Columns[1].(*votable.Scalar[float64]).Append(a.Dec, false)
	}
	cat := in.Catalog("twomass")
	mra, _ := adql.Col("m", "ra")
	mdec, _ := adql.Col("m", "dec")
	p, _ := adql.Point("ICRS", mra, mdec)
	c := adql.Raw("CIRCLE('ICRS', u.ra, u.dec, 0.0001)")
	query := "SELECT u.ra, m." + cat.IDColumn + " FROM TAP_UPLOAD.pos AS u JOIN " + cat.Table + " AS m ON " + string(adql.Contains(p, c))
	for _, mode := range []string{"sync", "async"} {
		q := &Query{ADQL: query, Uploads: []Upload{{Name: "pos", Table: up}}}
		var doc *votable.Document
		var err error
		if mode == "sync" {
			doc, _, err = s.SyncFetch(ctx, q)
		} else {
			doc, _, err = s.AsyncFetch(ctx, q, AsyncOptions{})
		}
		if err != nil {
			t.Fatalf("%s upload: %v", mode, err)
		}
		if rowsOf(doc) < len(in.Anchors) {
			t.Errorf("%s upload: %d matches for %d anchors", mode, rowsOf(doc), len(in.Anchors))
		}
	}
}

func TestTestbedMetadata(t *testing.T) {
	in, s := testbedService(t)
	ctx := context.Background()
	caps, err := s.Capabilities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !caps.SupportsUpload(UploadInline) || len(caps.Languages) == 0 || !caps.HasDataModel("ivo://ivoa.net/std/obscore") {
		t.Errorf("capabilities %+v", caps)
	}
	schemas, err := s.Tables(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, cat := range in.Catalogs {
		tb := TableByName(schemas, cat.Table)
		if tb == nil {
			t.Errorf("no table %s in /tables", cat.Table)
			continue
		}
		meta, err := s.Table(ctx, cat.Table)
		if err != nil {
			t.Fatal(err)
		}
		if pk := meta.PrimaryKey(); pk == nil || pk.Name != cat.IDColumn || len(meta.Columns) != len(cat.Data.Columns) {
			t.Errorf("%s: key %+v, %d columns (want %s, %d)", cat.Table, pk, len(meta.Columns), cat.IDColumn, len(cat.Data.Columns))
		}
	}
	fromSchema, err := s.SchemaTables(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tb := TableByName(fromSchema, in.Catalogs[0].Table); tb == nil || tb.PrimaryKey() == nil {
		t.Errorf("TAP_SCHEMA lacks %s", in.Catalogs[0].Table)
	}
	// /examples is a "should" of TAP; the testbed may have none (404).
	var e *dal.Error
	if ex, err := s.Examples(ctx); errors.As(err, &e) && e.StatusCode == 404 {
		t.Logf("the testbed has no examples: %v", err)
	} else if err != nil {
		t.Errorf("examples: %v", err)
	} else {
		for _, x := range ex {
			if x.Query == "" {
				t.Errorf("example without query: %+v", x)
			}
		}
	}
}

func TestTestbedPartition(t *testing.T) {
	in, s := testbedService(t)
	if os.Getenv("VOAGENT_SHORT") != "" || testing.Short() {
		t.Skip("partitioning runs several DaCHS async jobs")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	// bigcat.main has an integer key 1..N; take the first 3000 ids in 3 parts.
	res, err := s.RunPartitioned(ctx, Partition{Table: in.BigTable, Parts: 3, Concurrency: 2, Where: adql.Raw("id <= 3000")})
	if err != nil {
		peertest.Missing(t, "dachs testbed bigcat.main", err.Error())
	}
	if len(res.Failed()) != 0 || len(res.Truncated()) != 0 {
		t.Fatalf("parts: %+v", res.Parts)
	}
	tb := res.Table()
	if tb.Rows() != 3000 {
		t.Fatalf("%d rows", tb.Rows())
	}
	seen := map[int64]bool{}
	for i := range tb.Rows() {
		v, _ := votable.Float64(tb.Columns[tb.FieldByName("id")], i)
		seen[int64(v)] = true
	}
	if len(seen) != 3000 {
		t.Errorf("%d distinct ids", len(seen))
	}
	if len(s.OpenJobs()) != 0 {
		t.Errorf("jobs left: %v", s.OpenJobs())
	}
}
