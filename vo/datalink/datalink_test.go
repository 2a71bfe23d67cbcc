package datalink

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/voagent/voagent/internal/faultsvc"
	"github.com/voagent/voagent/vo/dal"
	"github.com/voagent/voagent/vo/dataset"
	"github.com/voagent/voagent/vo/svcparam"
	"github.com/voagent/voagent/vo/votable"
)

func recorded(t *testing.T, name string) *votable.Document {
	t.Helper()
	doc, err := votable.ReadFile(faultsvc.Conformance(t, "pyvo/dal/tests/data/datalink/"+name))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestParseRecorded(t *testing.T) {
	l, err := Parse(recorded(t, "datalink.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Rows) != 4 || len(l.IDs()) != 1 {
		t.Fatalf("%d rows, %d IDs", len(l.Rows), len(l.IDs()))
	}
	this := l.BySemantics("#this", true)
	if len(this) != 1 || this[0].ContentLength != 100800 || this[0].ContentType != "image/fits" || this[0].Kind() != "access" {
		t.Errorf("#this links %+v", this)
	}
	if prog := l.BySemantics("progenitor", false); len(prog) != 1 || !strings.Contains(prog[0].ContentType, "content=datalink") {
		t.Errorf("#progenitor links %+v", prog)
	}
	if prev := l.BySemantics("#preview", false); len(prev) != 1 || prev[0].ContentLength != -1 {
		t.Errorf("#preview links %+v", prev)
	}
	proc := l.BySemantics(CoreVocabulary+"#proc", false)
	if len(proc) != 1 || proc[0].Kind() != "service" {
		t.Fatalf("#proc links %+v", proc)
	}
	sd := l.Service(proc[0].ServiceDef)
	if sd == nil {
		t.Fatalf("no service descriptor %q", proc[0].ServiceDef)
	}
	if !sd.IsSODA() || sd.IsLinks() || sd.AccessURL != "http://dc.zah.uni-heidelberg.de/flashheros/q/sdl/dlget" {
		t.Errorf("descriptor %+v", sd)
	}
	band := sd.Input("band")
	if band == nil || band.XType != "interval" || band.Min != "4.01053e-07" || band.Max != "6.792e-07" || band.Unit != "m" {
		t.Errorf("BAND input %+v", band)
	}
	if f := sd.Input("FORMAT"); f == nil || len(f.Options) != 7 {
		t.Errorf("FORMAT input %+v", f)
	}
	// Fixed ID plus a user BAND, written new-style.
	u, err := sd.URL(nil, url.Values{"BAND": {svcparam.Interval{Lo: 5e-7, Hi: 6e-7}.Space()}})
	if err != nil {
		t.Fatal(err)
	}
	pu, _ := url.Parse(u)
	if got := pu.Query(); got.Get("ID") != "ivo://org.gavo.dc/~?flashheros/data/ca90/f0011.mt" || got.Get("BAND") != "5e-07 6e-07" {
		t.Errorf("SODA URL %s", u)
	}
	if _, err := sd.Params(nil, url.Values{"NOPE": {"1"}}); err == nil || !strings.Contains(err.Error(), "NOPE") || !strings.Contains(err.Error(), "BAND") {
		t.Errorf("unknown parameter error %v", err)
	}
}

func TestNarrowerSemantics(t *testing.T) {
	l, err := Parse(recorded(t, "proc.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(l.BySemantics("#preview", true)); n != 2 {
		t.Errorf("#preview with narrower: %d links, want 2 (#preview, #preview-image)", n)
	}
	if n := len(l.BySemantics("#preview", false)); n != 1 {
		t.Errorf("#preview exact: %d links, want 1", n)
	}
	if n := len(l.BySemantics("urn:example:rdf/dlext#oracle", true)); n != 1 {
		t.Errorf("custom semantics: %d links, want 1", n)
	}
	sd := l.Service("procsvc")
	if sd == nil || sd.Input("CIRCLE") == nil || sd.Input("POLYGON") == nil {
		t.Fatalf("procsvc descriptor %+v", sd)
	}
	c, err := ParseCircle("101.1 -0.59 0.1")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Cutout{Circle: c}.Params()
	if err != nil {
		t.Fatal(err)
	}
	got, err := sd.Params(nil, p)
	if err != nil || got.Get("CIRCLE") != "101.1 -0.59 0.1" || got.Get("ID") == "" {
		t.Errorf("SODA params %v, %v", got, err)
	}
}

func TestLinksDescriptorOfResults(t *testing.T) {
	doc := recorded(t, "datalink-obscore.xml")
	sd := LinksService(doc)
	if sd == nil || sd.AccessURL != "https://example.com/obscore-datalink" {
		t.Fatalf("links descriptor %+v", sd)
	}
	tab, err := dataset.ResultsTable(doc)
	if err != nil {
		t.Fatal(err)
	}
	rec := dataset.Record{Table: tab, Row: 0}
	p, err := sd.Params(&rec, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Get("ID") != rec.Get("obs_publisher_did") || p.Get("ID") == "" {
		t.Errorf("ID %q, want the row's obs_publisher_did %q", p.Get("ID"), rec.Get("obs_publisher_did"))
	}
	if p.Get("RESPONSEFORMAT") != ContentDataLink {
		t.Errorf("fixed RESPONSEFORMAT %q", p.Get("RESPONSEFORMAT"))
	}
	// The SSA recording has a SODA descriptor whose ID refers to a column.
	ssaDoc := recorded(t, "datalink-ssa.xml")
	ds := Descriptors(ssaDoc)
	if len(ds) != 2 || !ds[0].IsSODA() || !ds[1].IsLinks() {
		t.Fatalf("SSA descriptors %+v", ds)
	}
	if _, err := ds[0].Params(nil, nil); err == nil {
		t.Error("a referenced parameter without a row must fail")
	}
}

func TestCutoutParams(t *testing.T) {
	tests := []struct {
		name string
		c    Cutout
		want string
		err  bool
	}{
		{"circle", Cutout{Circle: &svcparam.Circle{RA: 10, Dec: 20, Radius: 0.5}}, "CIRCLE=10+20+0.5", false},
		{"polygon", Cutout{Polygon: svcparam.Polygon{1, 1, 2, 1, 2, 2}}, "POLYGON=1+1+2+1+2+2", false},
		{"band open", Cutout{Band: []svcparam.Interval{{Lo: 5e-7, Hi: svcparam.Open}}}, "BAND=5e-07+%2BInf", false},
		{"time", Cutout{Time: []svcparam.TimeRange{{Start: time.Date(2000, 1, 1, 12, 0, 0, 0, time.UTC), End: time.Date(2000, 1, 2, 12, 0, 0, 0, time.UTC)}}}, "TIME=51544.5+51545.5", false},
		{"pos range", Cutout{Pos: "RANGE 10 11 20 21"}, "POS=RANGE+10+11+20+21", false},
		{"pos bad", Cutout{Pos: "BOX 1 2"}, "", true},
		{"circle bad", Cutout{Circle: &svcparam.Circle{RA: 10, Dec: 99, Radius: 1}}, "", true},
		{"polygon short", Cutout{Polygon: svcparam.Polygon{1, 2, 3, 4}}, "", true},
		{"empty", Cutout{}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := tt.c.Params()
			if tt.err {
				if err == nil {
					t.Fatalf("no error, params %v", p)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Encode(); got != tt.want {
				t.Errorf("%s, want %s", got, tt.want)
			}
		})
	}
}

// linksServer answers {links} requests with one #this row per ID, and
// serves the datasets.
func linksServer(t *testing.T, requests *atomic.Int32) *httptest.Server {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/links":
			requests.Add(1)
			ids := r.URL.Query()["ID"]
			w.Header().Set("Content-Type", ContentDataLink)
			fmt.Fprint(w, `<VOTABLE version="1.4"><RESOURCE type="results"><INFO name="QUERY_STATUS" value="OK"/><TABLE>
<FIELD name="ID" datatype="char" arraysize="*"/><FIELD name="access_url" datatype="char" arraysize="*"/>
<FIELD name="service_def" datatype="char" arraysize="*"/><FIELD name="error_message" datatype="char" arraysize="*"/>
<FIELD name="semantics" datatype="char" arraysize="*"/><FIELD name="description" datatype="char" arraysize="*"/>
<FIELD name="content_type" datatype="char" arraysize="*"/><FIELD name="content_length" datatype="long"/>
<DATA><TABLEDATA>`)
			for _, id := range ids {
				if id == "missing" {
					fmt.Fprintf(w, "<TR><TD>%s</TD><TD/><TD/><TD>NotFoundFault: %s</TD><TD>#this</TD><TD/><TD/><TD/></TR>\n", id, id)
					continue
				}
				fmt.Fprintf(w, "<TR><TD>%s</TD><TD>%s/data/%s.fits</TD><TD/><TD/><TD>#this</TD><TD>data</TD><TD>application/fits</TD><TD>4</TD></TR>\n", id, srv.URL, id)
				fmt.Fprintf(w, "<TR><TD>%s</TD><TD/><TD>soda</TD><TD/><TD>#cutout</TD><TD>cut</TD><TD/><TD/></TR>\n", id)
			}
			fmt.Fprint(w, `</TABLEDATA></DATA></TABLE></RESOURCE>
<RESOURCE ID="soda" type="meta" utype="adhoc:service"><PARAM name="accessURL" datatype="char" arraysize="*" value="`+srv.URL+`/soda"/>
<PARAM name="standardID" datatype="char" arraysize="*" value="`+SODASync+`"/></RESOURCE></VOTABLE>`)
		case "/links-broken":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html><title>Internal error</title></html>")
		default:
			w.Header().Set("Content-Type", "application/fits")
			fmt.Fprint(w, "FITS")
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestLinksBatchingAndResolve(t *testing.T) {
	var n atomic.Int32
	srv := linksServer(t, &n)
	c := &Client{HTTP: dal.New(dal.Options{Retries: -1, Timeout: 20 * time.Second}), Batch: 3}
	var ids []string
	for i := range 7 {
		ids = append(ids, fmt.Sprintf("ds%d", i))
	}
	ids = append(ids, "missing")
	l, err := c.Links(context.Background(), srv.URL+"/links", ids, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := n.Load(); got != 3 {
		t.Errorf("%d requests for 8 IDs in batches of 3", got)
	}
	if len(l.IDs()) != 8 || len(l.BySemantics("#this", false)) != 8 || len(l.Errors()) != 1 {
		t.Errorf("merged: %d IDs, %d #this, %d errors", len(l.IDs()), len(l.BySemantics("#this", false)), len(l.Errors()))
	}
	// Each batch's "soda" descriptor stays reachable from its own rows.
	if len(l.Services) != 3 {
		t.Fatalf("%d services", len(l.Services))
	}
	for _, r := range l.BySemantics("#proc", true) {
		if l.Service(r.ServiceDef) == nil {
			t.Errorf("row %s: service %q lost in the merge", r.ID, r.ServiceDef)
		}
	}
	a, err := c.Resolve(context.Background(), dataset.Access{URL: srv.URL + "/links?ID=ds1", Format: ContentDataLink, Name: "spec1"})
	if err != nil {
		t.Fatal(err)
	}
	if a.URL != srv.URL+"/data/ds1.fits" || a.Name != "spec1.fits" || a.Size != 4 {
		t.Errorf("resolved %+v", a)
	}
	if _, err := c.Resolve(context.Background(), dataset.Access{URL: srv.URL + "/links?ID=missing", Format: ContentDataLink}); err == nil || !strings.Contains(err.Error(), "NotFoundFault") {
		t.Errorf("resolving a missing ID: %v", err)
	}
	if _, err := c.Fetch(context.Background(), srv.URL+"/links-broken"); !errors.Is(err, dal.ErrNotVOTable) {
		t.Errorf("HTML links page: %v", err)
	}
	dir := t.TempDir()
	d, err := dataset.Download(context.Background(), c.HTTP, a.URL, dir, a.Name, nil)
	if err != nil || d.Bytes != 4 {
		t.Fatalf("download %+v %v", d, err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`<VOTABLE><RESOURCE type="results"><TABLE><FIELD name="ID" datatype="char" arraysize="*"/><FIELD name="access_url" datatype="char" arraysize="*"/><FIELD name="service_def" datatype="char" arraysize="*"/><FIELD name="error_message" datatype="char" arraysize="*"/><FIELD name="semantics" datatype="char" arraysize="*"/><FIELD name="content_length" datatype="long"/><DATA><TABLEDATA><TR><TD>a</TD><TD>http://x</TD><TD/><TD/><TD>#this</TD><TD>5</TD></TR></TABLEDATA></DATA></TABLE></RESOURCE><RESOURCE type="meta" utype="adhoc:service" ID="s"><GROUP name="inputParams"><PARAM name="ID" datatype="char" arraysize="*" ref="x" value=""/></GROUP></RESOURCE></VOTABLE>`))
	// Deep nesting in the service descriptor (the XML guard stops it at 256).
	f.Add([]byte(`<VOTABLE><RESOURCE type="meta" utype="adhoc:service" ID="s">` + strings.Repeat("<GROUP>", 300) + strings.Repeat("</GROUP>", 300) + `</RESOURCE></VOTABLE>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		doc, err := votable.Read(strings.NewReader(string(b)))
		if err != nil {
			return
		}
		l, err := Parse(doc)
		if err != nil {
			return
		}
		for _, r := range l.Rows {
			_ = r.Kind()
		}
		_ = l.BySemantics("#this", true)
		for _, s := range l.Services {
			tab := l.Table
			_, _ = s.Params(&dataset.Record{Table: tab, Row: 0}, nil)
		}
	})
}

func TestLinksFaults(t *testing.T) {
	fs := faultsvc.New(t)
	c := &Client{HTTP: dal.New(dal.Options{Retries: -1, Timeout: 20 * time.Second, IdleTimeout: 5 * time.Second})}
	tests := []struct {
		path string
		kind error
	}{
		{"/error-before?msg=unknown+ID", dal.ErrService},
		{"/500-votable?msg=db+down", dal.ErrService},
		{"/html", dal.ErrNotVOTable},
		{"/ok?rows=2", dal.ErrInvalid}, // a VOTable, but not a links table
		{"/truncated?rows=100", nil},
	}
	for _, tt := range tests {
		_, err := c.Links(context.Background(), fs.URLOf(tt.path), []string{"a", "b"}, nil)
		if err == nil || (tt.kind != nil && !errors.Is(err, tt.kind)) {
			t.Errorf("%s: err %v, want %v", tt.path, err, tt.kind)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := c.Resolve(ctx, dataset.Access{URL: fs.URLOf("/hang"), Format: ContentDataLink}); err == nil {
		t.Error("no error from a hanging links service")
	}
	if _, err := c.Links(context.Background(), fs.URLOf("/ok"), nil, nil); err == nil {
		t.Error("no error for an empty ID list")
	}
}
