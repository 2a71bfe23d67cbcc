package xmatch

import (
	"fmt"
	"math/bits"

	"github.com/voagent/voagent/vo/skypos"
	"github.com/voagent/voagent/vo/votable"
)

// Coords says where a table's positions are. Empty names mean "find it"
// by the rule of vo/skypos (UCDs, then usual names, then galactic
// columns converted to ICRS).
type Coords struct {
	RA, Dec string
	// Err names an optional column of per-row match radii; its unit is the
	// field's (deg, arcmin, arcsec, mas, rad), arcsec when it has none.
	Err string
}

// TablePositions reads the positions (and error radii) of a table's rows
// in ICRS degrees, as vo/skypos finds and converts them. Null cells give
// NaN, which never matches; an unparsable cell or a declination outside
// [-90, 90] is an error.
func TablePositions(t *votable.Table, c Coords) (Positions, error) {
	if len(t.Columns) != len(t.Fields) {
		return Positions{}, fmt.Errorf("%s has no data", t.Label())
	}
	cols, err := skypos.Find(t, skypos.Options{RA: c.RA, Dec: c.Dec})
	if err != nil {
		return Positions{}, err
	}
	var p Positions
	if p.RA, p.Dec, err = cols.All(t); err != nil {
		return Positions{}, err
	}
	if c.Err != "" {
		ei := t.FieldByName(c.Err)
		if ei < 0 {
			return Positions{}, fmt.Errorf("%s has no column %q for the error radii", t.Label(), c.Err)
		}
		col := t.Columns[ei]
		scale, err := skypos.UnitScale(col.Field().Unit, arcsecToDeg)
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
// columns are doubles in ICRS degrees without nulls (and no error column
// is asked for), the positions are the columns' own storage. Otherwise it
// falls back to TablePositions.
func tableBlocks(t *votable.Table, c Coords) (Positions, error) {
	if c.Err == "" && len(t.Columns) == len(t.Fields) {
		if cols, err := skypos.Find(t, skypos.Options{RA: c.RA, Dec: c.Dec}); err == nil {
			if ras, decs, ok := cols.Chunks(t); ok {
				if shift, ok := uniformBlocks(ras); ok {
					p := Positions{n: t.Columns[cols.RA].Len(), blocks: make([]posBlock, len(ras)), shift: shift}
					for k := range ras {
						p.blocks[k] = posBlock{ras[k], decs[k]}
					}
					return p, nil
				}
			}
		}
	}
	return TablePositions(t, c)
}

// uniformBlocks returns the shift such that every block but the last
// holds 1<<shift rows, and whether there is one (one block: 31).
func uniformBlocks(blocks [][]float64) (uint8, bool) {
	if len(blocks) <= 1 {
		return 31, true
	}
	size := len(blocks[0])
	if size == 0 || size&(size-1) != 0 || size > 1<<30 {
		return 0, false
	}
	for _, b := range blocks[:len(blocks)-1] {
		if len(b) != size {
			return 0, false
		}
	}
	return uint8(bits.TrailingZeros(uint(size))), true
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
