package xmatch

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Angle conversion factors.
const (
	degToRad    = math.Pi / 180
	radToDeg    = 180 / math.Pi
	arcsecToDeg = 1.0 / 3600
	twoPi       = 2 * math.Pi
	halfPi      = math.Pi / 2
)

// Separation returns the angular distance in degrees between two positions
// given in degrees. It uses the Vincenty formula (atan2 of the cross and dot
// products), which is accurate from 0 to 180 degrees, so exact at tiny
// angles and for antipodes alike, like astropy's angular_separation.
func Separation(ra1, dec1, ra2, dec2 float64) float64 {
	return separationRad(ra1*degToRad, dec1*degToRad, ra2*degToRad, dec2*degToRad) * radToDeg
}

func separationRad(ra1, dec1, ra2, dec2 float64) float64 {
	sd1, cd1 := math.Sincos(dec1)
	sd2, cd2 := math.Sincos(dec2)
	sdr, cdr := math.Sincos(ra2 - ra1)
	num1 := cd2 * sdr
	num2 := cd1*sd2 - sd1*cd2*cdr
	den := sd1*sd2 + cd1*cd2*cdr
	return math.Atan2(math.Hypot(num1, num2), den)
}

// haversine returns sin²(sep/2) of two positions in radians, given the
// cosines of their declinations. It is monotonic in the separation and
// accurate at tiny angles (no cancellation), which makes it the comparison
// key of the match kernels.
func haversine(ra1, dec1, cd1, ra2, dec2, cd2 float64) float64 {
	sdd := math.Sin((dec2 - dec1) / 2)
	sdr := math.Sin((ra2 - ra1) / 2)
	return sdd*sdd + cd1*cd2*sdr*sdr
}

// havToRad turns a haversine value back into a separation in radians.
func havToRad(h float64) float64 {
	if h <= 0 {
		return 0
	}
	if h >= 1 {
		return math.Pi
	}
	return 2 * math.Asin(math.Sqrt(h))
}

// radToHav is sin²(r/2), the haversine threshold for a radius r in radians.
func radToHav(r float64) float64 {
	if r >= math.Pi {
		return 1
	}
	s := math.Sin(r / 2)
	return s * s
}

// ParseAngle parses a radius or separation such as "1arcsec", "1.5\"",
// "0.5arcmin", "2'", "0.01deg", "3mas" or a bare number (taken in the unit
// given by defaultUnit: "deg", "arcmin", "arcsec" or "mas"), and returns it
// in degrees.
func ParseAngle(s, defaultUnit string) (float64, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, fmt.Errorf("empty angle")
	}
	units := []struct {
		suffix string
		scale  float64
	}{
		{"arcsec", arcsecToDeg}, {"arcmin", 1.0 / 60}, {"mas", arcsecToDeg / 1000},
		{"degrees", 1}, {"degree", 1}, {"deg", 1}, {"as", arcsecToDeg}, {"am", 1.0 / 60},
		{"\"", arcsecToDeg}, {"'", 1.0 / 60}, {"d", 1},
	}
	scale := 0.0
	for _, u := range units {
		if strings.HasSuffix(strings.ToLower(t), u.suffix) {
			scale = u.scale
			t = strings.TrimSpace(t[:len(t)-len(u.suffix)])
			break
		}
	}
	if scale == 0 {
		switch defaultUnit {
		case "deg", "":
			scale = 1
		case "arcmin":
			scale = 1.0 / 60
		case "arcsec":
			scale = arcsecToDeg
		case "mas":
			scale = arcsecToDeg / 1000
		default:
			return 0, fmt.Errorf("angle %q: unknown default unit %q", s, defaultUnit)
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("angle %q: not a number with a unit (deg, arcmin, arcsec, mas)", s)
	}
	return v * scale, nil
}
