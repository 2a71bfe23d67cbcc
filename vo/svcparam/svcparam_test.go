package svcparam

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/voagent/voagent/internal/faultsvc"
	"github.com/voagent/voagent/vo/votable"
)

func TestIntervalFormats(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		iv           Interval
		slash, space string
	}{
		{Interval{1, 2}, "1/2", "1 2"},
		{Interval{5e-7, inf}, "5e-07/", "5e-07 +Inf"},
		{Interval{-inf, 3.5}, "/3.5", "-Inf 3.5"},
		{Interval{inf, inf}, "/", "-Inf +Inf"},
		{Interval{4000, 4000}, "4000", "4000 4000"},
		{Interval{0.25, 1e20}, "0.25/1e+20", "0.25 1e+20"},
	}
	for _, tt := range tests {
		if got := tt.iv.Slash(); got != tt.slash {
			t.Errorf("%v.Slash() = %q, want %q", tt.iv, got, tt.slash)
		}
		if got := tt.iv.Space(); got != tt.space {
			t.Errorf("%v.Space() = %q, want %q", tt.iv, got, tt.space)
		}
	}
}

func TestParseInterval(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		in   string
		want Interval
		err  bool
	}{
		{"1 2", Interval{1, 2}, false},
		{"1/2", Interval{1, 2}, false},
		{"1,2", Interval{1, 2}, false},
		{"5e-7/", Interval{5e-7, inf}, false},
		{"/3", Interval{-inf, 3}, false},
		{"-Inf 3", Interval{-inf, 3}, false},
		{"7", Interval{7, 7}, false},
		{"2 1", Interval{}, true},
		{"a b", Interval{}, true},
		{"1 2 3", Interval{}, true},
		{"NaN 1", Interval{}, true},
	}
	for _, tt := range tests {
		got, err := ParseInterval(tt.in)
		if (err != nil) != tt.err || (!tt.err && got != tt.want) {
			t.Errorf("ParseInterval(%q) = %v, %v; want %v (error %v)", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestTimes(t *testing.T) {
	j2000 := time.Date(2000, 1, 1, 12, 0, 0, 0, time.UTC)
	if got := MJD(j2000); got != 51544.5 {
		t.Errorf("MJD(J2000) = %v", got)
	}
	for in, want := range map[string]time.Time{
		"2000-01-01T12:00:00":  j2000,
		"2000-01-01T12:00:00Z": j2000,
		"MJD 51544.5":          j2000,
		"51544.5":              j2000,
		"2000":                 time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		got, err := ParseTime(in)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseTime("yesterday"); err == nil {
		t.Error("ParseTime(yesterday) did not fail")
	}
	r, err := ParseTimeRange("2000-01-01T12:00:00/")
	if err != nil || r.Slash() != "2000-01-01T12:00:00/" || r.Space() != "51544.5 +Inf" {
		t.Errorf("open range: %+v %v -> %q %q", r, err, r.Slash(), r.Space())
	}
	if _, err := ParseTimeRange("2001/2000"); err == nil {
		t.Error("reversed range accepted")
	}
}

func TestShapes(t *testing.T) {
	if err := (Circle{10, 20, 0.5}).Validate(); err != nil {
		t.Error(err)
	}
	for _, c := range []Circle{{10, 95, 1}, {10, 20, 0}, {10, 20, -1}, {math.NaN(), 0, 1}} {
		if c.Validate() == nil {
			t.Errorf("circle %v accepted", c)
		}
	}
	if got := (Polygon{1, 2, 3, 4, 5, 6}).Space(); got != "1 2 3 4 5 6" {
		t.Errorf("polygon %q", got)
	}
	if (Polygon{1, 2, 3, 4}).Validate() == nil || (Polygon{1, 2, 3, 4, 5}).Validate() == nil {
		t.Error("short polygon accepted")
	}
	if got := NormRA(-10); got != 350 {
		t.Errorf("NormRA(-10) = %v", got)
	}
}

func TestParseAssignment(t *testing.T) {
	for in, want := range map[string][2]string{"a=b": {"a", "b"}, "FLUXCALIB=": {"FLUXCALIB", ""}, " k =x=y": {"k", "x=y"}} {
		k, v, err := ParseAssignment(in)
		if err != nil || k != want[0] || v != want[1] {
			t.Errorf("ParseAssignment(%q) = %q, %q, %v", in, k, v, err)
		}
	}
	for _, in := range []string{"noequals", "=v", "a b=c", "a&b=c"} {
		if _, _, err := ParseAssignment(in); err == nil {
			t.Errorf("ParseAssignment(%q) accepted", in)
		}
	}
}

const metadataDoc = `<VOTABLE version="1.3"><RESOURCE type="results"><INFO name="QUERY_STATUS" value="OK"/>
<PARAM name="INPUT:POS" datatype="char" arraysize="*" unit="deg" value=""><DESCRIPTION>Position</DESCRIPTION></PARAM>
<PARAM name="INPUT:FLUXCALIB" datatype="char" arraysize="*" value="ANY"><VALUES><OPTION value="RELATIVE"/><OPTION value="ANY"/></VALUES></PARAM>
<PARAM name="INPUT:SPECRP" datatype="float" value=""><VALUES><MIN value="10"/><MAX value="1e5"/></VALUES></PARAM>
<PARAM name="OUTPUT:x" datatype="char" arraysize="*" value=""/>
<TABLE><FIELD name="a" datatype="int"/></TABLE></RESOURCE></VOTABLE>`

func TestFromMetadata(t *testing.T) {
	doc, err := votable.Read(strings.NewReader(metadataDoc))
	if err != nil {
		t.Fatal(err)
	}
	ps, err := FromMetadata(doc)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 3 || ps[0].Name != "POS" || ps[0].Unit != "deg" || ps[0].Description != "Position" {
		t.Fatalf("params %+v", ps)
	}
	if f := Find(ps, "fluxcalib"); f == nil || f.Value != "ANY" || len(f.Options) != 2 {
		t.Errorf("FLUXCALIB %+v", f)
	}
	if s := Find(ps, "SPECRP"); s == nil || s.Min != "10" || s.Max != "1e5" {
		t.Errorf("SPECRP %+v", s)
	}
	if u := Check(ps, []string{"pos", "NOPE"}); len(u) != 1 || u[0] != "NOPE" {
		t.Errorf("Check: %v", u)
	}
	// A document without INPUT parameters (pyvo's recorded SSA answer).
	rec, err := votable.ReadFile(faultsvc.Conformance(t, "pyvo/dal/tests/data/ssa/result.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := FromMetadata(rec); err == nil {
		t.Error("a result without INPUT: parameters passed as metadata")
	}
}

func FuzzParseInterval(f *testing.F) {
	for _, s := range []string{"1 2", "1/2", "/", "-Inf +Inf", "1e-7,", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		iv, err := ParseInterval(s)
		if err != nil {
			return
		}
		if iv.Lo > iv.Hi || math.IsNaN(iv.Lo) || math.IsNaN(iv.Hi) {
			t.Fatalf("ParseInterval(%q) = %v", s, iv)
		}
		// What we write, we read back.
		back, err := ParseInterval(iv.Space())
		if err != nil || back != iv {
			t.Fatalf("round trip of %v via %q: %v, %v", iv, iv.Space(), back, err)
		}
	})
}

func FuzzParseTimeRange(f *testing.F) {
	for _, s := range []string{"2000-01-01/2001", "MJD 51544.5", "51544 51545", "/2020-02-03T04:05:06Z", "x/y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseTimeRange(s)
		if err != nil {
			return
		}
		_ = r.Slash()
		_ = r.Space()
	})
}
