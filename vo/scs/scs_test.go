package scs

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/internal/faultsvc"
	"github.com/voagent/voagent/vo/dal"
	"github.com/voagent/voagent/vo/votable"
)

func TestParams(t *testing.T) {
	tests := []struct {
		name    string
		q       Query
		want    string // url-encoded, sorted
		wantErr string
	}{
		{"basic", Query{RA: 10, Dec: 20, SR: 0.01}, "DEC=20&RA=10&SR=0.01", ""},
		{"negative RA normalised", Query{RA: -10, Dec: -5.5, SR: 1}, "DEC=-5.5&RA=350&SR=1", ""},
		{"verb and maxrec", Query{RA: 1, Dec: 2, SR: 3, Verb: 3, MaxRec: 10}, "DEC=2&MAXREC=10&RA=1&SR=3&VERB=3", ""},
		{"metadata", Query{RA: 0, Dec: 0, SR: 0}, "DEC=0&RA=0&SR=0", ""},
		{"extra replaces case-insensitively", Query{RA: 1, Dec: 2, SR: 3, Extra: map[string][]string{"sr": {"4"}, "jmag": {"10 12"}}}, "DEC=2&RA=1&jmag=10+12&sr=4", ""},
		{"tiny radius no exponent", Query{RA: 1, Dec: 2, SR: 0.0001}, "DEC=2&RA=1&SR=0.0001", ""},
		{"dec out of range", Query{RA: 1, Dec: 91, SR: 1}, "", "Dec"},
		{"negative SR", Query{RA: 1, Dec: 1, SR: -1}, "", "SR"},
		{"bad verb", Query{RA: 1, Dec: 1, SR: 1, Verb: 4}, "", "VERB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := tt.q.Params()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want one naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Encode(); got != tt.want {
				t.Errorf("params %s, want %s", got, tt.want)
			}
		})
	}
}

// TestRecordedUCD1 reads pyvo's recorded SCS 1.03 answer (UCD1 columns).
func TestRecordedUCD1(t *testing.T) {
	doc, err := votable.ReadFile(faultsvc.Conformance(t, "pyvo/dal/tests/data/scs/result.xml"))
	if err != nil {
		t.Fatal(err)
	}
	tab := doc.Tables()[0]
	c, err := FindColumns(tab)
	if err != nil {
		t.Fatal(err)
	}
	if tab.Fields[c.RA].Name != "raj2000" || tab.Fields[c.Dec].Name != "dej2000" || tab.Fields[c.ID].Name != "id" {
		t.Errorf("columns %+v: %s %s %s", c, tab.Fields[c.ID].Name, tab.Fields[c.RA].Name, tab.Fields[c.Dec].Name)
	}
	r := &Result{Columns: c}
	r.Table = tab
	if tab.Rows() == 0 {
		t.Fatal("no rows")
	}
	s := r.Source(0)
	if s.ID == "" || s.RA < 77 || s.RA > 79 || s.Dec < 1 || s.Dec > 3 {
		t.Errorf("first source %+v, want near 78, 2", s)
	}
}

func TestFindColumnsMissing(t *testing.T) {
	tab := &votable.Table{Fields: []*votable.Field{{Name: "x", UCD: "pos.eq.ra"}}}
	if _, err := FindColumns(tab); err == nil {
		t.Error("no error for a table without SCS position columns")
	}
}

func newClient() *dal.Client {
	return dal.New(dal.Options{Timeout: 20 * time.Second, IdleTimeout: 5 * time.Second, Retries: -1})
}

// TestRecordedOverHTTP serves the recorded document and checks what is sent.
func TestRecordedOverHTTP(t *testing.T) {
	body, err := os.ReadFile(faultsvc.Conformance(t, "pyvo/dal/tests/data/scs/result.xml"))
	if err != nil {
		t.Fatal(err)
	}
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.RawQuery
		w.Header().Set("Content-Type", "text/xml")
		w.Write(body)
	}))
	defer srv.Close()
	res, err := New(srv.URL+"/scs?fixed=1&", newClient()).Search(context.Background(), Query{RA: 78, Dec: 2, SR: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	if got != "DEC=2&RA=78&SR=0.5&fixed=1" {
		t.Errorf("query string %q", got)
	}
	if res.Table.Rows() == 0 || res.Truncation != nil {
		t.Errorf("rows %d truncation %v", res.Table.Rows(), res.Truncation)
	}
	var buf bytes.Buffer
	n, _, err := New(srv.URL, newClient()).Copy(context.Background(), Query{RA: 78, Dec: 2, SR: 0.5}, &buf)
	if err != nil || n != int64(len(body)) || !bytes.Equal(buf.Bytes(), body) {
		t.Errorf("Copy: %d bytes, err %v; want the %d recorded bytes unchanged", n, err, len(body))
	}
}

// TestFaults runs the failure paths against the fault service.
func TestFaults(t *testing.T) {
	fs := faultsvc.New(t)
	tests := []struct {
		path string
		kind error
		msg  string
	}{
		{"/scs-error-info?msg=SR+missing", dal.ErrService, "SR missing"},
		{"/scs-error-param?msg=bad+cone", dal.ErrService, "bad cone"},
		{"/error-before?msg=broken", dal.ErrService, "broken"},
		{"/html", dal.ErrNotVOTable, ""},
		{"/500", dal.ErrHTTPStatus, ""},
		{"/truncated?rows=50", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			_, err := New(fs.URLOf(tt.path), newClient()).Search(context.Background(), Query{RA: 1, Dec: 1, SR: 1})
			if err == nil {
				t.Fatal("no error")
			}
			if tt.kind != nil && !errors.Is(err, tt.kind) {
				t.Errorf("err %v is not %v", err, tt.kind)
			}
			if tt.msg != "" && !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("err %v does not carry the service message %q", err, tt.msg)
			}
		})
	}
	t.Run("ok", func(t *testing.T) {
		res, err := New(fs.URLOf("/ok?rows=5"), newClient()).Search(context.Background(), Query{RA: 1, Dec: 1, SR: 1})
		if err != nil {
			t.Fatal(err)
		}
		if res.Table.Rows() != 5 {
			t.Fatalf("%d rows", res.Table.Rows())
		}
		id, ra, dec, _ := faultsvc.Row(3)
		if s := res.Source(3); s.RA != ra || s.Dec != dec || s.ID != "4" || id != 4 {
			t.Errorf("row 3 %+v", s)
		}
	})
	t.Run("overflow", func(t *testing.T) {
		res, err := New(fs.URLOf("/overflow?rows=4"), newClient()).Search(context.Background(), Query{RA: 1, Dec: 1, SR: 1, MaxRec: 4})
		if err != nil {
			t.Fatal(err)
		}
		if res.Truncation == nil || !res.Truncation.ByCaller {
			t.Errorf("truncation %v, want one by the caller's MAXREC", res.Truncation)
		}
	})
	t.Run("hang", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		_, err := New(fs.URLOf("/hang"), newClient()).Search(ctx, Query{RA: 1, Dec: 1, SR: 1})
		if err == nil {
			t.Fatal("no error from a hanging service")
		}
	})
}

// TestFindColumnsByRule: positions without the SCS UCDs are found by the
// vo/skypos rule (names, units, sexagesimal strings) and read in degrees.
func TestFindColumnsByRule(t *testing.T) {
	in := "id,RAJ2000,DEJ2000\nS1,10 00 00,-30 00 00\nS2,,\n"
	tab, err := votable.ReadCSV(strings.NewReader(in), "t")
	if err != nil {
		t.Fatal(err)
	}
	c, err := FindColumns(tab)
	if err != nil {
		t.Fatal(err)
	}
	if c.RA != 1 || c.Dec != 2 || c.ID != -1 {
		t.Errorf("columns %+v", c)
	}
	r := &Result{Columns: c}
	r.Table = tab
	if s := r.Source(0); s.RA != 150 || s.Dec != -30 {
		t.Errorf("row 0: %+v, want 150, -30", s)
	}
	if s := r.Source(1); s.RA != 0 || s.Dec != 0 {
		t.Errorf("row 1 (nulls): %+v, want 0, 0", s)
	}
	tab = &votable.Table{Name: "t", Fields: []*votable.Field{{Name: "flux"}}}
	if _, err := FindColumns(tab); err == nil || !strings.Contains(err.Error(), "POS_EQ_RA_MAIN") {
		t.Errorf("no positions: %v, want an error naming POS_EQ_RA_MAIN", err)
	}
}
