// Package skypos finds the sky position of a table's rows: one rule for
// every part of voagent that needs one (cone search results, cross-match
// inputs, SEDs, the highlighted row of a loaded table).
//
// The rule, first match wins:
//
//  1. equatorial columns by UCD1+ (pos.eq.ra;meta.main, then pos.eq.ra;
//     the same for pos.eq.dec), then UCD1 (POS_EQ_RA_MAIN, then POS_EQ_RA);
//  2. equatorial columns by name, case-insensitive, as TOPCAT guesses them:
//     ra, ra_icrs, raj2000, ra2000, _raj2000, radeg, ra_deg, alpha_j2000,
//     s_ra ... and dec, de, dec_icrs, de_icrs, dej2000, decj2000, _dej2000,
//     dedeg, dec_deg, delta_j2000, s_dec ... (a Dec with the same suffix as
//     the RA is preferred: RA_ICRS goes with DE_ICRS, not DEJ2000);
//  3. galactic columns by UCD (pos.galactic.lon/lat, UCD1 POS_GAL_LON/LAT)
//     then by name (glon/glat, l/b, lii/bii, gal_l/gal_b), converted to
//     ICRS.
//
// Each axis (RA and Dec searched separately within a step) comes from the
// first step that finds it; a table whose RA and Dec come from different
// frames, or that has neither, gets an error naming what was looked for.
//
// Values: a numeric column is in its unit (none means degrees; h, hour or
// hourangle; rad; arcsec, arcmin, mas), a string column is sexagesimal
// (RA in hours unless its unit says degrees, Dec and galactic angles in
// degrees) or a decimal number in degrees.
package skypos

import (
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/voagent/voagent/internal/lazyre"
	"github.com/voagent/voagent/vo/votable"
)

// Frame is the celestial frame of a table's position columns.
type Frame uint8

// The frames positions are found in. Positions are always returned in
// ICRS degrees; Galactic columns are converted.
const (
	// ICRS covers every equatorial J2000 column (ICRS, FK5 J2000 and
	// unlabelled RA/Dec: they differ by less than 0.1 arcsec).
	ICRS Frame = iota + 1
	// Galactic is IAU galactic longitude and latitude.
	Galactic
)

// String names the frame.
func (f Frame) String() string {
	switch f {
	case ICRS:
		return "ICRS"
	case Galactic:
		return "galactic"
	}
	return "unknown frame"
}

// Options tune Find.
type Options struct {
	// RA and Dec name the position columns explicitly (by name,
	// case-insensitive, or by ID); an empty one is found by the rule, in
	// the frame of the named one.
	RA, Dec string
	// Frame is the frame of the named columns; 0 takes it from their UCDs
	// (pos.galactic.* or POS_GAL_* mean Galactic) and names (glon, l ...),
	// ICRS otherwise.
	Frame Frame
}

// Columns says where and how a table holds its positions; Find makes it.
// The zero value finds nothing (At reports false).
type Columns struct {
	// RA and Dec are the indexes of the longitude and latitude columns
	// (galactic l and b when Frame is Galactic).
	RA, Dec int
	// Frame is the columns' frame.
	Frame Frame

	ra, dec axis
}

// axis says how to read one position column as degrees.
type axis struct {
	// scale is the degrees per unit of a numeric column.
	scale float64
	// text: a string column; sexaHours: its sexagesimal values are hours;
	// decHours: its plain decimal values are hours.
	text, sexaHours, decHours bool
	// how is a short description of the values for Describe.
	how string
}

// What is looked for, per frame and axis.
type lookup struct {
	ucds []string
	// names matches the column names looked for; compiled on first use
	// (not at start-up: every command would pay for it).
	names func() *regexp.Regexp
	// listed are the names shown in errors.
	listed string
}

var (
	raLookup = lookup{
		ucds:   []string{"pos.eq.ra;meta.main", "pos.eq.ra", "POS_EQ_RA_MAIN", "POS_EQ_RA"},
		names:  lazyre.New(`^_?(ra|alpha|s_ra)_?(icrs|j2000|2000|deg|j2k)?$`),
		listed: "ra, ra_icrs, raj2000, ra2000, _raj2000, radeg, ra_deg, alpha, alpha_j2000, s_ra",
	}
	decLookup = lookup{
		ucds:   []string{"pos.eq.dec;meta.main", "pos.eq.dec", "POS_EQ_DEC_MAIN", "POS_EQ_DEC"},
		names:  lazyre.New(`^_?(dec|de|delta|s_dec)_?(icrs|j2000|2000|deg|j2k)?$`),
		listed: "dec, de, dec_icrs, de_icrs, dej2000, decj2000, dec2000, _dej2000, dedeg, dec_deg, delta, delta_j2000, s_dec",
	}
	lonLookup = lookup{
		ucds:   []string{"pos.galactic.lon;meta.main", "pos.galactic.lon", "POS_GAL_LON"},
		names:  lazyre.New(`^_?(l|lii|glon|gal_?l|gal_?lon|galactic_lon)(_?deg)?$`),
		listed: "glon, l, lii, gal_l, gal_lon",
	}
	latLookup = lookup{
		ucds:   []string{"pos.galactic.lat;meta.main", "pos.galactic.lat", "POS_GAL_LAT"},
		names:  lazyre.New(`^_?(b|bii|glat|gal_?b|gal_?lat|galactic_lat)(_?deg)?$`),
		listed: "glat, b, bii, gal_b, gal_lat",
	}
)

// byUCD returns the first field whose UCD is one of ucds, in the order of
// ucds (case-insensitive, surrounding spaces ignored), or -1.
func byUCD(t *votable.Table, ucds []string) int {
	for _, u := range ucds {
		for i, f := range t.Fields {
			if strings.EqualFold(strings.TrimSpace(f.UCD), u) {
				return i
			}
		}
	}
	return -1
}

// byName returns the first field whose name matches l's pattern
// (case-insensitive), preferring one whose name has the suffix suffix
// (the part after the ra/dec stem), or -1.
func byName(t *votable.Table, l lookup, suffix string) (int, string) {
	first, firstSuffix := -1, ""
	for i, f := range t.Fields {
		m := l.names().FindStringSubmatch(strings.ToLower(strings.TrimSpace(f.Name)))
		if m == nil {
			continue
		}
		if suffix != "" && m[2] == suffix {
			return i, m[2]
		}
		if first < 0 {
			first, firstSuffix = i, m[2]
		}
	}
	return first, firstSuffix
}

// findPair finds the two axes of one frame: by UCD, then by name.
func findPair(t *votable.Table, lon, lat lookup) (int, int) {
	li, bi := byUCD(t, lon.ucds), byUCD(t, lat.ucds)
	if li < 0 || bi < 0 {
		var suffix string
		if li < 0 {
			li, suffix = byName(t, lon, "")
		}
		if bi < 0 {
			bi, _ = byName(t, lat, suffix)
		}
	}
	return li, bi
}

// named returns the index of the column named (or with the ID) name.
func named(t *votable.Table, name, what string) (int, error) {
	if i := t.FieldByName(name); i >= 0 {
		return i, nil
	}
	if i := t.FieldByID(name); i >= 0 {
		return i, nil
	}
	return -1, fmt.Errorf("%s has no column %q for the %s", t.Label(), name, what)
}

// frameOf guesses the frame of an explicitly named column.
func frameOf(f *votable.Field) Frame {
	u := strings.ToLower(f.UCD)
	n := strings.ToLower(strings.TrimSpace(f.Name))
	if strings.HasPrefix(u, "pos.galactic") || strings.HasPrefix(u, "pos_gal") ||
		lonLookup.names().MatchString(n) || latLookup.names().MatchString(n) {
		return Galactic
	}
	return ICRS
}

// Find locates the position columns of t by the package's rule, or those
// opt names. The error names every UCD and column name looked for.
func Find(t *votable.Table, opt Options) (Columns, error) {
	c := Columns{RA: -1, Dec: -1}
	if opt.RA != "" || opt.Dec != "" {
		var err error
		if opt.RA != "" {
			if c.RA, err = named(t, opt.RA, "right ascension"); err != nil {
				return Columns{RA: -1, Dec: -1}, err
			}
		}
		if opt.Dec != "" {
			if c.Dec, err = named(t, opt.Dec, "declination"); err != nil {
				return Columns{RA: -1, Dec: -1}, err
			}
		}
		c.Frame = opt.Frame
		if c.Frame == 0 {
			i := c.RA
			if i < 0 {
				i = c.Dec
			}
			c.Frame = frameOf(t.Fields[i])
		}
		lon, lat := raLookup, decLookup
		if c.Frame == Galactic {
			lon, lat = lonLookup, latLookup
		}
		li, bi := findPair(t, lon, lat)
		if c.RA < 0 {
			c.RA = li
		}
		if c.Dec < 0 {
			c.Dec = bi
		}
		if c.RA < 0 || c.Dec < 0 {
			return Columns{RA: -1, Dec: -1}, notFound(t)
		}
	} else {
		ri, di := findPair(t, raLookup, decLookup)
		c = Columns{RA: ri, Dec: di, Frame: ICRS}
		if ri < 0 || di < 0 {
			li, bi := findPair(t, lonLookup, latLookup)
			if li < 0 || bi < 0 {
				return Columns{RA: -1, Dec: -1}, notFound(t)
			}
			c = Columns{RA: li, Dec: bi, Frame: Galactic}
		}
	}
	if c.RA == c.Dec {
		return Columns{RA: -1, Dec: -1}, fmt.Errorf("%s: column %q cannot be both the longitude and the latitude",
			t.Label(), t.Fields[c.RA].Name)
	}
	var err error
	if c.ra, err = newAxis(t.Fields[c.RA], c.Frame == ICRS); err != nil {
		return Columns{RA: -1, Dec: -1}, fmt.Errorf("%s: %w", t.Label(), err)
	}
	if c.dec, err = newAxis(t.Fields[c.Dec], false); err != nil {
		return Columns{RA: -1, Dec: -1}, fmt.Errorf("%s: %w", t.Label(), err)
	}
	return c, nil
}

// notFound is the error of a table without positions.
func notFound(t *votable.Table) error {
	names := make([]string, len(t.Fields))
	for i, f := range t.Fields {
		names[i] = f.Name
	}
	return fmt.Errorf("%s has no sky position: looked for right ascension by UCD %s or name (%s), "+
		"declination by UCD %s or name (%s), galactic longitude by UCD %s or name (%s) and latitude by UCD %s or name (%s); "+
		"its columns are %s; name the position columns explicitly",
		t.Label(), strings.Join(raLookup.ucds, ", "), raLookup.listed,
		strings.Join(decLookup.ucds, ", "), decLookup.listed,
		strings.Join(lonLookup.ucds, ", "), lonLookup.listed,
		strings.Join(latLookup.ucds, ", "), latLookup.listed, strings.Join(names, ", "))
}

// newAxis decides how to read a position column; ra says it is a right
// ascension (whose strings are in hours).
func newAxis(f *votable.Field, ra bool) (axis, error) {
	unit := strings.ToLower(strings.Trim(strings.TrimSpace(f.Unit), `"'`))
	if f.Datatype.IsString() {
		a := axis{text: true, how: "sexagesimal degrees"}
		if ra && !strings.Contains(unit, "deg") && !strings.Contains(unit, "d:m:s") {
			a.sexaHours, a.how = true, "sexagesimal hours"
			// A decimal number is in hours only when the unit says so.
			a.decHours = strings.Contains(unit, "h")
		}
		return a, nil
	}
	if !f.Shape.IsScalar() || f.Datatype == votable.Boolean || f.Datatype == votable.Bit ||
		f.Datatype == votable.FloatComplex || f.Datatype == votable.DoubleComplex {
		return axis{}, fmt.Errorf("position column %q (%v, arraysize %q) is not a number or a string", f.Name, f.Datatype, f.Arraysize)
	}
	s, err := UnitScale(unit, 1)
	if err != nil {
		return axis{}, fmt.Errorf("position column %q: %w", f.Name, err)
	}
	if s == 15 && !ra {
		return axis{}, fmt.Errorf("position column %q: a latitude in hours (unit %q)", f.Name, f.Unit)
	}
	how := strings.TrimSpace(f.Unit)
	if how == "" {
		how = "deg"
	}
	return axis{scale: s, how: how}, nil
}

// value reads row i of col as degrees; ok is false for a null, empty or
// unreadable cell.
func (a *axis) value(col votable.Column, i int) (float64, bool, error) {
	if a.text {
		s, isStr := col.(*votable.Strings)
		if !isStr {
			return 0, false, fmt.Errorf("column %q is not a string column", col.Field().Name)
		}
		if s.IsNull(i) {
			return math.NaN(), false, nil
		}
		txt := strings.TrimSpace(string(s.Bytes(i)))
		if txt == "" {
			return math.NaN(), false, nil
		}
		h := a.sexaHours
		if !strings.ContainsAny(txt, ": \thHmMsSdD'\"") && !strings.ContainsRune(txt, '°') {
			h = a.decHours
		}
		v, err := ParseSexagesimal(txt, h)
		if err != nil {
			return math.NaN(), false, fmt.Errorf("column %q row %d: %w", col.Field().Name, i+1, err)
		}
		return v, true, nil
	}
	v, ok := votable.Float64(col, i)
	if !ok || math.IsNaN(v) || math.IsInf(v, 0) {
		return math.NaN(), false, nil
	}
	return v * a.scale, true, nil
}

// valid reports whether c was made by a successful Find for a table with
// data.
func (c Columns) valid(t *votable.Table) bool {
	return c.Frame != 0 && c.RA >= 0 && c.Dec >= 0 && c.RA < len(t.Columns) && c.Dec < len(t.Columns) &&
		len(t.Columns) == len(t.Fields)
}

// At returns row's position in ICRS degrees, ra in [0, 360). ok is false
// when a value is null, empty, unparsable or out of range (|dec| > 90),
// or c was not found in t.
func (c Columns) At(t *votable.Table, row int) (ra, dec float64, ok bool) {
	if !c.valid(t) || row < 0 || row >= t.Columns[c.RA].Len() || row >= t.Columns[c.Dec].Len() {
		return 0, 0, false
	}
	lon, ok1, err1 := c.ra.value(t.Columns[c.RA], row)
	lat, ok2, err2 := c.dec.value(t.Columns[c.Dec], row)
	if !ok1 || !ok2 || err1 != nil || err2 != nil || lat < -90 || lat > 90 {
		return 0, 0, false
	}
	if c.Frame == Galactic {
		ra, dec = GalacticToICRS(lon, lat)
		return ra, dec, true
	}
	return normRA(lon), lat, true
}

// normRA brings an angle into [0, 360).
func normRA(ra float64) float64 {
	if ra >= 0 && ra < 360 {
		return ra
	}
	ra = math.Mod(ra, 360)
	if ra < 0 {
		ra += 360
	}
	if ra >= 360 {
		ra = 0
	}
	return ra
}

// All returns every row's position in ICRS degrees (ra in [0, 360)): NaN
// for a row whose value is null or empty. An unparsable value or a
// latitude outside [-90, 90] is an error naming the row and column.
func (c Columns) All(t *votable.Table) (ra, dec []float64, err error) {
	if len(t.Columns) != len(t.Fields) {
		return nil, nil, fmt.Errorf("%s has no data", t.Label())
	}
	if !c.valid(t) {
		return nil, nil, fmt.Errorf("%s: no position columns found", t.Label())
	}
	rc, dc := t.Columns[c.RA], t.Columns[c.Dec]
	if rc.Len() != dc.Len() {
		return nil, nil, fmt.Errorf("%s: columns %q and %q have %d and %d rows", t.Label(),
			rc.Field().Name, dc.Field().Name, rc.Len(), dc.Len())
	}
	if ra, err = c.ra.column(rc); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", t.Label(), err)
	}
	if dec, err = c.dec.column(dc); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", t.Label(), err)
	}
	gal := c.Frame == Galactic
	for i, d := range dec {
		if d < -90 || d > 90 {
			return nil, nil, fmt.Errorf("%s row %d: %s %g is outside [-90, 90] degrees (column %q, unit %q)",
				t.Label(), i+1, c.latName(), d, dc.Field().Name, dc.Field().Unit)
		}
		r := ra[i]
		switch {
		case gal:
			if !math.IsNaN(r) && !math.IsNaN(d) {
				ra[i], dec[i] = GalacticToICRS(r, d)
			}
		case !(r >= 0 && r < 360) && !math.IsNaN(r):
			ra[i] = normRA(r)
		}
	}
	return ra, dec, nil
}

func (c Columns) latName() string {
	if c.Frame == Galactic {
		return "galactic latitude"
	}
	return "declination"
}

// column converts a whole position column to degrees (NaN for nulls).
func (a *axis) column(col votable.Column) ([]float64, error) {
	out := make([]float64, col.Len())
	if sc, ok := col.(*votable.Scalar[float64]); ok && !a.text {
		sc.Chunks(func(first int, vals []float64) {
			if a.scale == 1 {
				copy(out[first:], vals)
				return
			}
			for k, v := range vals {
				out[first+k] = v * a.scale
			}
		})
		if sc.HasNulls() {
			for i := range out {
				if sc.IsNull(i) {
					out[i] = math.NaN()
				}
			}
		}
		return out, nil
	}
	for i := range out {
		v, _, err := a.value(col, i)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// Chunks returns the RA and Dec columns' own storage (not copied), chunk
// by chunk, when they can be used as they are: ICRS, double columns in
// degrees, without nulls, chunked alike. ok is false otherwise; use All.
// The values are not range-checked.
func (c Columns) Chunks(t *votable.Table) (ra, dec [][]float64, ok bool) {
	if !c.valid(t) || c.Frame != ICRS || c.ra.text || c.dec.text || c.ra.scale != 1 || c.dec.scale != 1 {
		return nil, nil, false
	}
	rc, ok1 := t.Columns[c.RA].(*votable.Scalar[float64])
	dc, ok2 := t.Columns[c.Dec].(*votable.Scalar[float64])
	if !ok1 || !ok2 || rc.HasNulls() || dc.HasNulls() || rc.Len() != dc.Len() || rc.Len() == 0 {
		return nil, nil, false
	}
	rc.Chunks(func(_ int, v []float64) { ra = append(ra, v) })
	dc.Chunks(func(_ int, v []float64) { dec = append(dec, v) })
	if len(ra) != len(dec) {
		return nil, nil, false
	}
	for k := range ra {
		if len(ra[k]) != len(dec[k]) {
			return nil, nil, false
		}
	}
	return ra, dec, true
}

// Describe names the chosen columns and how they are read, e.g.
// "RAJ2000/DEJ2000 (deg)", "RA/DEC (sexagesimal hours/sexagesimal
// degrees)" or "GLON/GLAT (galactic deg, converted to ICRS)".
func (c Columns) Describe(t *votable.Table) string {
	if c.Frame == 0 || c.RA < 0 || c.Dec < 0 || c.RA >= len(t.Fields) || c.Dec >= len(t.Fields) {
		return "no position columns"
	}
	how := c.ra.how
	if c.dec.how != how {
		how += "/" + c.dec.how
	}
	if c.Frame == Galactic {
		how = "galactic " + how + ", converted to ICRS"
	}
	return fmt.Sprintf("%s/%s (%s)", t.Fields[c.RA].Name, t.Fields[c.Dec].Name, how)
}
