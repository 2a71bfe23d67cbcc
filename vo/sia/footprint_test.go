package sia

import "testing"

func TestFootprintContains(t *testing.T) {
	square := "Polygon ICRS 149.9834623149 1.9834721401 149.9834619817 2.0165276934 150.0165380183 2.0165276934 150.0165376851 1.9834721401"
	tests := []struct {
		region  string
		ra, dec float64
		want    bool
	}{
		{square, 150, 2, true},
		{square, 150.016, 2.016, true},
		{square, 150.0175, 2, false},
		{square, 150, 1.98, false},
		{"149.9 1.9 150.1 1.9 150.1 2.1", 150.09, 1.95, true}, // DALI polygon (triangle)
		{"149.9 1.9 150.1 1.9 150.1 2.1", 149.95, 2.05, false},
		{"Circle ICRS 10 -30 0.5", 10.2, -30.2, true},
		{"CIRCLE 10 -30 0.5", 10.7, -30, false},
		{"Polygon ICRS 359.99 -0.01 0.01 -0.01 0.01 0.01 359.99 0.01", 0.005, 0, true}, // across RA 0
		{"Polygon ICRS 359.99 -0.01 0.01 -0.01 0.01 0.01 359.99 0.01", 180, 0, false},
	}
	for _, tc := range tests {
		f, err := ParseRegion(tc.region)
		if err != nil {
			t.Errorf("%q: %v", tc.region, err)
			continue
		}
		if got := f.Contains(tc.ra, tc.dec); got != tc.want {
			t.Errorf("%q contains %g,%g = %v, want %v", tc.region, tc.ra, tc.dec, got, tc.want)
		}
	}
	box := Footprint{RA: 150, Dec: 2, Width: 120.0 / 3600, Height: 120.0 / 3600}
	for _, tc := range []struct {
		ra, dec float64
		want    bool
	}{{150, 2, true}, {150.0166, 2.0166, true}, {150.02, 2, false}, {150, 2.017, false}} {
		if got := box.Contains(tc.ra, tc.dec); got != tc.want {
			t.Errorf("box contains %g,%g = %v, want %v", tc.ra, tc.dec, got, tc.want)
		}
	}
	for _, bad := range []string{"", "Polygon ICRS 1 2 3 4", "Circle ICRS 1 2", "Box ICRS 1 2 3 4", "Polygon GALACTIC 1 2 3 4 5 6", "Polygon ICRS 1 x 3 4 5 6"} {
		if _, err := ParseRegion(bad); err == nil {
			t.Errorf("region %q accepted", bad)
		}
	}
}

func FuzzParseRegion(f *testing.F) {
	f.Add("Polygon ICRS 1 2 3 4 5 6")
	f.Add("Circle 10 -30 0.5")
	f.Fuzz(func(t *testing.T, s string) {
		if fp, err := ParseRegion(s); err == nil {
			fp.Contains(fp.RA, fp.Dec)
		}
	})
}
