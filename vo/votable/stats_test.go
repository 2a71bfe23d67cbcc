package votable

import (
	"math"
	"math/rand/v2"
	"testing"
)

// refStats is the plain one-value-at-a-time summary Stats must match bit
// for bit: good values in row order, a compensated (Kahan) sum, min and
// max by < and > (the first of equal values kept, so +0 and -0 stay as met).
type refStats struct {
	good, nulls     int64
	min, max        float64
	sum, comp, mean float64
}

func refAdd(r *refStats, v float64, null bool) {
	if null || v != v {
		r.nulls++
		return
	}
	r.good++
	if v < r.min {
		r.min = v
	}
	if v > r.max {
		r.max = v
	}
	y := v - r.comp
	t := r.sum + y
	r.comp = (t - r.sum) - y
	r.sum = t
}

func TestStatsMatchesOneByOne(t *testing.T) {
	types := []Datatype{Double, Float, Long, Int, Short, UnsignedByte}
	for _, tc := range []struct {
		name    string
		ncols   int
		batches []int
		nulls   float64 // fraction of null cells
		nans    float64 // fraction of NaN cells (floats)
	}{
		{"one column", 1, []int{1000}, 0, 0},
		{"three columns, nulls", 3, []int{700, 1, 0, 4000}, 0.1, 0.05},
		{"six columns, chunks", 6, []int{chunkRows + 17, 3}, 0, 0.01},
		{"seven columns, all null", 7, []int{50}, 1, 0},
		{"nine columns, nulls and NaN", 9, []int{100, 2000, 333}, 0.3, 0.3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, uint64(tc.ncols)))
			fields := make([]*Field, tc.ncols)
			for j := range fields {
				fields[j] = &Field{Name: string(rune('a' + j)), Datatype: types[j%len(types)]}
			}
			st := NewStats(fields)
			ref := make([]refStats, tc.ncols)
			for j := range ref {
				ref[j] = refStats{min: math.Inf(1), max: math.Inf(-1)}
			}
			for _, n := range tc.batches {
				cols, err := newColumns(&Table{Fields: fields})
				if err != nil {
					t.Fatal(err)
				}
				for j, c := range cols {
					for i := 0; i < n; i++ {
						null := rng.Float64() < tc.nulls
						nan := rng.Float64() < tc.nans
						x := (rng.Float64() - 0.5) * 1e6
						if i%97 == 0 {
							x = math.Copysign(0, x) // signed zeros
						}
						var v float64
						switch c := c.(type) {
						case *Scalar[float64]:
							if nan {
								x = math.NaN()
							}
							c.Append(x, null)
							v = x
						case *Scalar[float32]:
							if nan {
								x = math.NaN()
							}
							c.Append(float32(x), null)
							v = float64(float32(x))
						case *Scalar[int64]:
							c.Append(int64(x*1e6), null)
							v = float64(int64(x * 1e6))
						case *Scalar[int32]:
							c.Append(int32(x), null)
							v = float64(int32(x))
						case *Scalar[int16]:
							c.Append(int16(x), null)
							v = float64(int16(x))
						case *Scalar[uint8]:
							c.Append(uint8(int(x)), null)
							v = float64(uint8(int(x)))
						}
						refAdd(&ref[j], v, null)
					}
				}
				st.Add(cols)
			}
			for j, r := range ref {
				cs := st.Columns[j]
				mean := math.NaN()
				if r.good > 0 {
					mean = r.sum / float64(r.good)
				}
				same := func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) || a != a && b != b }
				if cs.Good != r.good || cs.Nulls != r.nulls || !same(cs.Min, r.min) || !same(cs.Max, r.max) || !same(cs.Mean(), mean) {
					t.Errorf("column %d (%v): good %d nulls %d min %v max %v mean %v; one by one: %d %d %v %v %v",
						j, fields[j].Datatype, cs.Good, cs.Nulls, cs.Min, cs.Max, cs.Mean(), r.good, r.nulls, r.min, r.max, mean)
				}
			}
		})
	}
}
