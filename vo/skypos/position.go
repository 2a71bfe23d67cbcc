package skypos

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// ParseRA parses a right ascension in degrees ("150.119") or sexagesimal
// hours ("10:00:28.6", "10 00 28.6", "10h00m28.6s"); sexagesimal written
// with d or ° ("150d07m08s") is in degrees. The result is in [0, 360).
func ParseRA(s string) (float64, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, fmt.Errorf("empty right ascension")
	}
	var v float64
	var err error
	switch {
	case isDecimal(t):
		v, err = strconv.ParseFloat(t, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("right ascension %q is not a number", s)
		}
	case strings.ContainsAny(t, "dD°"):
		v, err = ParseSexagesimal(t, false)
	default:
		v, err = ParseSexagesimal(t, true)
	}
	if err != nil {
		return 0, fmt.Errorf("right ascension %q: %w", s, err)
	}
	if v < 0 || v >= 360 {
		return 0, fmt.Errorf("right ascension %q is %g degrees, out of range [0, 360)", s, v)
	}
	return v, nil
}

// ParseDec parses a declination in degrees ("2.206", "-2.206") or
// sexagesimal degrees ("+02:12:21", "+2d12m21s", "-02 12 21"). The result
// is in [-90, 90].
func ParseDec(s string) (float64, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, fmt.Errorf("empty declination")
	}
	var v float64
	var err error
	if isDecimal(t) {
		v, err = strconv.ParseFloat(t, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("declination %q is not a number", s)
		}
	} else if v, err = ParseSexagesimal(t, false); err != nil {
		return 0, fmt.Errorf("declination %q: %w", s, err)
	}
	if v < -90 || v > 90 {
		return 0, fmt.Errorf("declination %q is %g degrees, out of range [-90, 90]", s, v)
	}
	return v, nil
}

// isDecimal reports whether s is one plain number ("150.119", "+2.2",
// "1e-3"), as opposed to a sexagesimal angle.
func isDecimal(s string) bool {
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9', r == '.':
		case (r == '+' || r == '-') && (i == 0 || s[i-1] == 'e' || s[i-1] == 'E'):
		case (r == 'e' || r == 'E') && i > 0:
		default:
			return false
		}
	}
	return true
}

// ParsePosition parses a sky position typed by a user: decimal degrees
// ("150.119 2.206", "150.119,+2.206") or sexagesimal, right ascension in
// hours ("10:00:28.6 +02:12:21", "10 00 28.6 +02 12 21",
// "10h00m28.6s +2d12m21s", "10:00:28.6+02:12:21"). It returns ICRS
// degrees and ok true for coordinates. A string that does not look like
// coordinates (it starts with a letter, or holds letters other than the
// h, m, s, d of sexagesimal angles and the e of exponents: "M31",
// "NGC 253", "3C 273") gives ok false and no error: it is an object name,
// for a name resolver. A string that looks like coordinates but is wrong
// ("150 95", "10:61:00 +2") is an error saying what is wrong.
func ParsePosition(s string) (ra, dec float64, ok bool, err error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, 0, false, fmt.Errorf("empty position")
	}
	if !looksLikeCoordinates(t) {
		return 0, 0, false, nil
	}
	raS, decS, err := splitPosition(t)
	if err != nil {
		return 0, 0, false, fmt.Errorf("position %q: %w", s, err)
	}
	if ra, err = ParseRA(raS); err != nil {
		return 0, 0, false, fmt.Errorf("position %q: %w", s, err)
	}
	if dec, err = ParseDec(decS); err != nil {
		return 0, 0, false, fmt.Errorf("position %q: %w", s, err)
	}
	return ra, dec, true, nil
}

// looksLikeCoordinates: starts with a digit, a sign or a dot, and holds no
// letter but those of sexagesimal angles and exponents.
func looksLikeCoordinates(t string) bool {
	c := t[0]
	if !(c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') {
		return false
	}
	for _, r := range t {
		if unicode.IsLetter(r) && !strings.ContainsRune("hHmMsSdDeE", r) {
			return false
		}
	}
	return true
}

// splitPosition cuts a position string into its right ascension and
// declination parts: at a comma, else between two whitespace-separated
// fields, else before the field (or character) where the declination's
// sign starts, else in the middle of an even number of fields.
func splitPosition(t string) (string, string, error) {
	if strings.Count(t, ",") == 1 {
		a, b, _ := strings.Cut(t, ",")
		return a, b, nil
	}
	if strings.Contains(t, ",") {
		return "", "", fmt.Errorf("want one comma between right ascension and declination")
	}
	f := strings.Fields(t)
	switch {
	case len(f) == 2:
		return f[0], f[1], nil
	case len(f) == 1:
		// "10:00:28.6+02:12:21": cut at the sign after the first character
		// (not an exponent's).
		for i := 1; i < len(t); i++ {
			if (t[i] == '+' || t[i] == '-') && t[i-1] != 'e' && t[i-1] != 'E' {
				return t[:i], t[i:], nil
			}
		}
		return "", "", fmt.Errorf("want a right ascension and a declination")
	case len(f) > 6:
		return "", "", fmt.Errorf("too many fields (want at most 3 per coordinate)")
	}
	for i := 1; i < len(f); i++ {
		if f[i][0] == '+' || f[i][0] == '-' {
			return strings.Join(f[:i], " "), strings.Join(f[i:], " "), nil
		}
	}
	if len(f)%2 == 0 {
		return strings.Join(f[:len(f)/2], " "), strings.Join(f[len(f)/2:], " "), nil
	}
	return "", "", fmt.Errorf("cannot tell where the declination starts (write its sign, or separate the coordinates with a comma)")
}
