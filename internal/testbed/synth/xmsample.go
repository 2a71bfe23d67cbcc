package synth

import "math"

// XmatchSampleSeed seeds XmatchSample.
const XmatchSampleSeed = 15

// XmatchSample returns n positions (ICRS degrees, 6 decimals) for
// cross-match tests and benchmarks against the testbed's catalogues: three
// in four are true sources of the field (every source in turn, so all
// three catalogues have counterparts) moved by 0.4 arcsec of Gaussian
// noise per axis, the others uniform in the field (mostly without a
// counterpart). The same n always gives the same positions.
func XmatchSample(n int) (ra, dec []float64) {
	ts := truths()
	r := newRNG(XmatchSampleSeed)
	const noise = 0.4 / 3600
	step := max(1, len(ts)/max(1, n))
	ra, dec = make([]float64, n), make([]float64, n)
	for i := range n {
		if i%4 == 3 {
			rad := FieldRadius * math.Sqrt(r.float())
			th := 2 * math.Pi * r.float()
			dec[i] = FieldDec + rad*math.Sin(th)
			ra[i] = FieldRA + rad*math.Cos(th)/math.Cos(dec[i]*math.Pi/180)
		} else {
			t := ts[(i*step)%len(ts)]
			dec[i] = t.dec + noise*r.normal()
			ra[i] = t.ra + noise*r.normal()/math.Cos(t.dec*math.Pi/180)
		}
		ra[i], dec[i] = round(ra[i], 6), round(dec[i], 6)
	}
	return ra, dec
}
