package votable

import (
	"bytes"
	"math"
	"testing"
)

// TestBinaryBulkMatchesRowByRow checks that the column by column paths
// (writing and reading fixed-size scalar rows) give the bytes and values
// of the row by row ones, with nulls in some chunks and not in others.
func TestBinaryBulkMatchesRowByRow(t *testing.T) {
	const n = 2*chunkRows + 1234
	fields := []*Field{
		{Name: "b", Datatype: UnsignedByte}, {Name: "s", Datatype: Short}, {Name: "i", Datatype: Int},
		{Name: "l", Datatype: Long}, {Name: "f", Datatype: Float}, {Name: "d", Datatype: Double},
	}
	tab := &Table{Name: "t", Fields: fields, NRows: -1}
	cols, err := newColumns(tab)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		null := i >= chunkRows && i < 2*chunkRows && i%7 == 3 // nulls in the second chunk only
		x := float64(i)*0.37 - 5000
		cols[0].(*Scalar[uint8]).Append(uint8(i), null && i%2 == 0)
		cols[1].(*Scalar[int16]).Append(int16(i), null)
		cols[2].(*Scalar[int32]).Append(int32(i*3-77), null)
		cols[3].(*Scalar[int64]).Append(int64(i)<<33, null)
		v := float32(x)
		if i%1001 == 0 {
			v = float32(math.NaN())
		}
		cols[4].(*Scalar[float32]).Append(v, null)
		cols[5].(*Scalar[float64]).Append(x*1e-3, null)
	}
	tab.Columns = cols
	for _, ser := range []Serialization{Binary, Binary2} {
		var bulk, rows bytes.Buffer
		if err := WriteTable(&bulk, tab, ser); err != nil {
			t.Fatal(err)
		}
		binBulkWrite = false
		err := WriteTable(&rows, tab, ser)
		binBulkWrite = true
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(bulk.Bytes(), rows.Bytes()) {
			t.Fatalf("%v: column by column, %d bytes, differs from row by row, %d bytes", ser, bulk.Len(), rows.Len())
		}
		doc, err := Read(bytes.NewReader(bulk.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		back := doc.Tables()[0]
		if back.Rows() != n {
			t.Fatalf("%v: %d rows back, want %d", ser, back.Rows(), n)
		}
		if ser == Binary {
			continue // BINARY's nulls are values (a VALUES null, NaN): the bytes are compared
		}
		for j, c := range back.Columns {
			for i := 0; i < n; i++ {
				want, got := cols[j].Value(i), c.Value(i)
				if !sameValue(want, got) {
					t.Fatalf("%v: row %d column %q: %v back, want %v", ser, i, fields[j].Name, got, want)
				}
			}
		}
	}
}

func sameValue(a, b any) bool {
	if fa, ok := a.(float32); ok {
		if fb, ok := b.(float32); ok {
			return math.Float32bits(fa) == math.Float32bits(fb)
		}
	}
	return a == b
}
