package xmatch

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/voagent/voagent/vo/votable"
)

// cellGather copies the listed rows of one source column (-1: a null cell)
// to the end of dst, a column of the same type.
type cellGather func(dst votable.Column, rows []int32) error

// newCellGather returns the gather of src: for numeric scalar columns a
// typed copy by index straight from the column's storage chunks (no
// interface call, no null lookup when the column has no nulls), otherwise
// votable.Gather.
func newCellGather(src votable.Column) cellGather {
	switch s := src.(type) {
	case *votable.Scalar[bool]:
		return scalarGather(s, false)
	case *votable.Scalar[uint8]:
		return scalarGather(s, 0)
	case *votable.Scalar[int16]:
		return scalarGather(s, 0)
	case *votable.Scalar[int32]:
		return scalarGather(s, 0)
	case *votable.Scalar[int64]:
		return scalarGather(s, 0)
	case *votable.Scalar[float32]:
		return scalarGather(s, float32(math.NaN()))
	case *votable.Scalar[float64]:
		return scalarGather(s, math.NaN())
	}
	return func(dst votable.Column, rows []int32) error { return votable.Gather(dst, src, rows) }
}

// scalarGather is the typed gather of a scalar column; null is the value a
// null cell holds (NaN for floats, as votable.Gather writes).
func scalarGather[T votable.Number](src *votable.Scalar[T], null T) cellGather {
	var chunks [][]T
	src.Chunks(func(_ int, vals []T) { chunks = append(chunks, vals) })
	// Rows are found by shift and mask when every chunk but the last holds
	// the same power of two of rows (as votable stores them).
	shift, ok := 0, true
	if len(chunks) > 1 {
		size := len(chunks[0])
		ok = size > 0 && size&(size-1) == 0
		for _, c := range chunks[:len(chunks)-1] {
			ok = ok && len(c) == size
		}
		shift = bits.TrailingZeros(uint(size))
	}
	if !ok {
		return func(dst votable.Column, rows []int32) error { return votable.Gather(dst, src, rows) }
	}
	mask := int32(1)<<shift - 1
	if len(chunks) <= 1 { // one chunk (or none): r>>31 is 0 for every row
		shift, mask = 31, math.MaxInt32
	}
	nulls := src.HasNulls()
	n := int32(src.Len())
	return func(dst votable.Column, rows []int32) error {
		d, ok := dst.(*votable.Scalar[T])
		if !ok {
			return fmt.Errorf("cannot append a %T column to a %T column", src, dst)
		}
		for _, r := range rows {
			switch {
			case r < 0:
				d.Append(null, true)
			case r >= n:
				return fmt.Errorf("row %d of a column of %d", r, n)
			case nulls:
				d.Append(chunks[r>>shift][r&mask], src.IsNull(int(r)))
			default:
				d.Append(chunks[r>>shift][r&mask], false)
			}
		}
		return nil
	}
}
