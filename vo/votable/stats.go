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
	comp    float64 // Kahan compensation of sum
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
	for j, c := range cols {
		cs := s.Columns[j]
		switch c := c.(type) {
		case *Scalar[float64]:
			addNumbers(cs, c, func(v float64) float64 { return v })
		case *Scalar[float32]:
			addNumbers(cs, c, func(v float32) float64 { return float64(v) })
		case *Scalar[int64]:
			addNumbers(cs, c, func(v int64) float64 { return float64(v) })
		case *Scalar[int32]:
			addNumbers(cs, c, func(v int32) float64 { return float64(v) })
		case *Scalar[int16]:
			addNumbers(cs, c, func(v int16) float64 { return float64(v) })
		case *Scalar[uint8]:
			addNumbers(cs, c, func(v uint8) float64 { return float64(v) })
		default:
			for i := 0; i < c.Len(); i++ {
				if c.IsNull(i) {
					cs.Nulls++
				} else {
					cs.Good++
				}
			}
		}
	}
}

func addNumbers[T Number](cs *ColumnStats, c *Scalar[T], conv func(T) float64) {
	cs.Numeric = true
	c.Chunks(func(first int, vals []T) {
		nulls := c.nulls[first>>chunkShift]
		sum, comp := cs.sum, cs.comp
		mn, mx := cs.Min, cs.Max
		good := int64(0)
		for i, v := range vals {
			if nulls != nil && nulls.get(i) {
				continue
			}
			f := conv(v)
			if f != f {
				continue
			}
			good++
			if f < mn {
				mn = f
			}
			if f > mx {
				mx = f
			}
			y := f - comp
			t := sum + y
			comp = (t - sum) - y
			sum = t
		}
		cs.Good += good
		cs.Nulls += int64(len(vals)) - good
		cs.sum, cs.comp, cs.Min, cs.Max = sum, comp, mn, mx
	})
}
