package xmatch

import (
	"fmt"
	"math"
	"strings"

	"github.com/voagent/voagent/vo/votable"
)

// Coords says where a table's positions are. Empty names mean "find it":
// by UCD (pos.eq.ra;meta.main, then pos.eq.ra, and the UCD1 POS_EQ_RA_MAIN),
// then by a usual name (ra, RAJ2000, _RAJ2000, RA_ICRS, ra_deg, alpha ...).
type Coords struct {
	RA, Dec string
	// Err names an optional column of per-row match radii; its unit is the
	// field's (deg, arcmin, arcsec, mas, rad), arcsec when it has none.
	Err string
}

var (
	raUCDs   = []string{"pos.eq.ra;meta.main", "pos.eq.ra", "POS_EQ_RA_MAIN", "POS_EQ_RA"}
	decUCDs  = []string{"pos.eq.dec;meta.main", "pos.eq.dec", "POS_EQ_DEC_MAIN", "POS_EQ_DEC"}
	raNames  = []string{"ra", "raj2000", "_raj2000", "ra_icrs", "ra_deg", "radeg", "alpha", "s_ra", "ra2000"}
	decNames = []string{"dec", "dej2000", "_dej2000", "decj2000", "de_icrs", "dec_icrs", "dec_deg", "decdeg", "delta", "s_dec", "dec2000", "de"}
)

// findColumn returns the index of the column named name, or (name empty)
// the first column with one of the UCDs, then one of the names.
func findColumn(t *votable.Table, name string, ucds, names []string, what string) (int, error) {
	if name != "" {
		if i := t.FieldByName(name); i >= 0 {
			return i, nil
		}
		return -1, fmt.Errorf("%s has no column %q for the %s", t.Label(), name, what)
	}
	for _, u := range ucds {
		if i := t.FieldByUCD(u); i >= 0 {
			return i, nil
		}
	}
	for _, n := range names {
		if i := t.FieldByName(n); i >= 0 {
			return i, nil
		}
	}
	return -1, fmt.Errorf("%s: no %s column found by UCD (%s) or name (%s); name it explicitly",
		t.Label(), what, ucds[0], strings.Join(names[:3], ", "))
}

// TablePositions reads the positions (and error radii) of a table's rows
// in degrees. Numeric columns are taken in their unit (deg by default, rad,
// h or hourangle for RA, arcsec, arcmin, mas); string columns are parsed as
// sexagesimal (RA in hours unless the unit says degrees) or decimal
// degrees. Null and unparsable cells give NaN, which never matches.
func TablePositions(t *votable.Table, c Coords) (Positions, error) {
	if len(t.Columns) != len(t.Fields) {
		return Positions{}, fmt.Errorf("%s has no data", t.Label())
	}
	ri, err := findColumn(t, c.RA, raUCDs, raNames, "right ascension")
	if err != nil {
		return Positions{}, err
	}
	di, err := findColumn(t, c.Dec, decUCDs, decNames, "declination")
	if err != nil {
		return Positions{}, err
	}
	var p Positions
	if p.RA, err = columnDegrees(t.Columns[ri], true); err != nil {
		return Positions{}, fmt.Errorf("%s: %w", t.Label(), err)
	}
	if p.Dec, err = columnDegrees(t.Columns[di], false); err != nil {
		return Positions{}, fmt.Errorf("%s: %w", t.Label(), err)
	}
	for i, d := range p.Dec {
		if d < -90 || d > 90 {
			return Positions{}, fmt.Errorf("%s row %d: declination %g is outside [-90, 90] degrees (column %q, unit %q)",
				t.Label(), i+1, d, t.Fields[di].Name, t.Fields[di].Unit)
		}
	}
	if c.Err != "" {
		ei := t.FieldByName(c.Err)
		if ei < 0 {
			return Positions{}, fmt.Errorf("%s has no column %q for the error radii", t.Label(), c.Err)
		}
		col := t.Columns[ei]
		scale, err := angleUnitScale(col.Field().Unit, arcsecToDeg)
		if err != nil {
			return Positions{}, fmt.Errorf("%s column %q: %w", t.Label(), c.Err, err)
		}
		p.Err = make([]float64, col.Len())
		for i := range p.Err {
			v, ok := votable.Float64(col, i)
			if !ok {
				v = 0
			}
			p.Err[i] = v * scale
		}
	}
	return p, nil
}

// tableBlocks is TablePositions without a copy: when the RA and Dec
// columns are doubles in degrees without nulls (and no error column is
// asked for), the positions are the columns' own storage. Otherwise it
// falls back to TablePositions.
func tableBlocks(t *votable.Table, c Coords) (Positions, error) {
	if c.Err == "" && len(t.Columns) == len(t.Fields) {
		ri, err1 := findColumn(t, c.RA, raUCDs, raNames, "right ascension")
		di, err2 := findColumn(t, c.Dec, decUCDs, decNames, "declination")
		if err1 == nil && err2 == nil {
			rc, ok1 := t.Columns[ri].(*votable.Scalar[float64])
			dc, ok2 := t.Columns[di].(*votable.Scalar[float64])
			if ok1 && ok2 && !rc.HasNulls() && !dc.HasNulls() && rc.Len() == dc.Len() &&
				isDegrees(rc.Field().Unit) && isDegrees(dc.Field().Unit) {
				var ras, decs [][]float64
				rc.Chunks(func(_ int, v []float64) { ras = append(ras, v) })
				dc.Chunks(func(_ int, v []float64) { decs = append(decs, v) })
				p := Positions{n: rc.Len(), blocks: make([]posBlock, 0, len(ras))}
				aligned := len(ras) == len(decs)
				for k := 0; aligned && k < len(ras); k++ {
					aligned = len(ras[k]) == len(decs[k])
					p.blocks = append(p.blocks, posBlock{ras[k], decs[k]})
				}
				if aligned && p.n > 0 {
					return p, nil
				}
			}
		}
	}
	return TablePositions(t, c)
}

func isDegrees(unit string) bool {
	s, err := angleUnitScale(unit, 1)
	return err == nil && s == 1
}

// angleUnitScale maps a unit string to degrees per unit (def when empty).
func angleUnitScale(unit string, def float64) (float64, error) {
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
	return 0, fmt.Errorf("unknown angle unit %q", unit)
}

// columnDegrees converts a position column to degrees.
func columnDegrees(col votable.Column, isRA bool) ([]float64, error) {
	f := col.Field()
	out := make([]float64, col.Len())
	if s, ok := col.(*votable.Strings); ok {
		unit := strings.ToLower(f.Unit)
		hours := isRA && !strings.Contains(unit, "deg") && !strings.Contains(unit, "d:m:s")
		for i := range out {
			out[i] = math.NaN()
			if s.IsNull(i) {
				continue
			}
			txt := strings.TrimSpace(string(s.Bytes(i)))
			if txt == "" {
				continue
			}
			h := hours
			// A decimal number in a column without a sexagesimal unit is degrees.
			if !strings.ContainsAny(txt, ": hHmMsSdD") && !strings.Contains(unit, "h") {
				h = false
			}
			v, err := ParseSexagesimal(txt, h)
			if err != nil {
				return nil, fmt.Errorf("column %q row %d: %w", f.Name, i+1, err)
			}
			out[i] = v
		}
		return out, nil
	}
	scale, err := angleUnitScale(f.Unit, 1)
	if err != nil {
		return nil, fmt.Errorf("column %q: %w", f.Name, err)
	}
	if scale == 15 && !isRA {
		return nil, fmt.Errorf("column %q: a declination in hours", f.Name)
	}
	if c, ok := col.(*votable.Scalar[float64]); ok {
		c.Chunks(func(first int, vals []float64) {
			if scale == 1 {
				copy(out[first:], vals)
			} else {
				for k, v := range vals {
					out[first+k] = v * scale
				}
			}
		})
		if c.HasNulls() {
			for i := range out {
				if c.IsNull(i) {
					out[i] = math.NaN()
				}
			}
		}
		return out, nil
	}
	if !IsNumericScalar(col) {
		return nil, fmt.Errorf("column %q (%v) is not a numeric scalar or string column", f.Name, f.Datatype)
	}
	for i := range out {
		v, ok := votable.Float64(col, i)
		if !ok {
			v = math.NaN()
		}
		out[i] = v * scale
	}
	return out, nil
}

// IsNumericScalar reports whether votable.Float64 can read the column's
// cells (an integer or floating-point scalar column).
func IsNumericScalar(col votable.Column) bool {
	switch col.(type) {
	case *votable.Scalar[float64], *votable.Scalar[float32], *votable.Scalar[int64],
		*votable.Scalar[int32], *votable.Scalar[int16], *votable.Scalar[uint8]:
		return true
	}
	return false
}
