package skypos

import "math"

// The galactic frame as astropy defines it: the north galactic pole at
// FK5 J2000 (192.8594812065348, 27.12825118085622) and the galactic
// longitude of the north celestial pole 122.9319185680026 degrees (the
// IAU 1958 definition carried to J2000: 192.85948, 27.12825, 122.93192),
// and FK5 J2000 tied to ICRS by the frame bias of USNO Circular 179
// (eta0 = -19.9 mas, xi0 = 9.1 mas, da0 = -22.9 mas). icrsToGal is the
// product of the two rotations; galToICRS its transpose.
var icrsToGal, galToICRS = galacticMatrices()

// rot is the rotation of the coordinate axes by angle a (degrees) about
// axis i (0 x, 1 y, 2 z).
func rot(a float64, i int) [3][3]float64 {
	s, c := math.Sincos(a / radToDeg)
	var m [3][3]float64
	a1, a2 := (i+1)%3, (i+2)%3
	m[i][i] = 1
	m[a1][a1], m[a1][a2] = c, s
	m[a2][a1], m[a2][a2] = -s, c
	return m
}

func mul(a, b [3][3]float64) [3][3]float64 {
	var m [3][3]float64
	for i := range 3 {
		for j := range 3 {
			for k := range 3 {
				m[i][j] += a[i][k] * b[k][j]
			}
		}
	}
	return m
}

func galacticMatrices() (toGal, toICRS [3][3]float64) {
	const (
		ngpRA  = 192.8594812065348
		ngpDec = 27.12825118085622
		lon0   = 122.9319185680026
		mas    = 1.0 / 3600000
	)
	fk5ToGal := mul(mul(rot(180-lon0, 2), rot(90-ngpDec, 1)), rot(ngpRA, 2))
	icrsToFK5 := mul(mul(rot(19.9*mas, 0), rot(9.1*mas, 1)), rot(-22.9*mas, 2))
	toGal = mul(fk5ToGal, icrsToFK5)
	for i := range 3 {
		for j := range 3 {
			toICRS[i][j] = toGal[j][i]
		}
	}
	return toGal, toICRS
}

// rotate applies m to the direction (lon, lat) in degrees and returns the
// rotated direction, longitude in [0, 360).
func rotate(m *[3][3]float64, lon, lat float64) (float64, float64) {
	sl, cl := math.Sincos(lon / radToDeg)
	sb, cb := math.Sincos(lat / radToDeg)
	v := [3]float64{cb * cl, cb * sl, sb}
	var w [3]float64
	for i := range 3 {
		w[i] = m[i][0]*v[0] + m[i][1]*v[1] + m[i][2]*v[2]
	}
	lon = math.Atan2(w[1], w[0]) * radToDeg
	if lon < 0 {
		lon += 360
	}
	if lon >= 360 {
		lon -= 360
	}
	return lon, math.Atan2(w[2], math.Hypot(w[0], w[1])) * radToDeg
}

// GalacticToICRS converts galactic (l, b) to ICRS (ra, dec), all in
// degrees, ra in [0, 360).
func GalacticToICRS(l, b float64) (ra, dec float64) { return rotate(&galToICRS, l, b) }

// ICRSToGalactic converts ICRS (ra, dec) to galactic (l, b), all in
// degrees, l in [0, 360).
func ICRSToGalactic(ra, dec float64) (l, b float64) { return rotate(&icrsToGal, ra, dec) }
