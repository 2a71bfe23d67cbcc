package votable

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

// doc wraps fields and data in a VOTable document.
func doc(fields, data string) string {
	return `<?xml version="1.0"?>
<VOTABLE version="1.4" xmlns="http://www.ivoa.net/xml/VOTable/v1.3">
<RESOURCE type="results"><INFO name="QUERY_STATUS" value="OK"/>
<TABLE name="t">` + fields + `<DATA>` + data + `</DATA></TABLE></RESOURCE></VOTABLE>`
}

func readOne(t *testing.T, s string) *Table {
	t.Helper()
	d, err := Read(strings.NewReader(s))
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	tabs := d.Tables()
	if len(tabs) != 1 {
		t.Fatalf("%d tables", len(tabs))
	}
	return tabs[0]
}

func TestTableDataValues(t *testing.T) {
	tests := []struct {
		name, field, cells string
		want               []any
	}{
		{"empty TD is null", `<FIELD name="x" datatype="int"/>`, `<TD></TD>|<TD/>|<TD>7</TD>`, []any{nil, nil, int32(7)}},
		{"hex integers", `<FIELD name="x" datatype="long"/>`, `<TD>0x1F</TD>|<TD>-0x10</TD>|<TD> 12 </TD>`, []any{int64(31), int64(-16), int64(12)}},
		{"short hex wraps", `<FIELD name="x" datatype="short"/>`, `<TD>0xFFFF</TD>`, []any{int16(-1)}},
		{"floats", `<FIELD name="x" datatype="double"/>`, `<TD>NaN</TD>|<TD>+Inf</TD>|<TD>-Inf</TD>|<TD>1e-3</TD>`, []any{math.NaN(), math.Inf(1), math.Inf(-1), 0.001}},
		{"booleans", `<FIELD name="x" datatype="boolean"/>`, `<TD>T</TD>|<TD>false</TD>|<TD>TRUE</TD>|<TD>?</TD>|<TD>0</TD>|<TD> </TD>`, []any{true, false, true, nil, false, nil}},
		{"magic null", `<FIELD name="x" datatype="int"><VALUES null="-99"/></FIELD>`, `<TD>-99</TD>|<TD>5</TD>`, []any{nil, int32(5)}},
		{"entities and CDATA", `<FIELD name="x" datatype="char" arraysize="*"/>`, `<TD>a&lt;b&amp;c&#233;</TD>|<TD><![CDATA[x<y]]></TD>|<TD>plain</TD>`, []any{"a<b&c\u00e9", "x<y", "plain"}},
		{"fixed string cut", `<FIELD name="x" datatype="char" arraysize="3"/>`, `<TD>abcdef</TD>`, []any{"abc"}},
		{"unicode", `<FIELD name="x" datatype="unicodeChar" arraysize="*"/>`, `<TD>Ωmega ☉</TD>`, []any{"Ωmega ☉"}},
		{"float array", `<FIELD name="x" datatype="float" arraysize="3"/>`, `<TD>1 2.5 NaN</TD>`, []any{[]float32{1, 2.5, float32(math.NaN())}}},
		{"complex", `<FIELD name="x" datatype="doubleComplex"/>`, `<TD>1 -2</TD>`, []any{complex(1, -2)}},
		{"bit array", `<FIELD name="x" datatype="bit" arraysize="*"/>`, `<TD>1 0 1</TD>|<TD>011</TD>`, []any{[]bool{true, false, true}, []bool{false, true, true}}},
		{"IRSA null words", `<FIELD name="x" datatype="float"/>`, `<TD>null</TD>|<TD>-</TD>`, []any{nil, nil}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var rows strings.Builder
			for _, c := range strings.Split(tc.cells, "|") {
				rows.WriteString("<TR>" + c + "</TR>\n")
			}
			tab := readOne(t, doc(tc.field, "<TABLEDATA>"+rows.String()+"</TABLEDATA>"))
			if tab.Rows() != len(tc.want) {
				t.Fatalf("%d rows, want %d", tab.Rows(), len(tc.want))
			}
			for i, w := range tc.want {
				got := tab.Columns[0].Value(i)
				if !sameCell(w, got) && !reflect.DeepEqual(fmtAny(w), fmtAny(got)) {
					t.Errorf("row %d: %#v, want %#v", i, got, w)
				}
				if (w == nil) != tab.Columns[0].IsNull(i) {
					t.Errorf("row %d: IsNull %v", i, tab.Columns[0].IsNull(i))
				}
			}
		})
	}
}

func TestMalformedCellNamesTableRowColumn(t *testing.T) {
	s := doc(`<FIELD name="a" datatype="int"/><FIELD name="mag" datatype="float"/>`,
		`<TABLEDATA><TR><TD>1</TD><TD>2</TD></TR><TR><TD>3</TD><TD>bright</TD></TR></TABLEDATA>`)
	_, err := Read(strings.NewReader(s))
	var de *DataError
	if !errors.As(err, &de) {
		t.Fatalf("want a DataError, got %v", err)
	}
	if de.Row != 1 || de.Column != "mag" || !strings.Contains(err.Error(), `table "t", row 2, column 2 "mag"`) {
		t.Fatalf("error does not name table, row and column: %v", err)
	}
}

// truncated cuts s just after the first occurrence of mark.
func truncated(s, mark string) string { return s[:strings.Index(s, mark)+len(mark)] }

func TestStructuralErrors(t *testing.T) {
	tests := []struct{ name, doc, want string }{
		{"too many cells", doc(`<FIELD name="a" datatype="int"/>`, `<TABLEDATA><TR><TD>1</TD><TD>2</TD></TR></TABLEDATA>`), "more cells"},
		{"too few cells", doc(`<FIELD name="a" datatype="int"/><FIELD name="b" datatype="int"/>`, `<TABLEDATA><TR><TD>1</TD></TR></TABLEDATA>`), "1 cells for 2 fields"},
		{"truncated", truncated(doc(`<FIELD name="a" datatype="int"/>`, `<TABLEDATA><TR><TD>1</TD></TR></TABLEDATA>`), "<TD>1</TD>"), "document ends inside a row"},
		{"FITS", doc(`<FIELD name="a" datatype="int"/>`, `<FITS><STREAM href="x.fits"/></FITS>`), `table "t": FITS serialization is not supported`},
		{"remote stream", doc(`<FIELD name="a" datatype="int"/>`, `<BINARY2><STREAM href="http://example.org/x"/></BINARY2>`), `table "t": STREAM href="http://example.org/x"`},
		{"unknown datatype", doc(`<FIELD name="a" datatype="quaternion"/>`, `<TABLEDATA/>`), `unknown datatype "quaternion"`},
		{"not a votable", `<html><body>oops</body></html>`, "no VOTABLE element"},
		{"bad xml", `<VOTABLE><RESOURCE></VOTABLE>`, "malformed XML"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tc.doc))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// binary2Doc builds a BINARY2 document from raw row bytes.
func binary2Doc(fields string, raw []byte, ser string) string {
	return doc(fields, "<"+ser+"><STREAM encoding=\"base64\">\n"+base64.StdEncoding.EncodeToString(raw)+"\n</STREAM></"+ser+">")
}

func TestBinary2NullsAndVariableArrays(t *testing.T) {
	var raw []byte
	// row 1: flags 0b01000000 (column 2 null); int 5; char* "ab" (null flagged: ignored)
	raw = append(raw, 0x40)
	raw = binary.BigEndian.AppendUint32(raw, 5)
	raw = binary.BigEndian.AppendUint32(raw, 2)
	raw = append(raw, "ab"...)
	// row 2: no nulls; int -1; char* "héllo"
	raw = append(raw, 0)
	raw = binary.BigEndian.AppendUint32(raw, math.MaxUint32)
	raw = binary.BigEndian.AppendUint32(raw, 6)
	raw = append(raw, "h\xc3\xa9llo"...)
	tab := readOne(t, binary2Doc(`<FIELD name="i" datatype="int"/><FIELD name="s" datatype="char" arraysize="*"/>`, raw, "BINARY2"))
	want := [][]any{{int32(5), nil}, {int32(-1), "héllo"}}
	for r, row := range want {
		for c, w := range row {
			if got := tab.Columns[c].Value(r); !reflect.DeepEqual(got, w) {
				t.Errorf("row %d col %d: %#v, want %#v", r, c, got, w)
			}
		}
	}
}

func TestBinaryTruncatedStream(t *testing.T) {
	raw := binary.BigEndian.AppendUint32(nil, 7)
	raw = append(raw, 0, 0) // half an int
	_, err := Read(strings.NewReader(binary2Doc(`<FIELD name="i" datatype="int"/>`, raw, "BINARY")))
	if err == nil || !strings.Contains(err.Error(), `table "t", BINARY row 2`) {
		t.Fatalf("want an error naming the table and row, got %v", err)
	}
}

func TestQueryStatusAfterTable(t *testing.T) {
	s := `<VOTABLE version="1.4"><RESOURCE type="results"><INFO name="QUERY_STATUS" value="OK"/>
<TABLE><FIELD name="a" datatype="int"/><DATA><TABLEDATA><TR><TD>1</TD></TR></TABLEDATA></DATA>
<INFO name="QUERY_STATUS" value="OVERFLOW"/></TABLE></RESOURCE></VOTABLE>`
	d, err := Read(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	if q := d.QueryStatus(); q == nil || q.Value != "OVERFLOW" {
		t.Fatalf("QUERY_STATUS %+v, want the trailing OVERFLOW", q)
	}
	s2 := strings.Replace(s, `<INFO name="QUERY_STATUS" value="OVERFLOW"/></TABLE></RESOURCE>`, `</TABLE><INFO name="QUERY_STATUS" value="ERROR">boom</INFO></RESOURCE>`, 1)
	d, err = Read(strings.NewReader(s2))
	if err != nil {
		t.Fatal(err)
	}
	if q := d.QueryStatus(); q == nil || q.Value != "ERROR" || q.Content != "boom" {
		t.Fatalf("QUERY_STATUS %+v, want the trailing ERROR", q)
	}
}

func TestNamespacePrefixAndGzip(t *testing.T) {
	s := `<?xml version="1.0"?><vot:VOTABLE xmlns:vot="http://www.ivoa.net/xml/VOTable/v1.3" version="1.3">
<vot:RESOURCE><vot:TABLE><vot:FIELD name="a" datatype="int"/><vot:DATA><vot:TABLEDATA>
<vot:TR><vot:TD>1</vot:TD></vot:TR><!-- a comment --><vot:TR><vot:TD>2</vot:TD></vot:TR>
</vot:TABLEDATA></vot:DATA></vot:TABLE></vot:RESOURCE></vot:VOTABLE>`
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(s))
	zw.Close()
	for name, in := range map[string]io.Reader{"plain": strings.NewReader(s), "gzip": &gz} {
		d, err := Read(in)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		tab := d.Tables()[0]
		if tab.Rows() != 2 || tab.Columns[0].Value(1) != int32(2) {
			t.Fatalf("%s: %d rows", name, tab.Rows())
		}
	}
}

// TestStreamingBatches reads a table in small batches, then the next table.
func TestStreamingBatches(t *testing.T) {
	var rows strings.Builder
	for i := 0; i < 1000; i++ {
		rows.WriteString("<TR><TD>" + itoa(i) + "</TD></TR>")
	}
	one := `<TABLE name="first"><FIELD name="a" datatype="int"/><DATA><TABLEDATA>` + rows.String() + `</TABLEDATA></DATA></TABLE>`
	two := `<TABLE name="second"><FIELD name="b" datatype="short"/><DATA><TABLEDATA><TR><TD>9</TD></TR></TABLEDATA></DATA></TABLE>`
	s := `<VOTABLE><RESOURCE>` + one + two + `</RESOURCE></VOTABLE>`
	d := NewDecoder(strings.NewReader(s))
	d.BatchRows = 64
	tab, err := d.NextTable()
	if err != nil || tab.Name != "first" {
		t.Fatalf("first table: %v %v", tab, err)
	}
	next := 0
	for {
		cols, err := d.NextBatch()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if cols[0].Len() > 64 {
			t.Fatalf("batch of %d rows, limit 64", cols[0].Len())
		}
		for i := 0; i < cols[0].Len(); i++ {
			if v := cols[0].Value(i); v != int32(next) {
				t.Fatalf("row %d: %v", next, v)
			}
			next++
		}
	}
	if next != 1000 {
		t.Fatalf("streamed %d rows", next)
	}
	tab, err = d.NextTable()
	if err != nil || tab.Name != "second" {
		t.Fatalf("second table: %v %v", tab, err)
	}
	// Skipping its rows: the decoder moves on by itself.
	if _, err := d.NextTable(); err != io.EOF {
		t.Fatalf("want io.EOF, got %v", err)
	}
}

func TestWriteKeepsMetadata(t *testing.T) {
	s := `<VOTABLE version="1.4"><RESOURCE type="results"><INFO name="QUERY_STATUS" value="OK"/>
<COOSYS ID="icrs" system="ICRS"/><PARAM name="radius" datatype="double" value="0.5" unit="deg"/>
<TABLE name="t"><DESCRIPTION>a table</DESCRIPTION>
<FIELD name="ra" ID="col_ra" datatype="double" unit="deg" ucd="pos.eq.ra;meta.main" ref="icrs" xtype="x" precision="6" width="10">
<DESCRIPTION>Right ascension</DESCRIPTION><VALUES null="-1"><MIN value="0"/><MAX value="360" inclusive="no"/></VALUES><LINK href="http://x/y"/></FIELD>
<GROUP name="g"><FIELDref ref="col_ra"/><PARAM name="p" datatype="int" value="3"/></GROUP>
<DATA><TABLEDATA><TR><TD>1.5</TD></TR></TABLEDATA></DATA></TABLE>
<INFO name="QUERY_STATUS" value="OVERFLOW"/></RESOURCE></VOTABLE>`
	d, err := Read(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	for _, ser := range []Serialization{TableData, Binary, Binary2} {
		var buf bytes.Buffer
		if err := Write(&buf, d, ser); err != nil {
			t.Fatal(err)
		}
		back, err := Read(&buf)
		if err != nil {
			t.Fatalf("%v: %v", ser, err)
		}
		r := back.Resources[0]
		f := back.Tables()[0].Fields[0]
		switch {
		case len(r.CooSys) != 1 || r.CooSys[0].System != "ICRS":
			t.Errorf("%v: COOSYS lost", ser)
		case len(r.Params) != 1 || r.Params[0].Value != "0.5" || r.Params[0].Unit != "deg":
			t.Errorf("%v: PARAM lost", ser)
		case f.UCD != "pos.eq.ra;meta.main" || f.ID != "col_ra" || f.Ref != "icrs" || f.XType != "x" || f.Precision != "6" || f.Width != "10":
			t.Errorf("%v: FIELD attributes lost: %+v", ser, f)
		case f.Description != "Right ascension" || f.Values == nil || f.Values.Null != "-1" || f.Values.Max.Inclusive != "no" || len(f.Links) != 1:
			t.Errorf("%v: FIELD children lost: %+v", ser, f)
		case len(back.Tables()[0].Groups) != 1 || back.Tables()[0].Groups[0].FieldRefs[0].Ref != "col_ra":
			t.Errorf("%v: GROUP lost", ser)
		case back.QueryStatus().Value != "OVERFLOW":
			t.Errorf("%v: trailing QUERY_STATUS lost", ser)
		}
	}
}

// TestBinaryRowsOfNoBytes: when no field takes a byte (no FIELD, or only
// empty fixed arrays) a non-empty stream is no number of rows: an error,
// not a read that never ends (found by FuzzRead); an empty stream is a
// table of no rows.
func TestBinaryRowsOfNoBytes(t *testing.T) {
	for _, tc := range []struct {
		name, fields, ser, stream string
		wantErr                   bool
	}{
		{"no field, BINARY", "", "BINARY", "AAAAAAAA", true},
		{"no field, BINARY2", "", "BINARY2", "AAAAAAAA", true},
		{"empty char array, BINARY", `<FIELD name="c" datatype="char" arraysize="0"/>`, "BINARY", "AAAA", true},
		{"no field, empty stream", "", "BINARY", "", false},
	} {
		doc := `<VOTABLE><RESOURCE><TABLE name="t">` + tc.fields + `<DATA><` + tc.ser + `><STREAM encoding="base64">` +
			tc.stream + `</STREAM></` + tc.ser + `></DATA></TABLE></RESOURCE></VOTABLE>`
		done := make(chan error, 1)
		go func() {
			_, err := Read(strings.NewReader(doc))
			done <- err
		}()
		select {
		case err := <-done:
			if tc.wantErr && (err == nil || !strings.Contains(err.Error(), "take no bytes")) {
				t.Errorf("%s: %v, want an error saying the fields take no bytes", tc.name, err)
			}
			if !tc.wantErr && err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: Read does not return", tc.name)
		}
	}
}
