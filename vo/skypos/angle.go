package skypos

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Degrees per unit of the angle units a position or radius column may carry.
const (
	radToDeg    = 180 / math.Pi
	arcsecToDeg = 1.0 / 3600
)

// UnitScale returns the degrees per unit of an angle unit (deg, rad, h or
// hourangle, arcmin, arcsec, mas and their usual spellings, case
// insensitive), or def when unit is empty. An unknown unit is an error
// naming it.
func UnitScale(unit string, def float64) (float64, error) {
	switch strings.ToLower(strings.TrimSpace(unit)) {
	case "":
		return def, nil
	case "deg", "degree", "degrees", "°":
		return 1, nil
	case "rad", "radian", "radians":
		return radToDeg, nil
	case "arcsec", "arcsecond", "arcseconds", "\"", "asec":
		return arcsecToDeg, nil
	case "arcmin", "arcminute", "arcminutes", "'", "amin":
		return 1.0 / 60, nil
	case "mas", "milliarcsec":
		return arcsecToDeg / 1000, nil
	case "h", "hour", "hours", "hourangle", "hr":
		return 15, nil
	}
	return 0, fmt.Errorf("unknown angle unit %q (want deg, rad, h, arcmin, arcsec or mas)", unit)
}

// ParseSexagesimal parses a sexagesimal angle ("10:00:28.6", "10 00 28.6",
// "10h00m28.6s", "-02:12:21", "+02d12m21s", "-02°12'21\"") and returns it
// in degrees; hours, when true, multiplies by 15 (right ascensions are
// conventionally in hours). A plain decimal number is accepted as well (in
// hours when hours is true). Minutes and seconds must be below 60, and
// only the first field may carry a sign.
func ParseSexagesimal(s string, hours bool) (float64, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, fmt.Errorf("empty sexagesimal angle")
	}
	neg := false
	switch t[0] {
	case '-':
		neg, t = true, t[1:]
	case '+':
		t = t[1:]
	}
	fields := strings.FieldsFunc(t, func(r rune) bool {
		switch r {
		case ':', ' ', '\t', 'h', 'H', 'd', 'D', 'm', 'M', 's', 'S', '\'', '"', '°':
			return true
		}
		return false
	})
	if len(fields) == 0 || len(fields) > 3 {
		return 0, fmt.Errorf("sexagesimal angle %q: want 1 to 3 fields", s)
	}
	v := 0.0
	div := 1.0
	for i, f := range fields {
		x, err := strconv.ParseFloat(f, 64)
		if err != nil || x < 0 || math.IsInf(x, 0) || math.IsNaN(x) || f[0] == '+' || f[0] == '-' {
			return 0, fmt.Errorf("sexagesimal angle %q: bad field %q", s, f)
		}
		if i > 0 && x >= 60 {
			return 0, fmt.Errorf("sexagesimal angle %q: field %q is not below 60", s, f)
		}
		v += x / div
		div *= 60
	}
	if hours {
		v *= 15
	}
	if math.IsInf(v, 0) {
		return 0, fmt.Errorf("sexagesimal angle %q: out of range", s)
	}
	if neg {
		v = -v
	}
	return v, nil
}
