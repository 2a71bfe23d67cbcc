package votable

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

func sampleTable(t *testing.T) *Table {
	t.Helper()
	return readOne(t, doc(`<FIELD name="name" datatype="char" arraysize="*"/><FIELD name="mag" datatype="float"/><FIELD name="n" datatype="int"/><FIELD name="v" datatype="double" arraysize="2"/>`,
		`<TABLEDATA>
<TR><TD>a, "quoted"</TD><TD>1.5</TD><TD>3</TD><TD>1 2</TD></TR>
<TR><TD/><TD>NaN</TD><TD/><TD/></TR>
<TR><TD> pad</TD><TD>-2.5</TD><TD>-7</TD><TD>3 4</TD></TR>
</TABLEDATA>`))
}

func TestWriteCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, sampleTable(t)); err != nil {
		t.Fatal(err)
	}
	want := "name,mag,n,v\n\"a, \"\"quoted\"\"\",1.5,3,1 2\n,NaN,,\n\" pad\",-2.5,-7,3 4\n"
	if buf.String() != want {
		t.Fatalf("CSV:\n%s\nwant:\n%s", buf.String(), want)
	}
}

func TestStats(t *testing.T) {
	tab := sampleTable(t)
	st := NewStats(tab.Fields)
	st.Add(tab.Columns)
	if st.Rows != 3 {
		t.Fatalf("rows %d", st.Rows)
	}
	mag, n, name := st.Columns[1], st.Columns[2], st.Columns[0]
	if mag.Good != 2 || mag.Nulls != 1 || mag.Min != -2.5 || mag.Max != 1.5 || math.Abs(mag.Mean()+0.5) > 1e-12 {
		t.Errorf("mag stats %+v mean %v", mag, mag.Mean())
	}
	if n.Good != 2 || n.Nulls != 1 || n.Min != -7 || n.Max != 3 || n.Mean() != -2 {
		t.Errorf("n stats %+v", n)
	}
	if name.Good != 2 || name.Nulls != 1 || name.Numeric {
		t.Errorf("name stats %+v", name)
	}
	if !strings.Contains(tab.Label(), "t") {
		t.Errorf("label %q", tab.Label())
	}
}
