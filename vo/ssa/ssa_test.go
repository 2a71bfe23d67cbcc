package ssa

import (
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/internal/faultsvc"
	"github.com/voagent/voagent/vo/dataset"
	"github.com/voagent/voagent/vo/svcparam"
	"github.com/voagent/voagent/vo/votable"
)

func TestParams(t *testing.T) {
	tr := svcparam.TimeRange{Start: time.Date(1998, 5, 21, 0, 0, 0, 0, time.UTC)}
	tests := []struct {
		name string
		q    Query
		want string
		err  string
	}{
		{"pos size", Query{Pos: &Pos{RA: 52, Dec: -27.8}, Size: 0.1}, "POS=52%2C-27.8&REQUEST=queryData&SIZE=0.1", ""},
		{"band old-style", Query{Band: &svcparam.Interval{Lo: 5e-7, Hi: svcparam.Open}}, "BAND=5e-07%2F&REQUEST=queryData", ""},
		{"time open end", Query{Time: &tr}, "REQUEST=queryData&TIME=1998-05-21T00%3A00%3A00%2F", ""},
		{"target format maxrec", Query{TargetName: " M 31 ", Format: "fits", MaxRec: 5}, "FORMAT=fits&MAXREC=5&REQUEST=queryData&TARGETNAME=M+31", ""},
		{"custom", Query{Extra: map[string][]string{"FLUXCALIB": {"RELATIVE"}}}, "FLUXCALIB=RELATIVE&REQUEST=queryData", ""},
		{"bad pos", Query{Pos: &Pos{RA: 1, Dec: -100}}, "", "POS"},
		{"bad band", Query{Band: &svcparam.Interval{Lo: 2, Hi: 1}}, "", "BAND"},
		{"bad size", Query{Size: -1}, "", "SIZE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := tt.q.Params()
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want one about %s", err, tt.err)
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

// TestRecorded reads pyvo's recorded SSA answer (JHU's SDSS spectra).
func TestRecorded(t *testing.T) {
	doc, err := votable.ReadFile(faultsvc.Conformance(t, "pyvo/dal/tests/data/ssa/result.xml"))
	if err != nil {
		t.Fatal(err)
	}
	tab, err := dataset.ResultsTable(doc)
	if err != nil {
		t.Fatal(err)
	}
	if tab.Rows() == 0 {
		t.Fatal("no rows")
	}
	a := Access(dataset.Record{Table: tab, Row: 0})
	if !strings.HasPrefix(a.URL, "http") || a.Format == "" || a.Name == "" || strings.ContainsAny(a.Name, "/ ") {
		t.Errorf("access %+v", a)
	}
}
