package xmatch

import (
	"fmt"
	"math"
	"math/bits"
	"slices"

	"github.com/voagent/voagent/vo/votable"
)

// cellGather copies the listed rows of one source column (-1: a null cell)
// to the end of dst, a column of the same type.
type cellGather func(dst votable.Column, rows []int32) error

// sortedGather is cellGather reading the source in the order of rows
// given by order (a permutation of the indices of rows that sorts them):
// the cells are read at increasing addresses, which the processor
// prefetches, instead of at random ones.
type sortedGather func(dst votable.Column, rows, order []int32) error

// newCellGather returns the gathers of src: for numeric scalar columns a
// typed copy by index straight from the column's storage chunks (no
// interface call, no null lookup when the column has no nulls) and its
// sorted form; otherwise votable.Gather and no sorted form.
func newCellGather(src votable.Column) (cellGather, sortedGather) {
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
	return func(dst votable.Column, rows []int32) error { return votable.Gather(dst, src, rows) }, nil
}

// scalarGather is the typed gather of a scalar column; null is the value a
// null cell holds (NaN for floats, as votable.Gather writes).
func scalarGather[T votable.Number](src *votable.Scalar[T], null T) (cellGather, sortedGather) {
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
		return func(dst votable.Column, rows []int32) error { return votable.Gather(dst, src, rows) }, nil
	}
	mask := int32(1)<<shift - 1
	if len(chunks) <= 1 { // one chunk (or none): r>>31 is 0 for every row
		shift, mask = 31, math.MaxInt32
	}
	nulls := src.HasNulls()
	n := int32(src.Len())
	direct := func(dst votable.Column, rows []int32) error {
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
	// The sorted form reads into buf (and isNull) in source order, then
	// appends in output order.
	var buf []T
	var isNull []bool
	sorted := func(dst votable.Column, rows, order []int32) error {
		d, ok := dst.(*votable.Scalar[T])
		if !ok {
			return fmt.Errorf("cannot append a %T column to a %T column", src, dst)
		}
		buf = slices.Grow(buf[:0], len(rows))[:len(rows)]
		isNull = slices.Grow(isNull[:0], len(rows))[:len(rows)]
		for _, k := range order {
			r := rows[k]
			switch {
			case r < 0:
				buf[k], isNull[k] = null, true
			case r >= n:
				return fmt.Errorf("row %d of a column of %d", r, n)
			default:
				buf[k], isNull[k] = chunks[r>>shift][r&mask], nulls && src.IsNull(int(r))
			}
		}
		for k, v := range buf {
			d.Append(v, isNull[k])
		}
		return nil
	}
	return direct, sorted
}

// rowOrder returns the permutation of the indices of rows that sorts them
// (a radix sort on the rows, 11 bits a pass), reusing order and tmp, and
// false when rows are already in increasing order (no permutation needed).
func rowOrder(rows []int32, order, tmp []int32) ([]int32, []int32, bool) {
	ascending := true
	for i := 1; i < len(rows); i++ {
		if rows[i] < rows[i-1] {
			ascending = false
			break
		}
	}
	if ascending {
		return order, tmp, false
	}
	n := len(rows)
	order = slices.Grow(order[:0], n)[:n]
	tmp = slices.Grow(tmp[:0], n)[:n]
	for i := range order {
		order[i] = int32(i)
	}
	const bitsPerPass = 11
	var count [1<<bitsPerPass + 1]int32
	for pass := 0; pass < 3; pass++ {
		sh := uint(pass * bitsPerPass)
		key := func(k int32) int { return int(uint32(rows[k]+1)>>sh) & (1<<bitsPerPass - 1) }
		clear(count[:])
		for _, k := range order {
			count[key(k)+1]++
		}
		for b := 1; b < len(count); b++ {
			count[b] += count[b-1]
		}
		for _, k := range order {
			b := key(k)
			tmp[count[b]] = k
			count[b]++
		}
		order, tmp = tmp, order
	}
	return order, tmp, true
}
