package dal

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"syscall"
	"testing"
	"testing/iotest"
	"time"

	"github.com/voagent/voagent/internal/faultsvc"
	"github.com/voagent/voagent/vo/votable"
)

// testClient retries fast; its idle timeout is long enough for a loaded machine.
func testClient() *Client {
	return New(Options{Backoff: 5 * time.Millisecond, Retries: 2, IdleTimeout: time.Minute})
}

type want struct {
	rows     int64
	kind     error  // nil: success
	status   int    // HTTP status in the *Error
	message  string // part of the service's message
	trunc    bool
	byCaller bool
}

var faultCases = []struct {
	name   string
	path   string
	req    Request
	want   want
	noCopy bool // Copy does not decode, so cannot see this fault
}{
	{name: "ok", path: "/ok?rows=5", want: want{rows: 5}},
	{name: "no status", path: "/no-status?rows=2", want: want{rows: 2}},
	{name: "binary", path: "/binary?rows=1000", want: want{rows: 1000}},
	{name: "gzip", path: "/gzip?rows=70000", want: want{rows: 70000}},
	{name: "empty table", path: "/ok?rows=0", want: want{rows: 0}},
	{name: "overflow without MAXREC", path: "/overflow?rows=4", want: want{rows: 4, trunc: true}},
	{name: "overflow at caller MAXREC", path: "/overflow?rows=4", req: Request{HasMaxRec: true, MaxRec: 4},
		want: want{rows: 4, trunc: true, byCaller: true}},
	{name: "overflow below caller MAXREC", path: "/overflow?rows=4", req: Request{HasMaxRec: true, MaxRec: 100},
		want: want{rows: 4, trunc: true}},
	{name: "MAXREC=0", path: "/overflow?rows=0", req: Request{HasMaxRec: true, MaxRec: 0},
		want: want{rows: 0, trunc: true, byCaller: true}},
	{name: "large overflow", path: "/overflow?rows=60000", want: want{rows: 60000, trunc: true}},
	{name: "large error after table", path: "/error-after?rows=60000&msg=timeout", want: want{kind: ErrService, message: "timeout"}},
	{name: "error before table", path: "/error-before?msg=bad+ADQL", want: want{kind: ErrService, message: "bad ADQL"}},
	{name: "error after table", path: "/error-after?rows=3&msg=killed+mid-query", want: want{kind: ErrService, message: "killed mid-query"}},
	{name: "SCS Error INFO", path: "/scs-error-info?msg=SR+missing", want: want{kind: ErrService, message: "SR missing"}},
	{name: "SCS Error PARAM", path: "/scs-error-param?msg=RA+out+of+range", want: want{kind: ErrService, message: "RA out of range"}},
	{name: "HTTP 500 text", path: "/500", want: want{kind: ErrHTTPStatus, status: 500, message: "database connection lost"}},
	{name: "HTTP 500 VOTable", path: "/500-votable?msg=no+such+table", want: want{kind: ErrService, status: 500, message: "no such table"}},
	{name: "HTTP 404 HTML", path: "/status?code=404&type=text/html&body=%3Chtml%3E%3Ctitle%3ENot+Found%3C/title%3E%3C/html%3E",
		want: want{kind: ErrHTTPStatus, status: 404, message: "Not Found"}},
	{name: "HTML instead of VOTable", path: "/html", want: want{kind: ErrNotVOTable, message: "Service Maintenance"}},
	{name: "text instead of VOTable", path: "/text", want: want{kind: ErrNotVOTable, message: "table does not exist"}},
	{name: "empty body", path: "/empty", want: want{kind: ErrNotVOTable}},
	{name: "connection dropped", path: "/truncated?rows=200", want: want{kind: ErrTruncated}},
	{name: "document cut short", path: "/truncated-clean?rows=200", want: want{kind: ErrTruncated}},
	{name: "binary connection dropped", path: "/truncated?rows=20000&binary=1", want: want{kind: ErrTruncated}},
	{name: "binary cut short", path: "/truncated-clean?rows=20000&binary=1", want: want{kind: ErrTruncated}},
	{name: "429 then OK", path: "/retry?code=429&after=0&times=2", want: want{rows: 3}},
	{name: "503 then OK", path: "/retry?code=503&times=1", want: want{rows: 3}},
	{name: "503 too often", path: "/retry?code=503&times=9", want: want{kind: ErrHTTPStatus, status: 503, message: "Too busy"}},
	{name: "Retry-After too long", path: "/retry?code=429&after=3600&times=1", want: want{kind: ErrHTTPStatus, status: 429}},
	{name: "POST not retried", path: "/retry?code=503&after=0&times=1", req: Request{Method: http.MethodPost},
		want: want{kind: ErrHTTPStatus, status: 503}},
	{name: "idempotent POST retried", path: "/retry?code=503&after=0&times=1", req: Request{Method: http.MethodPost, Idempotent: true},
		want: want{rows: 3}},
}

// checkErr checks err against w, and that it names the operation and URL.
func checkErr(t *testing.T, err error, w want, op, url string) {
	t.Helper()
	if w.kind == nil {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("no error, want %v", w.kind)
	}
	if !errors.Is(err, w.kind) {
		t.Fatalf("error %q is not %v", err, w.kind)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %q is not a *dal.Error", err)
	}
	if w.status != 0 && e.StatusCode != w.status {
		t.Errorf("status %d, want %d", e.StatusCode, w.status)
	}
	if !strings.Contains(e.Message, w.message) {
		t.Errorf("message %q does not contain %q", e.Message, w.message)
	}
	if !strings.Contains(err.Error(), op) || !strings.Contains(err.Error(), url) {
		t.Errorf("error %q does not name the operation %q and URL %q", err, op, url)
	}
}

func checkTrunc(t *testing.T, tr *Truncation, w want) {
	t.Helper()
	if (tr != nil) != w.trunc {
		t.Fatalf("truncation %v, want truncated=%v", tr, w.trunc)
	}
	if tr != nil && tr.ByCaller != w.byCaller {
		t.Errorf("truncation %+v: ByCaller=%v, want %v", tr, tr.ByCaller, w.byCaller)
	}
}

func (w want) isErr() bool { return w.kind != nil }

func TestStreamFaults(t *testing.T) {
	srv := faultsvc.New(t)
	c := testClient()
	for _, tc := range faultCases {
		t.Run(tc.name, func(t *testing.T) {
			req := tc.req
			req.Op, req.URL = "test query "+tc.name, srv.URLOf(tc.path)
			r, err := c.Stream(context.Background(), &req)
			var rows int64
			if err == nil {
				defer r.Close()
				for {
					_, err = r.NextTable()
					if err != nil {
						break
					}
					for {
						var cols []votable.Column
						if cols, err = r.NextBatch(); err != nil {
							break
						}
						rows += int64(cols[0].Len())
					}
					if err != io.EOF {
						break
					}
				}
				if err == io.EOF {
					err = nil
				}
			}
			checkErr(t, err, tc.want, req.Op, req.URL)
			if tc.want.isErr() {
				return
			}
			if rows != tc.want.rows || r.Rows() != rows {
				t.Errorf("read %d rows (Rows()=%d), want %d", rows, r.Rows(), tc.want.rows)
			}
			checkTrunc(t, r.Truncation(), tc.want)
		})
	}
}

func TestFetchFaults(t *testing.T) {
	srv := faultsvc.New(t)
	c := testClient()
	for _, tc := range faultCases {
		t.Run(tc.name, func(t *testing.T) {
			req := tc.req
			req.Op, req.URL = "fetch "+tc.name, srv.URLOf(tc.path)
			doc, tr, err := c.Fetch(context.Background(), &req)
			checkErr(t, err, tc.want, req.Op, req.URL)
			if tc.want.isErr() {
				return
			}
			rows := docRows(doc)
			if rows != tc.want.rows {
				t.Errorf("%d rows, want %d", rows, tc.want.rows)
			}
			checkTrunc(t, tr, tc.want)
			if rows > 0 {
				tb := doc.Tables()[0]
				last := tb.Rows() - 1
				id, ra, _, name := faultsvc.Row(last)
				if got, _ := votable.Float64(tb.Columns[0], last); got != float64(id) {
					t.Errorf("last id %v, want %v", got, id)
				}
				if got, _ := votable.Float64(tb.Columns[1], last); got != ra {
					t.Errorf("last ra %v, want %v", got, ra)
				}
				if got := tb.Columns[3].Value(last); got != name {
					t.Errorf("last name %v, want %v", got, name)
				}
			}
		})
	}
}

func TestCopyFaults(t *testing.T) {
	srv := faultsvc.New(t)
	c := testClient()
	for _, tc := range faultCases {
		t.Run(tc.name, func(t *testing.T) {
			req := tc.req
			req.Op, req.URL = "copy "+tc.name, srv.URLOf(tc.path)
			var buf bytes.Buffer
			n, tr, err := c.Copy(context.Background(), &req, &buf, true)
			checkErr(t, err, tc.want, req.Op, req.URL)
			if n != int64(buf.Len()) {
				t.Errorf("Copy reports %d bytes, wrote %d", n, buf.Len())
			}
			if strings.HasPrefix(tc.path, "/error-before") && buf.Len() > 0 {
				t.Errorf("an error document was written out: %q", buf.String())
			}
			if tc.want.isErr() {
				return
			}
			w := tc.want
			w.byCaller = w.byCaller && req.MaxRec == 0 // rows are not counted
			checkTrunc(t, tr, w)
			doc, err := votable.Read(&buf)
			if err != nil {
				t.Fatalf("copied document unreadable: %v", err)
			}
			rows := docRows(doc)
			if rows != tc.want.rows {
				t.Errorf("%d rows copied, want %d", rows, tc.want.rows)
			}
		})
	}
}

func TestRetryCounts(t *testing.T) {
	srv := faultsvc.New(t)
	c := testClient()
	for _, tc := range []struct {
		path     string
		method   string
		attempts int
	}{
		{"/retry?code=429&after=0&times=2", http.MethodGet, 3},
		{"/retry?code=503&times=9", http.MethodGet, 3}, // 1 + Retries
		{"/retry?code=429&after=3600&times=1", http.MethodGet, 1},
		{"/retry?code=503&times=1&x=post", http.MethodPost, 1},
		{"/500?x=no-retry", http.MethodGet, 1},
	} {
		before := srv.Count(strings.SplitN(tc.path, "?", 2)[0])
		r, err := c.Do(context.Background(), &Request{Op: "count", Method: tc.method, URL: srv.URLOf(tc.path)})
		if err == nil {
			r.Close()
		}
		if got := srv.Count(strings.SplitN(tc.path, "?", 2)[0]) - before; got != tc.attempts {
			t.Errorf("%s %s: %d attempts, want %d", tc.method, tc.path, got, tc.attempts)
		}
	}
	var e *Error
	_, err := c.Do(context.Background(), &Request{URL: srv.URLOf("/retry?code=429&after=3600&times=1&y")})
	if !errors.As(err, &e) || e.RetryAfter != time.Hour {
		t.Errorf("Retry-After not reported: %v", err)
	}
}

// A service that refuses connections is reported as such (not as a
// cancelled context), and the refusal is retried like any network failure.
func TestConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + ln.Addr().String() + "/scs"
	ln.Close()
	var log bytes.Buffer
	c := New(Options{Timeout: 10 * time.Second, Retries: 2, Backoff: time.Millisecond, Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	_, err = c.Do(context.Background(), &Request{Op: "cone search", URL: u})
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), u) {
		t.Errorf("got %v, want a connection refused naming %s", err, u)
	}
	if n := strings.Count(log.String(), "retrying VO request"); n != 2 {
		t.Errorf("%d retries, want 2", n)
	}
}

func TestUserAgentAndForm(t *testing.T) {
	srv := faultsvc.New(t)
	c := testClient()
	r, err := c.Do(context.Background(), &Request{Method: http.MethodPost, URL: srv.URLOf("/ok"),
		Params: map[string][]string{"LANG": {"ADQL"}, "QUERY": {"SELECT 'a&b' FROM t"}}})
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	got := srv.Requests()[0]
	if ua := got.Header.Get("User-Agent"); !strings.HasPrefix(ua, "voagent/") {
		t.Errorf("User-Agent %q does not name voagent", ua)
	}
	if got.Form.Get("QUERY") != "SELECT 'a&b' FROM t" || got.Form.Get("LANG") != "ADQL" {
		t.Errorf("form sent as %v", got.Form)
	}
}

func TestMultipart(t *testing.T) {
	var gotParam, gotPart, gotName string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		gotParam = r.FormValue("UPLOAD")
		f, h, err := r.FormFile("t1")
		if err == nil {
			b, _ := io.ReadAll(f)
			gotPart, gotName = string(b), h.Filename
		}
	}))
	defer srv.Close()
	_, err := testClient().Do(context.Background(), &Request{Method: http.MethodPost, URL: srv.URL,
		Params: map[string][]string{"UPLOAD": {"t1,param:t1"}},
		Parts: []Part{{Name: "t1", FileName: "t1.vot", ContentType: "application/x-votable+xml",
			Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("<VOTABLE/>")), nil }}}})
	if err != nil {
		t.Fatal(err)
	}
	if gotParam != "t1,param:t1" || gotPart != "<VOTABLE/>" || gotName != "t1.vot" {
		t.Errorf("multipart received as UPLOAD=%q part=%q filename=%q", gotParam, gotPart, gotName)
	}
}

func TestTimeouts(t *testing.T) {
	srv := faultsvc.New(t)
	idle := New(Options{IdleTimeout: 300 * time.Millisecond, Retries: -1})
	total := New(Options{Timeout: 300 * time.Millisecond, Retries: -1})
	for _, tc := range []struct {
		name string
		c    *Client
		path string
	}{
		{"no headers", idle, "/hang"},
		{"stalled body", idle, "/hang-body?rows=100"},
		{"stalled binary body", idle, "/hang-body?rows=20000&binary=1"},
		{"total", total, "/slow?rows=1000&delay=50ms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := &Request{Op: "timeout " + tc.name, URL: srv.URLOf(tc.path)}
			_, _, err := tc.c.Fetch(context.Background(), req)
			checkErr(t, err, want{kind: ErrTimeout}, req.Op, req.URL)
		})
	}
	t.Run("caller cancels", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		_, _, err := testClient().Fetch(ctx, &Request{URL: srv.URLOf("/hang")})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v is not context.Canceled", err)
		}
	})
}

func TestSizeLimit(t *testing.T) {
	srv := faultsvc.New(t)
	c := New(Options{MaxBytes: 4096})
	req := &Request{Op: "big", URL: srv.URLOf("/ok?rows=1000")}
	_, _, err := c.Fetch(context.Background(), req)
	checkErr(t, err, want{kind: ErrTooLarge}, req.Op, req.URL)
	_, _, err = c.Copy(context.Background(), req, io.Discard, true)
	checkErr(t, err, want{kind: ErrTooLarge}, req.Op, req.URL)
	// gzip: the limit applies to the decoded size.
	req = &Request{Op: "big gzip", URL: srv.URLOf("/gzip?rows=1000")}
	_, _, err = c.Fetch(context.Background(), req)
	checkErr(t, err, want{kind: ErrTooLarge}, req.Op, req.URL)
	// A per-request limit overrides the client's.
	req.MaxBytes = 1 << 20
	if _, _, err = c.Fetch(context.Background(), req); err != nil {
		t.Errorf("per-request limit ignored: %v", err)
	}
}

// TestPyvoDocuments reads pyvo's recorded DALI documents.
func TestPyvoDocuments(t *testing.T) {
	for _, tc := range []struct {
		file string
		want want
	}{
		{"basic.xml", want{rows: 3}},
		{"rootinfo.xml", want{rows: 3}},
		{"tableinfo.xml", want{rows: 3}},
		{"firstresource.xml", want{rows: 3}},
		{"missingtable.xml", want{rows: 0}},
		{"missingresource.xml", want{rows: 0}},
		{"missingcolumns.xml", want{rows: 0}},
		{"errorstatus.xml", want{kind: ErrService, message: "ERROR"}},
		{"overflowstatus.xml", want{rows: 3, trunc: true}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			body, err := os.ReadFile(faultsvc.Conformance(t, "pyvo/dal/tests/data/query/"+tc.file))
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/x-votable+xml")
				w.Write(body)
			}))
			defer srv.Close()
			req := &Request{Op: "pyvo " + tc.file, URL: srv.URL}
			doc, tr, err := testClient().Fetch(context.Background(), req)
			checkErr(t, err, tc.want, req.Op, req.URL)
			if err == nil {
				rows := docRows(doc)
				if rows != tc.want.rows {
					t.Errorf("%d rows, want %d", rows, tc.want.rows)
				}
				checkTrunc(t, tr, tc.want)
			}
			var buf bytes.Buffer
			_, tr, err = testClient().Copy(context.Background(), req, &buf, true)
			checkErr(t, err, tc.want, req.Op, req.URL)
			if err == nil {
				checkTrunc(t, tr, tc.want)
				if !bytes.Equal(buf.Bytes(), body) {
					t.Errorf("copy differs from the service's bytes")
				}
			}
		})
	}
}

// TestCopyScanBoundaries feeds the status scanner one byte at a time, with
// namespace prefixes and multi-line INFO content.
func TestCopyScanBoundaries(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		status    string
		message   string
		complete  bool
	}{
		{"prefixed error", `<?xml version="1.0"?><vot:VOTABLE xmlns:vot="x"><vot:RESOURCE type="results"><vot:INFO name="QUERY_STATUS" value="ERROR">line 1
line 2 &lt;b&gt;</vot:INFO></vot:RESOURCE></vot:VOTABLE>`, StatusError, "line 1\nline 2 <b>", true},
		{"overflow after", `<VOTABLE><RESOURCE><INFO name="QUERY_STATUS" value="OK"/><TABLE><FIELD name="INFO" datatype="char"/><DATA><TABLEDATA><TR><TD>&lt;INFO name="QUERY_STATUS" value="ERROR"/></TD></TR></TABLEDATA></DATA></TABLE><INFO name="QUERY_STATUS" value="OVERFLOW"/></RESOURCE></VOTABLE>
<!-- done -->
`, StatusOverflow, "", true},
		{"PARAMref is not PARAM", `<VOTABLE><RESOURCE><GROUP><PARAMref ref="Error"/></GROUP><PARAM name="Error" value="bad RA" datatype="char" arraysize="*"/></RESOURCE></VOTABLE>`, StatusError, "bad RA", true},
		{"cut", `<VOTABLE><RESOURCE><INFO name="QUERY_STATUS" value="OK"/><TABLE>`, StatusOK, "", false},
		{"self-closed root", `<?xml version="1.0"?><VOTABLE version="1.4"/>`, "", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, one := range []bool{false, true} {
				var src io.Reader = strings.NewReader(tc.doc)
				if one {
					src = iotest.OneByteReader(src)
				}
				var out bytes.Buffer
				n, st, complete, err := copyScan(&out, bufio.NewReaderSize(src, 16))
				if err != nil || n != int64(len(tc.doc)) || out.String() != tc.doc {
					t.Fatalf("copy: n=%d err=%v", n, err)
				}
				if st.Value != tc.status || st.Message != tc.message || complete != tc.complete {
					t.Errorf("one byte at a time=%v: status %+v complete=%v, want %s %q complete=%v",
						one, st, complete, tc.status, tc.message, tc.complete)
				}
			}
		})
	}
}

func TestRetryAfterParse(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"":                              0,
		"7":                             7 * time.Second,
		"-3":                            0,
		"soon":                          0,
		"Thu, 01 Jan 2026 12:00:30 GMT": 30 * time.Second,
		"Thu, 01 Jan 2026 11:00:00 GMT": 0,
	} {
		if got := retryAfter(in, now); got != want {
			t.Errorf("retryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

// FuzzCopyScan checks that the status scanner never fails on any input and
// finds the same status whatever the chunking.
func FuzzCopyScan(f *testing.F) {
	f.Add([]byte(`<VOTABLE><RESOURCE><INFO name="QUERY_STATUS" value="ERROR">x</INFO></RESOURCE></VOTABLE>`))
	f.Add([]byte(`<v:VOTABLE><v:PARAM name="Error" value="e"/><v:INFO name="QUERY_STATUS" value="OVERFLOW"/></v:VOTABLE>`))
	f.Add([]byte(`<INFO<INFO </INFO><PARAM>`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		if len(doc) > 1<<16 {
			return
		}
		var a, b bytes.Buffer
		n1, st1, c1, err1 := copyScan(&a, bufio.NewReader(bytes.NewReader(doc)))
		n2, st2, c2, err2 := copyScan(&b, bufio.NewReaderSize(iotest.OneByteReader(bytes.NewReader(doc)), 16))
		if err1 != nil || err2 != nil || n1 != int64(len(doc)) || n2 != n1 || !bytes.Equal(a.Bytes(), doc) || !bytes.Equal(b.Bytes(), doc) {
			t.Fatalf("copy failed: %v %v", err1, err2)
		}
		if st1 != st2 || c1 != c2 {
			t.Fatalf("chunking changes the result: %+v %v vs %+v %v", st1, c1, st2, c2)
		}
	})
}

// docRows counts the rows of every table of doc.
func docRows(doc *votable.Document) int64 {
	var rows int64
	for _, tb := range doc.Tables() {
		rows += int64(tb.Rows())
	}
	return rows
}
