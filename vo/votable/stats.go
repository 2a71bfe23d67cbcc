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
}

// NewStats prepares statistics for fields.
func NewStats(fields []*Field) *Stats {
	s := &Stats{Columns: make([]*ColumnStats, len(fields))}
	for i, f := range fields {
		s.Columns[i] = &ColumnStats{Name: f.Name, Field: f, Min: math.Inf(1), Max: math.Inf(-1)}
	}
	return s
}

// Add accumulates the rows of cols.
func (s *Stats) Add(cols []Column) {
	if len(cols) == 0 {
		return
	}
	s.Rows += int64(cols[0].Len())
	// The good values of each numeric column are gathered first (with
	// their count, minimum and maximum), then summed four columns at a
	// time: each column's compensated sum runs over its values in order,
	// as one loop per column would, but the four dependency chains overlap
	// in the processor.
	sums := s.pending[:0]
	for j, c := range cols {
		cs := s.Columns[j]
		switch c := c.(type) {
		case *Scalar[float64]:
			gatherGood(cs, c)
		case *Scalar[float32]:
			gatherGood(cs, c)
		case *Scalar[int64]:
			gatherGood(cs, c)
		case *Scalar[int32]:
			gatherGood(cs, c)
		case *Scalar[int16]:
			gatherGood(cs, c)
		case *Scalar[uint8]:
			gatherGood(cs, c)
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
		sums = append(sums, cs)
	}
	s.pending = sums
	for len(sums) > 0 {
		k := min(4, len(sums))
		kahan4(sums[:k])
		sums = sums[k:]
	}
}

// realNumber is the set of element types Stats summarises.
type realNumber interface {
	~uint8 | ~int16 | ~int32 | ~int64 | ~float32 | ~float64
}

// gatherGood puts the good values of c (not null, not NaN) into cs.buf as
// float64, counting them and updating the minimum and maximum.
func gatherGood[T realNumber](cs *ColumnStats, c *Scalar[T]) {
	cs.Numeric = true
	if cap(cs.buf) < c.n {
		cs.buf = make([]float64, 0, c.n)
	}
	buf := cs.buf[:c.n]
	mn, mx := cs.Min, cs.Max
	k := 0
	c.Chunks(func(first int, vals []T) {
		nulls := c.nulls[first>>chunkShift]
		out := buf[k : k+len(vals)]
		m := 0
		if nulls == nil {
			for _, v := range vals {
				f := float64(v)
				out[m] = f
				if f == f {
					m++
					// Not min and max: they order -0 below +0, and the
					// first of equal values is kept here.
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
				if f == f && !nulls.get(i) {
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
		k += m
	})
	cs.Good += int64(k)
	cs.Nulls += int64(c.n - k)
	cs.Min, cs.Max = mn, mx
	cs.buf = buf[:k]
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
