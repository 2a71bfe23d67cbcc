package xmatch

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/voagent/voagent/vo/votable"
)

// TestCellGather: the typed gather gives the same cells as votable.Gather
// for every column type, with and without nulls, on one chunk and on
// several, rows in any order and -1 (null) rows.
func TestCellGather(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	types := []votable.Datatype{votable.Boolean, votable.UnsignedByte, votable.Short, votable.Int,
		votable.Long, votable.Float, votable.Double, votable.Char}
	for _, dt := range types {
		for _, n := range []int{0, 10, 200_000} {
			for _, nulls := range []bool{false, true} {
				f := &votable.Field{Name: "x", Datatype: dt}
				if dt == votable.Char {
					f.Arraysize = "*"
					f.Shape, _ = votable.ParseShape("*")
				}
				src, err := votable.NewColumn(f)
				if err != nil {
					t.Fatal(err)
				}
				for i := range n {
					null := nulls && i%7 == 3
					v := rng.IntN(1000)
					switch c := src.(type) {
					case *votable.Scalar[bool]:
						c.Append(v%2 == 0, null)
					case *votable.Scalar[uint8]:
						c.Append(uint8(v), null)
					case *votable.Scalar[int16]:
						c.Append(int16(v), null)
					case *votable.Scalar[int32]:
						c.Append(int32(v), null)
					case *votable.Scalar[int64]:
						c.Append(int64(v)<<40, null)
					case *votable.Scalar[float32]:
						c.Append(float32(v)/3, null)
					case *votable.Scalar[float64]:
						c.Append(float64(v)/7, null)
					case *votable.Strings:
						_ = c.AppendString(string(rune('a'+v%26)), null)
					}
				}
				rows := []int32{-1}
				for range 3000 {
					if n > 0 {
						rows = append(rows, int32(rng.IntN(n)))
					}
					if rng.IntN(10) == 0 {
						rows = append(rows, -1)
					}
				}
				want, _ := votable.NewColumn(f)
				got, _ := votable.NewColumn(f)
				if err := votable.Gather(want, src, rows); err != nil {
					t.Fatal(err)
				}
				gather, sorted := newCellGather(src)
				if (sorted == nil) != (dt == votable.Char) {
					t.Errorf("%v: sorted form %v", dt, sorted != nil)
				}
				// Twice: appending goes on from where it was; the second
				// time in sorted order when there is a sorted form.
				if err := gather(got, rows); err != nil {
					t.Fatalf("%v n=%d: %v", dt, n, err)
				}
				order, _, shuffled := rowOrder(rows, nil, nil)
				if sorted != nil && shuffled {
					if err := sorted(got, rows, order); err != nil {
						t.Fatalf("%v n=%d sorted: %v", dt, n, err)
					}
				} else if err := gather(got, rows); err != nil {
					t.Fatalf("%v n=%d: %v", dt, n, err)
				}
				if got.Len() != 2*want.Len() {
					t.Fatalf("%v n=%d: %d rows, want %d", dt, n, got.Len(), 2*want.Len())
				}
				for i := range got.Len() {
					w := i % want.Len()
					if g, e := got.Value(i), want.Value(w); !reflect.DeepEqual(g, e) && !(isNaN(g) && isNaN(e)) {
						t.Fatalf("%v n=%d nulls=%v: row %d (%d) = %v, want %v", dt, n, nulls, i, rows[w], g, e)
					}
				}
				if n > 0 && dt != votable.Char { // votable.Gather (strings) does not check
					if err := gather(got, []int32{int32(n)}); err == nil {
						t.Errorf("%v: row %d of %d gathered without error", dt, n, n)
					}
				}
				other, _ := votable.NewColumn(&votable.Field{Name: "y", Datatype: votable.Double})
				if dt != votable.Double {
					if err := gather(other, rows[:1]); err == nil {
						t.Errorf("%v gathered into a double column without error", dt)
					}
				}
			}
		}
	}
}

// TestRowOrder: rowOrder's permutation sorts the rows (-1 first), and
// sorted input is left alone.
func TestRowOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{2, 100, 70_000} {
		rows := make([]int32, n)
		for i := range rows {
			rows[i] = int32(rng.IntN(1<<31-1)) - 1
			if i%5 == 0 {
				rows[i] = int32(rng.IntN(100)) - 1
			}
		}
		rows[0], rows[1] = 5, 3 // not ascending
		order, _, shuffled := rowOrder(rows, nil, nil)
		if !shuffled || len(order) != n {
			t.Fatalf("n=%d: shuffled %v, %d indices", n, shuffled, len(order))
		}
		seen := make([]bool, n)
		for i, k := range order {
			if seen[k] {
				t.Fatalf("n=%d: index %d twice", n, k)
			}
			seen[k] = true
			if i > 0 && rows[k] < rows[order[i-1]] {
				t.Fatalf("n=%d: row %d after %d", n, rows[k], rows[order[i-1]])
			}
		}
		slices.Sort(rows)
		if _, _, shuffled := rowOrder(rows, nil, nil); shuffled {
			t.Errorf("n=%d: sorted rows reordered", n)
		}
	}
}

func isNaN(v any) bool {
	switch x := v.(type) {
	case float64:
		return x != x
	case float32:
		return x != x
	}
	return false
}
