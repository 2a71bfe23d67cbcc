package votable

import (
	"strings"
	"testing"
)

// A table read whole keeps storage for its rows only (an agent holding many
// small search results must not hold a full chunk a column), and a
// compacted column still takes appends.
func TestCompactedColumns(t *testing.T) {
	doc, err := Read(strings.NewReader(`<VOTABLE><RESOURCE><TABLE>
<FIELD name="x" datatype="double"/><FIELD name="s" datatype="char" arraysize="*"/><FIELD name="a" datatype="int" arraysize="2"/>
<DATA><TABLEDATA><TR><TD>1</TD><TD>one</TD><TD>1 2</TD></TR><TR><TD/><TD/><TD/></TR><TR><TD>3</TD><TD>three</TD><TD>5 6</TD></TR></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>`))
	if err != nil {
		t.Fatal(err)
	}
	tab := doc.Tables()[0]
	x := tab.Columns[0].(*Scalar[float64])
	s := tab.Columns[1].(*Strings)
	a := tab.Columns[2].(*Array[int32])
	if c := cap(x.chunks[0]); c > 8 {
		t.Errorf("a 3-row double column holds %d values", c)
	}
	if c := cap(s.chunks[0].off) + cap(s.chunks[0].vals); c > 16 {
		t.Errorf("a 3-row string column holds %d offsets and bytes", c)
	}
	if c := cap(a.chunks[0].off); c > 8 {
		t.Errorf("a 3-row array column holds %d offsets", c)
	}
	if !x.IsNull(1) || x.IsNull(2) || x.At(2) != 3 || s.Value(2) != "three" || !s.IsNull(1) {
		t.Fatalf("values changed by compaction")
	}
	for i := range 70000 { // past the first chunk
		x.Append(float64(i), i%1000 == 0)
		if err := s.AppendString("v", false); err != nil {
			t.Fatal(err)
		}
	}
	if x.Len() != 70003 || x.At(3) != 0 || !x.IsNull(3) || x.At(70002) != 69999 || !x.IsNull(1) || x.At(2) != 3 || s.Value(70002) != "v" {
		t.Errorf("appends after compaction: len %d, %v %v %v", x.Len(), x.At(3), x.IsNull(3), x.At(70002))
	}
}
