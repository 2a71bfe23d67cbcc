package votable

import (
	"encoding/binary"
	"math"
)

// bulkFunc appends one scalar column's cells of rows consecutive
// fixed-size rows held in b, stride bytes each, the cell at offset off of
// each row. In BINARY2 (mask != 0) the cell is null when byte flag of its
// row has a bit of mask set.
type bulkFunc func(b []byte, rows, stride, off, flag int, mask byte)

// reserve returns the free slots, at most k (and at least one), of the
// chunk the next row goes to; the caller fills a prefix of them and counts
// it with commit.
func (c *Scalar[T]) reserve(k int) []T {
	ci, ri := c.n>>chunkShift, c.n&chunkMask
	if ci == len(c.chunks) {
		c.chunks = append(c.chunks, make([]T, chunkRows))
		c.nulls = append(c.nulls, nil)
	} else if ri == len(c.chunks[ci]) { // compacted or presized, then appended to
		grown := make([]T, growRows(len(c.chunks[ci])))
		copy(grown, c.chunks[ci])
		c.chunks[ci] = grown
	}
	return c.chunks[ci][ri:min(len(c.chunks[ci]), ri+k)]
}

// setNullAt marks row i (of the chunk being filled or an earlier one) null.
func (c *Scalar[T]) setNullAt(i int) { setNull(&c.nulls[i>>chunkShift], i&chunkMask) }

// bulkScalar builds the bulkFunc of a scalar column: get reads a value
// from its big-endian bytes, null (may be nil) tells a null value.
func bulkScalar[T Number](c *Scalar[T], fill func(dst []T, b []byte, stride, off int), null func(T) bool) bulkFunc {
	return func(b []byte, rows, stride, off, flag int, mask byte) {
		for rows > 0 {
			first := c.n
			dst := c.reserve(rows)
			fill(dst, b, stride, off)
			if mask != 0 {
				for i := range dst {
					if b[i*stride+flag]&mask != 0 {
						c.setNullAt(first + i)
					}
				}
			}
			if null != nil {
				for i, v := range dst {
					if null(v) {
						c.setNullAt(first + i)
					}
				}
			}
			c.n += len(dst)
			rows -= len(dst)
			b = b[len(dst)*stride:]
		}
	}
}

// newBulk returns the bulkFunc of a fixed-size scalar numeric column, or
// nil for other columns (decoded cell by cell).
func newBulk(col Column, nanNull bool) bulkFunc {
	f := col.Field()
	switch c := col.(type) {
	case *Scalar[uint8]:
		nv, hasNull := nullInt(f)
		var null func(uint8) bool
		if hasNull {
			null = func(v uint8) bool { return int64(v) == nv }
		}
		return bulkScalar(c, func(dst []uint8, b []byte, stride, off int) {
			for i := range dst {
				dst[i] = b[i*stride+off]
			}
		}, null)
	case *Scalar[int16]:
		nv, hasNull := nullInt(f)
		var null func(int16) bool
		if hasNull {
			null = func(v int16) bool { return int64(v) == nv }
		}
		return bulkScalar(c, func(dst []int16, b []byte, stride, off int) {
			for i := range dst {
				dst[i] = int16(binary.BigEndian.Uint16(b[i*stride+off:]))
			}
		}, null)
	case *Scalar[int32]:
		nv, hasNull := nullInt(f)
		var null func(int32) bool
		if hasNull {
			null = func(v int32) bool { return int64(v) == nv }
		}
		return bulkScalar(c, func(dst []int32, b []byte, stride, off int) {
			for i := range dst {
				dst[i] = int32(binary.BigEndian.Uint32(b[i*stride+off:]))
			}
		}, null)
	case *Scalar[int64]:
		nv, hasNull := nullInt(f)
		var null func(int64) bool
		if hasNull {
			null = func(v int64) bool { return v == nv }
		}
		return bulkScalar(c, func(dst []int64, b []byte, stride, off int) {
			for i := range dst {
				dst[i] = int64(binary.BigEndian.Uint64(b[i*stride+off:]))
			}
		}, null)
	case *Scalar[float32]:
		nv, hasNull := nullFloat(f)
		var null func(float32) bool
		if hasNull || nanNull {
			null = func(v float32) bool { return nanNull && v != v || hasNull && float64(v) == nv }
		}
		return bulkScalar(c, func(dst []float32, b []byte, stride, off int) {
			for i := range dst {
				dst[i] = math.Float32frombits(binary.BigEndian.Uint32(b[i*stride+off:]))
			}
		}, null)
	case *Scalar[float64]:
		nv, hasNull := nullFloat(f)
		var null func(float64) bool
		if hasNull || nanNull {
			null = func(v float64) bool { return nanNull && v != v || hasNull && v == nv }
		}
		return bulkScalar(c, func(dst []float64, b []byte, stride, off int) {
			for i := range dst {
				dst[i] = math.Float64frombits(binary.BigEndian.Uint64(b[i*stride+off:]))
			}
		}, null)
	}
	return nil
}

// presize gives an empty column a first chunk of n rows (rather than
// chunkRows), grown (doubling) up to chunkRows if more rows come: the staging columns of
// the TABLEDATA reader hold a few thousand rows each.
func (c *Scalar[T]) presize(n int) {
	if len(c.chunks) == 0 {
		c.chunks = [][]T{make([]T, n)}
		c.nulls = []nullMask{nil}
	}
}
