package sed

import (
	"math"
	"testing"
)

// FuzzFit fits magnitudes of any value in up to 8 bands: no panic, no
// hang; a fit returned has finite parameters, a positive temperature and
// scale, and non-negative chi-square.
func FuzzFit(f *testing.F) {
	f.Add(12.0, 11.5, 11.0, 10.8, 10.7, 10.6, 10.9, 11.3, 0.05)
	f.Add(20.0, 5.0, 20.0, 5.0, 20.0, 5.0, 20.0, 5.0, 0.0)
	f.Add(-30.0, 40.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0)
	bands := fitBands()
	f.Fuzz(func(t *testing.T, m0, m1, m2, m3, m4, m5, m6, m7, e float64) {
		var s Source
		for i, m := range []float64{m0, m1, m2, m3, m4, m5, m6, m7} {
			if math.IsNaN(m) || math.Abs(m) > 100 || math.IsNaN(e) || e < 0 || e > 10 {
				return
			}
			b := bands[(i*3)%len(bands)]
			s.Points = append(s.Points, Point{Wavelength: b.Wavelength, Mag: m, MagErr: e, Band: b.Name})
		}
		fl, _ := Fluxes(s, ZeroPoints)
		for _, fit := range []func([]Flux) (Fit, error){FitBlackbody, FitPowerLaw} {
			r, err := fit(fl)
			if err != nil {
				continue
			}
			if math.IsNaN(r.Params[0]) || math.IsInf(r.Params[0], 0) || !(r.Params[1] > 0) || !(r.ChiSq >= 0) {
				t.Fatalf("%s: %+v", r.Model, r)
			}
			if r.Model == "blackbody" && !(r.Params[0] > 0) {
				t.Fatalf("temperature %g", r.Params[0])
			}
		}
	})
}
