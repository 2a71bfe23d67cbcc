package sia

import (
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/internal/faultsvc"
	"github.com/voagent/voagent/vo/dataset"
	"github.com/voagent/voagent/vo/svcparam"
	"github.com/voagent/voagent/vo/votable"
)

func TestParams1(t *testing.T) {
	tests := []struct {
		name string
		q    Query
		want string
		err  string
	}{
		{"square", Query{RA: 150, Dec: 2, Size: []float64{0.1}}, "POS=150%2C2&SIZE=0.1", ""},
		{"rect and options", Query{RA: -359.5, Dec: 2, Size: []float64{0.1, 0.2}, Format: "image/fits", Intersect: "covers", Verb: 0, VerbSet: true},
			"FORMAT=image%2Ffits&INTERSECT=COVERS&POS=0.5%2C2&SIZE=0.1%2C0.2&VERB=0", ""},
		{"no size", Query{RA: 1, Dec: 1}, "", "SIZE"},
		{"bad intersect", Query{RA: 1, Dec: 1, Size: []float64{1}, Intersect: "NEAR"}, "", "INTERSECT"},
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

func TestParams2(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2000, 1, d, 12, 0, 0, 0, time.UTC) }
	tests := []struct {
		name string
		q    Query2
		want string
		err  bool
	}{
		{"circle band", Query2{Circles: []svcparam.Circle{{RA: 150, Dec: 2, Radius: 0.1}}, Band: []svcparam.Interval{{Lo: 1e-6, Hi: 2e-6}}},
			"BAND=0.000001+0.000002&POS=CIRCLE+150+2+0.1", false},
		{"range polygon time", Query2{Ranges: []Range{{RA: svcparam.Interval{Lo: 10, Hi: 11}, Dec: svcparam.Interval{Lo: -1, Hi: svcparam.Open}}},
			Polygons: []svcparam.Polygon{{1, 1, 2, 1, 2, 2}}, Time: []svcparam.TimeRange{{Start: day(1), End: day(2)}}},
			"POS=RANGE+10+11+-1+%2BInf&POS=POLYGON+1+1+2+1+2+2&TIME=51544.5+51545.5", false},
		{"strings and calib", Query2{Collection: []string{"a", "b"}, Calib: []int{2}, Pol: []string{"I"}, MaxRec: 3},
			"CALIB=2&COLLECTION=a&COLLECTION=b&MAXREC=3&POL=I", false},
		{"nothing", Query2{}, "", true},
		{"bad circle", Query2{Circles: []svcparam.Circle{{RA: 1, Dec: 1, Radius: 0}}}, "", true},
		{"bad calib", Query2{Calib: []int{7}}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := tt.q.Params()
			if tt.err {
				if err == nil {
					t.Fatalf("no error: %v", p)
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

// TestRecorded reads pyvo's recorded SIA 1 and SIA 2 answers.
func TestRecorded(t *testing.T) {
	doc, err := votable.ReadFile(faultsvc.Conformance(t, "pyvo/dal/tests/data/sia/dataset.xml"))
	if err != nil {
		t.Fatal(err)
	}
	tab, err := dataset.ResultsTable(doc)
	if err != nil {
		t.Fatal(err)
	}
	a := Access(dataset.Record{Table: tab, Row: 0})
	// The recording has a decoy column with utype obscore:access.reference
	// before the real access reference.
	if a.URL != "http://example.com/querydata/image.fits" || a.Format != "image/fits" || a.Size != 153280 || a.Name != "Test_Observation.fits" {
		t.Errorf("SIA 1 access %+v", a)
	}
	doc2, err := votable.ReadFile(faultsvc.Conformance(t, "pyvo/dal/tests/data/sia2/dataset.xml"))
	if err != nil {
		t.Fatal(err)
	}
	tab2, err := dataset.ResultsTable(doc2)
	if err != nil {
		t.Fatal(err)
	}
	a2 := ObsCoreAccess(dataset.Record{Table: tab2, Row: 0})
	if !strings.HasPrefix(a2.URL, "http") || a2.Name == "" {
		t.Errorf("SIA 2 access %+v", a2)
	}
}
