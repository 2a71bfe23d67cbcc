package votable

import "math"

// ColumnStats summarises one column like STILTS `tpipe omode=stats`: the
// number of good (non-null, non-NaN) and null cells and, for numeric
// scalars, the minimum, maximum and mean of the good ones.
type ColumnStats struct {
	Name    string
	Field   *Field
	Good    int64
	Nulls   int64
	Numeric bool
	Min     float64
	Max     float64
	sum     float64
	comp    float64   // Kahan compensation of sum
	buf     []float64 // good values of the batch being added
}

// Mean is the mean of the good values (NaN when none, or not numeric).
func (s *ColumnStats) Mean() float64 {
	if !s.Numeric || s.Good == 0 {
		return math.NaN()
	}
	return s.sum / float64(s.Good)
}

// Stats accumulates ColumnStats over batches of rows.
type Stats struct {
	Rows    int64
	Columns []*ColumnStats
	pending []*ColumnStats // numeric columns of the batch being added
	gathers []func(from, to int)
}

// NewStats prepares statistics for fields.
func NewStats(fields []*Field) *Stats {
	s := &Stats{Columns: make([]*ColumnStats, len(fields))}
	for i, f := range fields {
		s.Columns[i] = &ColumnStats{Name: f.Name, Field: f, Min: math.Inf(1), Max: math.Inf(-1)}
	}
	return s
}

// statsBlock is the number of rows Add gathers and sums at a time (a
// multiple of chunkRows' divisors, so a block is within one chunk): the
// gathered values stay in the processor's cache.
const statsBlock = 4096

// Add accumulates the rows of cols.
func (s *Stats) Add(cols []Column) {
	if len(cols) == 0 {
		return
	}
	n := cols[0].Len()
	s.Rows += int64(n)
	// Block by block, the good values of each numeric column are gathered
	// first (with their count, minimum and maximum), then summed four
	// columns at a time: each column's compensated sum runs over its
	// values in order, as one loop per column would, but the four
	// dependency chains overlap in the processor.
	sums := s.pending[:0]
	gathers := s.gathers[:0]
	for j, c := range cols {
		cs := s.Columns[j]
		var g func(from, to int)
		switch c := c.(type) {
		case *Scalar[float64]:
			g = func(from, to int) { gatherGood(cs, c, from, to) }
		case *Scalar[float32]:
			g = func(from, to int) { gatherGood(cs, c, from, to) }
		case *Scalar[int64]:
			g = func(from, to int) { gatherGood(cs, c, from, to) }
		case *Scalar[int32]:
			g = func(from, to int) { gatherGood(cs, c, from, to) }
		case *Scalar[int16]:
			g = func(from, to int) { gatherGood(cs, c, from, to) }
		case *Scalar[uint8]:
			g = func(from, to int) { gatherGood(cs, c, from, to) }
		default:
			for i := 0; i < c.Len(); i++ {
				if c.IsNull(i) {
					cs.Nulls++
				} else {
					cs.Good++
				}
			}
			continue
		}
		cs.Numeric = true
		sums = append(sums, cs)
		gathers = append(gathers, g)
	}
	s.pending, s.gathers = sums, gathers
	for from := 0; from < n; from += statsBlock {
		to := min(n, from+statsBlock)
		for _, g := range gathers {
			g(from, to)
		}
		for k := 0; k < len(sums); k += 4 {
			kahan4(sums[k:min(k+4, len(sums))])
		}
	}
}

// realNumber is the set of element types Stats summarises.
type realNumber interface {
	~uint8 | ~int16 | ~int32 | ~int64 | ~float32 | ~float64
}

// gatherGood puts the good values (not null, not NaN) of rows [from, to)
// of c, within one chunk, into cs.buf as float64, counting them and
// updating the minimum and maximum.
func gatherGood[T realNumber](cs *ColumnStats, c *Scalar[T], from, to int) {
	if cap(cs.buf) < statsBlock {
		cs.buf = make([]float64, 0, statsBlock)
	}
	ci, ri := from>>chunkShift, from&chunkMask
	vals := c.chunks[ci][ri : ri+to-from]
	nulls := c.nulls[ci]
	out := cs.buf[:len(vals)]
	mn, mx := cs.Min, cs.Max
	m := 0
	if nulls == nil {
		for _, v := range vals {
			f := float64(v)
			out[m] = f
			if f == f {
				m++
				// Not min and max: they order -0 below +0, and the first
				// of equal values is kept here.
				if f < mn {
					mn = f
				}
				if f > mx {
					mx = f
				}
			}
		}
	} else {
		for i, v := range vals {
			f := float64(v)
			out[m] = f
			if f == f && !nulls.get(ri+i) {
				m++
				if f < mn {
					mn = f
				}
				if f > mx {
					mx = f
				}
			}
		}
	}
	cs.Good += int64(m)
	cs.Nulls += int64(len(vals) - m)
	cs.Min, cs.Max = mn, mx
	cs.buf = out[:m]
}

// kahan4 adds the gathered values of up to four columns to their
// compensated sums.
func kahan4(cs []*ColumnStats) {
	var dummy ColumnStats
	var a [4]*ColumnStats
	for i := range a {
		if i < len(cs) {
			a[i] = cs[i]
		} else {
			dummy.buf = cs[0].buf
			a[i] = &dummy
		}
	}
	v0, v1, v2, v3 := a[0].buf, a[1].buf, a[2].buf, a[3].buf
	n := min(len(v0), len(v1), len(v2), len(v3))
	v0, v1, v2, v3 = v0[:n], v1[:n], v2[:n], v3[:n]
	s0, c0 := a[0].sum, a[0].comp
	s1, c1 := a[1].sum, a[1].comp
	s2, c2 := a[2].sum, a[2].comp
	s3, c3 := a[3].sum, a[3].comp
	for i := range v0 {
		y0 := v0[i] - c0
		y1 := v1[i] - c1
		y2 := v2[i] - c2
		y3 := v3[i] - c3
		t0 := s0 + y0
		t1 := s1 + y1
		t2 := s2 + y2
		t3 := s3 + y3
		c0 = (t0 - s0) - y0
		c1 = (t1 - s1) - y1
		c2 = (t2 - s2) - y2
		c3 = (t3 - s3) - y3
		s0, s1, s2, s3 = t0, t1, t2, t3
	}
	a[0].sum, a[0].comp = s0, c0
	a[1].sum, a[1].comp = s1, c1
	a[2].sum, a[2].comp = s2, c2
	a[3].sum, a[3].comp = s3, c3
	for _, c := range cs {
		sum, comp := c.sum, c.comp
		for _, f := range c.buf[n:] {
			y := f - comp
			t := sum + y
			comp = (t - sum) - y
			sum = t
		}
		c.sum, c.comp = sum, comp
	}
}
