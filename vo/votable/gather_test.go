package votable

import (
	"reflect"
	"testing"
)

func TestGatherAndAppendColumns(t *testing.T) {
	src := sampleTable(t) // name, mag, n, v (3 rows, row 1 mostly null)
	dst, err := newColumns(src)
	if err != nil {
		t.Fatal(err)
	}
	for i := range dst {
		if err := Gather(dst[i], src.Columns[i], []int32{2, -1, 0}); err != nil {
			t.Fatal(err)
		}
	}
	want := [][]any{{" pad", float32(-2.5), int32(-7), []float64{3, 4}}, {nil, nil, nil, nil}, {`a, "quoted"`, float32(1.5), int32(3), []float64{1, 2}}}
	for r, row := range want {
		for c, w := range row {
			if got := dst[c].Value(r); !reflect.DeepEqual(got, w) {
				t.Errorf("gathered row %d col %d: %#v, want %#v", r, c, got, w)
			}
		}
	}
	if err := Gather(dst[0], src.Columns[0], nil); err != nil || dst[0].Len() != 3 {
		t.Fatalf("no rows listed must append nothing: %d rows, %v", dst[0].Len(), err)
	}
	if err := AppendColumns(dst, src.Columns); err != nil {
		t.Fatal(err)
	}
	if dst[1].Len() != 6 || !dst[2].IsNull(4) || dst[2].Value(5) != int32(-7) || dst[0].Value(3) != `a, "quoted"` {
		t.Fatalf("AppendColumns: %d rows", dst[1].Len())
	}
	if err := Gather(dst[1], src.Columns[2], []int32{0}); err == nil {
		t.Fatal("a float column took an int column's cells")
	}
}
