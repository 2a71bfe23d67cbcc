package tap

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/internal/faultsvc"
	"github.com/voagent/voagent/vo/adql"
	"github.com/voagent/voagent/vo/dal"
	"github.com/voagent/voagent/vo/uws"
	"github.com/voagent/voagent/vo/votable"
)

func fake(t *testing.T, rows int) (*faultsvc.Server, *faultsvc.TAP, *Service) {
	srv := faultsvc.New(t)
	ft := srv.TAP(rows)
	s := New(srv.URLOf("/tap"), dal.New(dal.Options{Backoff: 5 * time.Millisecond}), nil)
	s.UWS().MinPoll = 5 * time.Millisecond
	s.UWS().BlockFor = time.Second
	return srv, ft, s
}

func rowsOf(doc *votable.Document) int {
	n := 0
	for _, t := range doc.Tables() {
		n += t.Rows()
	}
	return n
}

func TestSync(t *testing.T) {
	_, _, s := fake(t, 50)
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		q        Query
		rows     int
		trunc    bool
		byCaller bool
		err      error
	}{
		{"all", Query{ADQL: "SELECT * FROM fake.main"}, 50, false, false, nil},
		{"maxrec", Query{ADQL: "SELECT * FROM fake.main", HasMaxRec: true, MaxRec: 10}, 10, true, true, nil},
		{"maxrec 0", Query{ADQL: "SELECT * FROM fake.main", HasMaxRec: true, MaxRec: 0}, 0, true, true, nil},
		{"maxrec above", Query{ADQL: "SELECT * FROM fake.main", HasMaxRec: true, MaxRec: 100}, 50, false, false, nil},
		{"range", Query{ADQL: "SELECT * FROM fake.main WHERE id >= 5 AND id < 9"}, 4, false, false, nil},
		{"error", Query{ADQL: "SELECT FAIL FROM fake.main"}, 0, false, false, dal.ErrService},
		{"bad lang", Query{ADQL: "SELECT 1", Lang: "PQL"}, 0, false, false, dal.ErrService},
		{"empty", Query{ADQL: "  "}, 0, false, false, nil},
		{"negative maxrec", Query{ADQL: "SELECT 1", HasMaxRec: true, MaxRec: -1}, 0, false, false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, tr, err := s.SyncFetch(ctx, &tc.q)
			if tc.name == "empty" || tc.name == "negative maxrec" {
				if err == nil || !strings.Contains(err.Error(), "/tap/sync") {
					t.Fatalf("bad query accepted or error without URL: %v", err)
				}
				return
			}
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("error %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rowsOf(doc) != tc.rows || (tr != nil) != tc.trunc || (tr != nil && tr.ByCaller != tc.byCaller) {
				t.Errorf("%d rows, truncation %+v; want %d rows, truncated=%v byCaller=%v", rowsOf(doc), tr, tc.rows, tc.trunc, tc.byCaller)
			}
		})
	}
}

func TestSyncServiceLimit(t *testing.T) {
	_, ft, s := fake(t, 50)
	ft.DefaultMaxRec = 20
	doc, tr, err := s.SyncFetch(context.Background(), &Query{ADQL: "SELECT * FROM fake.main"})
	if err != nil || rowsOf(doc) != 20 || tr == nil || tr.ByCaller {
		t.Fatalf("rows %d, truncation %+v, err %v: want 20 rows truncated by the service", rowsOf(doc), tr, err)
	}
	if !strings.Contains(tr.String(), "service") {
		t.Errorf("truncation message %q does not blame the service", tr)
	}
}

func TestSyncCopyCSV(t *testing.T) {
	_, _, s := fake(t, 5)
	var buf bytes.Buffer
	_, tr, err := s.SyncCopy(context.Background(), &Query{ADQL: "SELECT * FROM fake.main", ResponseFormat: "csv"}, &buf)
	if err != nil || tr != nil {
		t.Fatal(err, tr)
	}
	if lines := strings.Count(buf.String(), "\n"); lines != 6 || !strings.HasPrefix(buf.String(), "id,ra,dec,name\n") {
		t.Errorf("CSV copy:\n%s", buf.String())
	}
	// An error VOTable in reply to a CSV request is still an error.
	_, _, err = s.SyncCopy(context.Background(), &Query{ADQL: "SELECT FAIL", ResponseFormat: "votable"}, &buf)
	if !errors.Is(err, dal.ErrService) || !strings.Contains(dal.ServiceMessage(err), "FAIL requested") {
		t.Errorf("error not reported: %v", err)
	}
}

func uploadTable(t *testing.T, n int) *votable.Table {
	t.Helper()
	f := &votable.Field{Name: "ra", Datatype: votable.Double}
	g := &votable.Field{Name: "name", Datatype: votable.Char, Arraysize: "*"}
	var err error
	if g.Shape, err = votable.ParseShape("*"); err != nil {
		t.Fatal(err)
	}
	tb := &votable.Table{Fields: []*votable.Field{f, g}, NRows: -1}
	for _, fl := range tb.Fields {
		c, err := votable.NewColumn(fl)
		if err != nil {
			t.Fatal(err)
		}
		tb.Columns = append(tb.Columns, c)
	}
	for i := range n {
		tb.Columns[0].(*votable.Scalar[float64]).Append(float64(i), false)
		tb.Columns[1].(*votable.Strings).AppendString("p"+string(rune('a'+i%26)), false)
	}
	return tb
}

func TestUploads(t *testing.T) {
	srv, ft, s := fake(t, 50)
	ctx := context.Background()
	tb := uploadTable(t, 7)
	var ref bytes.Buffer
	if err := votable.WriteTable(&ref, uploadTable(t, 3), votable.TableData); err != nil {
		t.Fatal(err)
	}
	refBytes := ref.Bytes()
	srv.HandleFunc("/upload.vot", func(w http.ResponseWriter, r *http.Request) { w.Write(refBytes) })

	doc, _, err := s.SyncFetch(ctx, &Query{ADQL: "SELECT * FROM TAP_UPLOAD.pois", Uploads: []Upload{{Name: "pois", Table: tb}}})
	if err != nil || rowsOf(doc) != 7 {
		t.Fatalf("inline upload: %d rows, %v", rowsOf(doc), err)
	}
	doc, _, err = s.SyncFetch(ctx, &Query{ADQL: "SELECT * FROM TAP_UPLOAD.byref",
		Uploads: []Upload{{Name: "byref", URL: srv.URLOf("/upload.vot")}, {Name: "other", VOTable: refBytes}}})
	if err != nil || rowsOf(doc) != 3 {
		t.Fatalf("upload by URL: %d rows, %v", rowsOf(doc), err)
	}
	doc, _, err = s.AsyncFetch(ctx, &Query{ADQL: "SELECT * FROM TAP_UPLOAD.pois", Uploads: []Upload{{Name: "pois", Table: uploadTable(t, 4)}}}, AsyncOptions{})
	if err != nil || rowsOf(doc) != 4 {
		t.Fatalf("async inline upload: %d rows, %v", rowsOf(doc), err)
	}
	if got := ft.Uploads(); got["pois"] != 4 || got["byref"] != 3 || got["other"] != 3 {
		t.Errorf("service received uploads %v", got)
	}
	for _, bad := range []Upload{{Name: "1x", Table: tb}, {Name: "a b", Table: tb}, {Name: "x"}, {Name: "x", URL: "file:///etc/passwd"}} {
		if _, _, err := s.SyncFetch(ctx, &Query{ADQL: "SELECT 1", Uploads: []Upload{bad}}); err == nil {
			t.Errorf("bad upload %+v accepted", bad)
		}
	}
	if _, _, err := s.SyncFetch(ctx, &Query{ADQL: "SELECT 1", Uploads: []Upload{{Name: "a", Table: tb}, {Name: "A", Table: tb}}}); err == nil {
		t.Error("duplicate upload names accepted")
	}
}

func TestAsync(t *testing.T) {
	_, ft, s := fake(t, 30)
	ctx := context.Background()
	var phases []uws.Phase
	opt := AsyncOptions{Progress: func(j *uws.Job, _ time.Duration) { phases = append(phases, j.Phase) },
		ExecutionDuration: time.Hour, Destruction: time.Now().Add(time.Hour)}
	doc, tr, err := s.AsyncFetch(ctx, &Query{ADQL: "SELECT * FROM fake.main", HasMaxRec: true, MaxRec: 25}, opt)
	if err != nil || rowsOf(doc) != 25 || tr == nil || !tr.ByCaller {
		t.Fatalf("rows %d, truncation %+v, err %v", rowsOf(doc), tr, err)
	}
	if len(phases) < 2 || phases[len(phases)-1] != uws.Completed {
		t.Errorf("phases seen: %v", phases)
	}
	if len(ft.Live()) != 0 || len(ft.Deleted()) != 1 {
		t.Errorf("job not deleted after success: live %v", ft.Live())
	}
	// Failure: the error carries the service's message and the job is deleted.
	_, _, err = s.AsyncFetch(ctx, &Query{ADQL: "SELECT FAIL"}, AsyncOptions{})
	if !errors.Is(err, dal.ErrService) || !strings.Contains(dal.ServiceMessage(err), "FAIL requested") {
		t.Errorf("async error: %v (message %q)", err, dal.ServiceMessage(err))
	}
	if len(ft.Live()) != 0 {
		t.Errorf("job not deleted after error: %v", ft.Live())
	}
	// Keep: the job stays, and Cleanup does not touch it.
	var buf bytes.Buffer
	if _, _, err = s.AsyncCopy(ctx, &Query{ADQL: "SELECT * FROM fake.main"}, &buf, AsyncOptions{Keep: true}); err != nil {
		t.Fatal(err)
	}
	if len(ft.Live()) != 1 {
		t.Errorf("kept job: live %v", ft.Live())
	}
	if d, err := votable.Read(&buf); err != nil || rowsOf(d) != 30 {
		t.Errorf("copied async result: %v", err)
	}
}

func TestAsyncCancelDeletes(t *testing.T) {
	_, ft, s := fake(t, 30)
	ft.ExecTime = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for len(ft.Live()) == 0 {
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
	}()
	_, _, err := s.AsyncFetch(ctx, &Query{ADQL: "SELECT * FROM fake.main"}, AsyncOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want canceled", err)
	}
	if len(ft.Live()) != 0 {
		t.Errorf("job left behind after cancel: %v", ft.Live())
	}
}

func TestJobLifecycleAndCleanup(t *testing.T) {
	_, ft, s := fake(t, 30)
	ft.ExecTime = time.Hour
	ctx := context.Background()
	j, err := s.Submit(ctx, &Query{ADQL: "SELECT * FROM fake.main"}, AsyncOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Abort(ctx); err != nil {
		t.Fatal(err)
	}
	doc, err := j.Wait(ctx)
	if err == nil || doc.Phase != uws.Aborted {
		t.Errorf("aborted job: phase %v, err %v", doc.Phase, err)
	}
	if len(s.OpenJobs()) != 1 {
		t.Errorf("open jobs %v", s.OpenJobs())
	}
	if err := s.Cleanup(ctx); err != nil || len(ft.Live()) != 0 || len(s.OpenJobs()) != 0 {
		t.Errorf("cleanup: %v, live %v", err, ft.Live())
	}
}

func TestCapabilities(t *testing.T) {
	_, _, s := fake(t, 1)
	c, err := s.Capabilities(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !c.SupportsUpload(UploadInline) || !c.SupportsUpload(UploadHTTP) || c.SupportsUpload(UploadFTP) {
		t.Errorf("upload methods %v", c.UploadMethods)
	}
	if v, _ := c.OutputLimit.Hard("sync"); v.Value != 1000 {
		t.Errorf("sync hard limit %+v", v)
	}
	if v, _ := c.OutputLimit.Hard("async"); v.Value != 10000 || v.Unit != "row" {
		t.Errorf("async hard limit %+v", v)
	}
	if v, _ := c.ExecutionDuration.Hard(""); Seconds(v) != 2*time.Hour {
		t.Errorf("execution duration %+v", v)
	}
	if !c.HasDataModel("ivo://ivoa.net/std/ObsCore") || len(c.Languages) != 1 || c.Languages[0].Name != "ADQL" {
		t.Errorf("capabilities %+v", c)
	}
}

func TestPyvoCapabilities(t *testing.T) {
	data, err := os.ReadFile(faultsvc.Conformance(t, "pyvo/dal/tests/data/tap/capabilities.xml"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseCapabilities(data)
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := c.OutputLimit.Default(""); d.Value != 20000 || d.Unit != "row" {
		t.Errorf("output default %+v", d)
	}
	if h, _ := c.OutputLimit.Hard("async"); h.Value != 10000000 {
		t.Errorf("output hard %+v", h)
	}
	if h, _ := c.UploadLimit.Hard(""); h.Value != 100000000 || h.Unit != "byte" {
		t.Errorf("upload hard %+v", h)
	}
	if !c.SupportsUpload(UploadInline) || !c.SupportsUpload(UploadFTP) {
		t.Errorf("uploads %v", c.UploadMethods)
	}
	if !c.HasDataModel("ivo://ivoa.net/std/RegTAP") || len(c.Languages) == 0 || len(c.Languages[0].Features) == 0 {
		t.Errorf("data models %v, languages %+v", c.DataModels, c.Languages)
	}
	var csv bool
	for _, f := range c.OutputFormats {
		for _, a := range f.Aliases {
			csv = csv || a == "csv"
		}
	}
	if !csv {
		t.Errorf("no csv output format in %+v", c.OutputFormats)
	}
	for _, f := range []string{"minimal-tapregext.xml", "multiple_capa_descriptions.xml"} {
		data, err := os.ReadFile(faultsvc.Conformance(t, "pyvo/io/vosi/tests/data/capabilities/"+f))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseCapabilities(data); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestTables(t *testing.T) {
	_, _, s := fake(t, 1)
	ctx := context.Background()
	schemas, err := s.Tables(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tb := TableByName(schemas, "main")
	if tb == nil || tb.PrimaryKey() == nil || tb.PrimaryKey().Name != "id" || !tb.Column("ID").Indexed {
		t.Fatalf("VOSI tables: %+v", schemas)
	}
	fromSchema, err := s.SchemaTables(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ts := TableByName(fromSchema, "fake.main")
	if ts == nil || len(ts.Columns) != 4 || ts.PrimaryKey().Name != "id" || ts.Column("ra").Unit != "deg" {
		t.Fatalf("TAP_SCHEMA tables: %+v", fromSchema)
	}
	one, err := s.Table(ctx, "fake.main")
	if err != nil || len(one.Columns) != 4 {
		t.Fatalf("one table: %+v %v", one, err)
	}
	if _, err := s.Table(ctx, "nope.none"); err == nil {
		t.Error("unknown table found")
	}
}

func TestPyvoTables(t *testing.T) {
	data, err := os.ReadFile(faultsvc.Conformance(t, "pyvo/dal/tests/data/tap/tables.xml"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseTables(data)
	if err != nil || len(s) != 1 || len(s[0].Tables) != 2 || s[0].Tables[1].Name != "test.table2" {
		t.Fatalf("tables.xml: %+v %v", s, err)
	}
	data, err = os.ReadFile(faultsvc.Conformance(t, "pyvo/io/vosi/tests/data/tables.xml"))
	if err != nil {
		t.Fatal(err)
	}
	s, err = ParseTables(data)
	if err != nil || len(s) == 0 {
		t.Fatalf("vosi tables.xml: %v", err)
	}
	var cols, fks int
	for _, sc := range s {
		for _, tb := range sc.Tables {
			cols += len(tb.Columns)
			fks += len(tb.ForeignKeys)
		}
	}
	if cols == 0 || fks == 0 {
		t.Errorf("vosi tables.xml: %d columns, %d foreign keys", cols, fks)
	}
	for _, f := range []string{"lazy-table1.xml", "lazy-table2.xml"} {
		data, err := os.ReadFile(faultsvc.Conformance(t, "pyvo/dal/tests/data/tap/"+f))
		if err != nil {
			t.Fatal(err)
		}
		if s, err := ParseTables(data); err != nil || len(s) == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestExamples(t *testing.T) {
	_, _, s := fake(t, 1)
	ex, err := s.Examples(context.Background())
	if err != nil || len(ex) != 1 || ex[0].ID != "cone" || ex[0].Name != "A cone & a limit" || !strings.Contains(ex[0].Query, "id < 5") {
		t.Fatalf("examples %+v, %v", ex, err)
	}
	for file, n := range map[string]int{"examples.htm": 3, "obscore-examples.html": 1} {
		f, err := os.Open(faultsvc.Conformance(t, "pyvo/dal/tests/data/tap/"+file))
		if err != nil {
			t.Fatal(err)
		}
		ex, err := ParseExamples(f)
		f.Close()
		if err != nil || len(ex) < n {
			t.Errorf("%s: %d examples (want >= %d), %v", file, len(ex), n, err)
		}
		for _, e := range ex {
			if e.Query == "" || e.Name == "" {
				t.Errorf("%s: incomplete example %+v", file, e)
			}
		}
	}
}

func TestPartitioned(t *testing.T) {
	_, ft, s := fake(t, 103)
	ft.DefaultMaxRec = 40 // one query would overflow
	ctx := context.Background()
	where := adql.Raw("1=1")
	res, err := s.RunPartitioned(ctx, Partition{Table: "fake.main", Parts: 4, Concurrency: 3, Where: where})
	if err != nil {
		t.Fatal(err)
	}
	tb := res.Table()
	if tb == nil || tb.Rows() != 103 || len(res.Failed()) != 0 || len(res.Truncated()) != 0 {
		t.Fatalf("partitioned: %d rows, parts %+v", tb.Rows(), res.Parts)
	}
	for i := range tb.Rows() { // in key order, each id once
		if v, _ := votable.Float64(tb.Columns[0], i); v != float64(i+1) {
			t.Fatalf("row %d has id %v", i, v)
		}
	}
	if len(ft.Live()) != 0 {
		t.Errorf("partition jobs left: %v", ft.Live())
	}
	// Too few parts: the parts overflow and say so.
	res, err = s.RunPartitioned(ctx, Partition{Table: "fake.main", Key: "id", Parts: 2})
	if err != nil || len(res.Truncated()) != 2 {
		t.Errorf("overflowing parts not reported: %+v, %v", res.Parts, err)
	}
	// A failing part is reported, the others kept.
	res, err = s.RunPartitioned(ctx, Partition{Table: "fake.main", Parts: 3, Select: adql.Raw("*, 'FAIL' AS x")})
	if err == nil || res == nil || len(res.Failed()) != 3 {
		t.Errorf("failing parts: %v", err)
	}
}

// FuzzParseMetadata: the capabilities, tables and examples parsers never
// panic on any input.
func FuzzParseMetadata(f *testing.F) {
	f.Add(`<capabilities><capability standardID="ivo://ivoa.net/std/TAP"><outputLimit><hard forMode="sync">5</hard></outputLimit></capability></capabilities>`)
	f.Add(`<tableset><schema><name>s</name><table><name>s.t</name><column><name>c</name></column></table></schema></tableset>`)
	f.Add(`<html><div typeof="example"><h2 property="name">n</h2><pre property="query">SELECT 1</pre></div></html>`)
	f.Add(`<tableset><schema><table>` + deep("column", 300) + `</table></schema></tableset>`)
	f.Add(`<capabilities><capability>` + deep("interface", 256) + `</capability></capabilities>`)
	f.Add(`<html>` + deep("div", 300) + `</html>`)
	f.Fuzz(func(t *testing.T, doc string) {
		if len(doc) > 1<<16 {
			return
		}
		ParseCapabilities([]byte(doc))
		ParseTables([]byte(doc))
		ParseExamples(strings.NewReader(doc))
	})
}

func TestCapabilitiesNotVOSI(t *testing.T) {
	for _, c := range []struct{ name, doc string }{
		{"XHTML page", `<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><head><title>TAP</title></head><body><p>capabilities</p></body></html>`},
		{"HTML page", "<!DOCTYPE html>\n<html><head><title>TAP</title></head><body><p>Hello<br></body></html>"},
		{"VOTable", `<VOTABLE version="1.4"><RESOURCE/></VOTABLE>`},
		{"empty", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseCapabilities([]byte(c.doc))
			if !errors.Is(err, ErrNotCapabilities) {
				t.Fatalf("error %v, want %v", err, ErrNotCapabilities)
			}
		})
	}
	if _, err := ParseCapabilities([]byte(`<vosi:capabilities xmlns:vosi="http://www.ivoa.net/xml/VOSICapabilities/v1.0"/>`)); err != nil {
		t.Errorf("an empty capabilities document: %v", err)
	}
}
