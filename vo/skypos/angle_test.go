package skypos

import (
	"math"
	"strings"
	"testing"
)

func TestParseSexagesimal(t *testing.T) {
	for _, c := range []struct {
		in    string
		hours bool
		want  float64
		err   string
	}{
		{in: "10:00:28.6", hours: true, want: hms(10, 0, 28.6)},
		{in: "10h00m28.6s", hours: true, want: hms(10, 0, 28.6)},
		{in: "10 00 28.6", hours: true, want: hms(10, 0, 28.6)},
		{in: "  10\t00\t28.6 ", hours: true, want: hms(10, 0, 28.6)},
		{in: "12h30m", hours: true, want: 187.5},
		{in: "00 00 36", hours: true, want: 0.15},
		{in: "-02:12:21", want: dms(-1, 2, 12, 21)},
		{in: "+02d12m21s", want: dms(1, 2, 12, 21)},
		{in: "-02 12 21", want: dms(-1, 2, 12, 21)},
		{in: "-02°12'21\"", want: dms(-1, 2, 12, 21)},
		{in: "-00:30:00", want: -0.5},
		{in: "-12 34 56.7", want: dms(-1, 12, 34, 56.7)},
		{in: "10.5", want: 10.5},
		{in: "10.5", hours: true, want: 157.5},
		{in: "12:60:00", hours: true, err: "not below 60"},
		{in: "12:00:60", hours: true, err: "not below 60"},
		{in: "1:2:3:4", err: "want 1 to 3 fields"},
		{in: "", err: "empty"},
		{in: "   ", err: "empty"},
		{in: "-", err: "want 1 to 3 fields"},
		{in: "ab:cd", err: "bad field"},
		{in: "12:-3:00", err: "bad field"},
		{in: "12:+3:00", err: "bad field"},
		{in: "--12", err: "bad field"},
		{in: "nan", err: "bad field"},
		{in: "inf", err: "bad field"},
		{in: "1e309", err: "bad field"},
	} {
		got, err := ParseSexagesimal(c.in, c.hours)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ParseSexagesimal(%q) = %g, %v; want an error containing %q", c.in, got, err, c.err)
			}
			continue
		}
		if err != nil || math.Abs(got-c.want) > 1e-12 {
			t.Errorf("ParseSexagesimal(%q, %v) = %.15g, %v; want %.15g", c.in, c.hours, got, err, c.want)
		}
	}
}

func FuzzParseSexagesimal(f *testing.F) {
	for _, s := range []string{"10:00:28.6", "10h00m28.6s", "-02:12:21", "+02d12m21s", "-00 30 36.5", "12h30m", "10.5", ":", "1e309", "-", "12:-3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, hours := range []bool{false, true} {
			v, err := ParseSexagesimal(s, hours)
			if err != nil {
				continue
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("ParseSexagesimal(%q, %v) = %g without error", s, hours, v)
			}
			// The sign is the text's: a leading minus and nothing else
			// makes a negative angle.
			neg := strings.HasPrefix(strings.TrimSpace(s), "-")
			if (v < 0) != (neg && v != 0) {
				t.Fatalf("ParseSexagesimal(%q, %v) = %g: sign", s, hours, v)
			}
		}
	})
}

func TestUnitScale(t *testing.T) {
	for _, c := range []struct {
		unit string
		def  float64
		want float64
		err  bool
	}{
		{"", 1, 1, false},
		{"", arcsecToDeg, arcsecToDeg, false},
		{"deg", 0, 1, false},
		{" Degrees ", 0, 1, false},
		{"rad", 0, 180 / math.Pi, false},
		{"h", 0, 15, false},
		{"hourangle", 0, 15, false},
		{"arcmin", 0, 1.0 / 60, false},
		{"arcsec", 0, 1.0 / 3600, false},
		{"mas", 0, 1.0 / 3.6e6, false},
		{"furlong", 0, 0, true},
		{"km/s", 0, 0, true},
	} {
		got, err := UnitScale(c.unit, c.def)
		if (err != nil) != c.err || math.Abs(got-c.want) > 1e-15 {
			t.Errorf("UnitScale(%q) = %g, %v; want %g (error %v)", c.unit, got, err, c.want, c.err)
		}
	}
}
