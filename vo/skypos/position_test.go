package skypos

import (
	"math"
	"strings"
	"testing"
)

func TestParsePosition(t *testing.T) {
	ra0, dec0 := hms(10, 0, 28.6), dms(1, 2, 12, 21)
	for _, c := range []struct {
		in      string
		ra, dec float64
		name    bool   // not coordinates: a name for the resolver
		err     string // an error containing this
	}{
		{in: "150.119 2.206", ra: 150.119, dec: 2.206},
		{in: "150.119,+2.206", ra: 150.119, dec: 2.206},
		{in: " 150.119 , -2.206 ", ra: 150.119, dec: -2.206},
		{in: "0 -90", ra: 0, dec: -90},
		{in: "1.5e2 2e0", ra: 150, dec: 2},
		{in: "10:00:28.6 +02:12:21", ra: ra0, dec: dec0},
		{in: "10:00:28.6 02:12:21", ra: ra0, dec: dec0},
		{in: "10 00 28.6 +02 12 21", ra: ra0, dec: dec0},
		{in: "10 00 28.6 02 12 21", ra: ra0, dec: dec0},
		{in: "10h00m28.6s +2d12m21s", ra: ra0, dec: dec0},
		{in: "10h00m28.6s,+2d12m21s", ra: ra0, dec: dec0},
		{in: "10:00:28.6+02:12:21", ra: ra0, dec: dec0},
		{in: "10:00:28.6-02:12:21", ra: ra0, dec: -dec0},
		{in: "150d07m08.4s +2.206", ra: 150 + 7.0/60 + 8.4/3600, dec: 2.206},
		{in: "M31", name: true},
		{in: "NGC 253", name: true},
		{in: "3C 273", name: true},
		{in: "HD 1", name: true},
		{in: "2MASS J10002860+0212211", name: true},
		{in: "Barnard's star", name: true},
		{in: "150.119 95", err: "out of range [-90, 90]"},
		{in: "360 0", err: "out of range [0, 360)"},
		{in: "-1 0", err: "out of range [0, 360)"},
		{in: "10:61:00 +02:00:00", err: "not below 60"},
		{in: "150.119", err: "want a right ascension and a declination"},
		{in: "1,2,3", err: "one comma"},
		{in: "10 00 28.6 02 12", err: "cannot tell where"},
		{in: "1 2 3 4 5 6 7", err: "too many fields"},
		{in: "", err: "empty position"},
		{in: "150.119,", err: "empty declination"},
	} {
		ra, dec, ok, err := ParsePosition(c.in)
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ParsePosition(%q) = %g, %g, %v, %v; want an error containing %q", c.in, ra, dec, ok, err, c.err)
			}
		case c.name:
			if ok || err != nil {
				t.Errorf("ParsePosition(%q) = %g, %g, %v, %v; want a name (ok false, no error)", c.in, ra, dec, ok, err)
			}
		default:
			if !ok || err != nil || math.Abs(ra-c.ra) > 1e-9 || math.Abs(dec-c.dec) > 1e-9 {
				t.Errorf("ParsePosition(%q) = %.10g, %.10g, %v, %v; want %.10g, %.10g", c.in, ra, dec, ok, err, c.ra, c.dec)
			}
		}
	}
}

func TestParseRADec(t *testing.T) {
	for _, c := range []struct {
		in   string
		ra   bool
		want float64
		err  string
	}{
		{in: "150.119", ra: true, want: 150.119},
		{in: "10h00m28.6s", ra: true, want: hms(10, 0, 28.6)},
		{in: "10:00:28.6", ra: true, want: hms(10, 0, 28.6)},
		{in: "10 00 28.6", ra: true, want: hms(10, 0, 28.6)},
		{in: "150d", ra: true, want: 150},
		{in: "24:00:00", ra: true, err: "out of range"},
		{in: "abc", ra: true, err: "bad field"},
		{in: "nan", ra: true, err: "bad field"},
		{in: "+2.206", want: 2.206},
		{in: "+02:12:21", want: dms(1, 2, 12, 21)},
		{in: "-2d12m21s", want: dms(-1, 2, 12, 21)},
		{in: "-90.5", err: "out of range"},
		{in: "", err: "empty declination"},
	} {
		var got float64
		var err error
		if c.ra {
			got, err = ParseRA(c.in)
		} else {
			got, err = ParseDec(c.in)
		}
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("parse %q (ra %v) = %g, %v; want an error containing %q", c.in, c.ra, got, err, c.err)
			}
			continue
		}
		if err != nil || math.Abs(got-c.want) > 1e-9 {
			t.Errorf("parse %q (ra %v) = %.10g, %v; want %.10g", c.in, c.ra, got, err, c.want)
		}
	}
}

func FuzzParsePosition(f *testing.F) {
	for _, s := range []string{"150.119 2.206", "150.119,+2.206", "10:00:28.6 +02:12:21", "10h00m28.6s +2d12m21s",
		"10 00 28.6 -02 12 21", "M31", "3C 273", "1e5-3", "1,2,3", "10:00:28.6+02:12:21", "-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ra, dec, ok, err := ParsePosition(s)
		if err != nil && ok {
			t.Fatalf("ParsePosition(%q): ok with an error %v", s, err)
		}
		if !ok {
			return
		}
		if math.IsNaN(ra) || math.IsNaN(dec) || ra < 0 || ra >= 360 || dec < -90 || dec > 90 {
			t.Fatalf("ParsePosition(%q) = %g, %g: out of range", s, ra, dec)
		}
	})
}
