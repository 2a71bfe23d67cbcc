package votable

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fitsBytes builds a FITS file: an empty primary HDU and a BINTABLE of
// the given column cards, rows and heap.
func fitsBytes(naxis1, naxis2, pcount int, cols []string, data ...any) []byte {
	var b bytes.Buffer
	block := func(cards ...string) {
		for _, c := range append(cards, "END") {
			if k, v, ok := strings.Cut(c, "="); ok {
				c = fmt.Sprintf("%-8s= %s", strings.TrimSpace(k), strings.TrimSpace(v))
			}
			fmt.Fprintf(&b, "%-80s", c)
		}
		for b.Len()%2880 != 0 {
			b.WriteByte(' ')
		}
	}
	block("SIMPLE = T", "BITPIX = 8", "NAXIS = 0")
	n := 0
	for _, c := range cols {
		if strings.HasPrefix(c, "TFORM") {
			n++
		}
	}
	block(append([]string{"XTENSION= 'BINTABLE'", "BITPIX = 8", "NAXIS = 2", fmt.Sprint("NAXIS1 = ", naxis1),
		fmt.Sprint("NAXIS2 = ", naxis2), fmt.Sprint("PCOUNT = ", pcount), "GCOUNT = 1", fmt.Sprint("TFIELDS = ", n)}, cols...)...)
	for _, v := range data {
		if s, ok := v.(string); ok {
			b.WriteString(s)
		} else {
			binary.Write(&b, binary.BigEndian, v)
		}
	}
	for b.Len()%2880 != 0 {
		b.WriteByte(0)
	}
	return b.Bytes()
}

// FuzzReadFITS reads arbitrary bytes through ReadTable as a FITS file
// (the content starts with SIMPLE): no input panics, and a table read has
// one column per field, all of its row count, and writes as BINARY2.
func FuzzReadFITS(f *testing.F) {
	f.Add(fitsBytes(28, 2, 24, []string{"TTYPE1 = 'ok'", "TFORM1 = 'L'", "TFORM2 = 'J'", "TNULL2 = -1", "TFORM3 = '4A'",
		"TFORM4 = 'I'", "TSCAL4 = 0.5", "TZERO4 = 10.0", "TFORM5 = '1PD(3)'", "TFORM6 = '3X'", "TFORM7 = 'K'", "TZERO7 = 9223372036854775808"},
		"T", int32(7), "ab\x00x", int16(4), int32(0), int32(0), uint8(0xa0), int64(5),
		"\x00", int32(-1), "abcd", int16(0), int32(3), int32(0), uint8(0x40), int64(-1), 1.5, -2.0, 3.25))
	f.Add(fitsBytes(36, 1, 24, []string{"TFORM1 = 'QJ'", "TFORM2 = 'PA'", "TFORM3 = 'C'", "TFORM4 = 'B'", "TZERO4 = -128"},
		int64(2), int64(0), int32(3), int32(8), float32(1), float32(2), uint8(3), int32(5), int32(-5), "abc"))
	f.Add(fitsBytes(40, 1, 0, []string{"TFORM1 = '6I'", "TDIM1 = '(2,3)'", "TFORM2 = 'M'", "TFORM3 = '2E'", "TFORM4 = '0J'"},
		make([]byte, 40)))
	f.Add(fitsBytes(12, 1, 0, []string{"TFORM1 = 'I'", "TZERO1 = 32768", "TFORM2 = 'J'", "TZERO2 = 2147483648", "TFORM3 = 'PL'", "TFORM4 = '2B'", "TNULL4 = 7"},
		make([]byte, 16)))
	f.Fuzz(func(t *testing.T, data []byte) {
		if !bytes.HasPrefix(data, []byte("SIMPLE  =")) {
			return
		}
		tab, err := ReadTable(context.Background(), bytes.NewReader(data), "fuzz.fits")
		if err != nil {
			return
		}
		if len(tab.Columns) != len(tab.Fields) {
			t.Fatalf("%d columns for %d fields", len(tab.Columns), len(tab.Fields))
		}
		for _, c := range tab.Columns {
			if c.Len() != tab.Rows() {
				t.Fatalf("column %s has %d rows, the table %d", c.Field().Name, c.Len(), tab.Rows())
			}
		}
		if err := WriteTable(&bytes.Buffer{}, tab, Binary2); err != nil {
			t.Fatalf("writing what was read: %v", err)
		}
	})
}

// TestReadTableFITS reads a FITS table through ReadTable: datatypes,
// nulls, the offset conventions, a variable-length array and bits.
func TestReadTableFITS(t *testing.T) {
	data := fitsBytes(28, 2, 24, []string{"TTYPE1 = 'ok'", "TFORM1 = 'L'", "TTYPE2 = 'n'", "TFORM2 = 'J'", "TNULL2 = -1", "TTYPE3 = 's'", "TFORM3 = '4A'",
		"TTYPE4 = 'x'", "TFORM4 = 'I'", "TSCAL4 = 0.5", "TZERO4 = 10.0", "TTYPE5 = 'v'", "TFORM5 = '1PD(3)'", "TTYPE6 = 'b'", "TFORM6 = '3X'",
		"TTYPE7 = 'u'", "TFORM7 = 'K'", "TZERO7 = 9223372036854775808", "EXTNAME = 'cat'"},
		"T", int32(7), "ab\x00x", int16(4), int32(0), int32(0), uint8(0xa0), int64(5),
		"\x00", int32(-1), "abcd", int16(0), int32(3), int32(0), uint8(0x40), int64(-1), 1.5, -2.0, 3.25)
	tab, err := ReadTable(context.Background(), bytes.NewReader(data), "x.fits")
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, f := range tab.Fields {
		types = append(types, strings.TrimSpace(f.Datatype.String()+" "+f.Arraysize))
	}
	if got := strings.Join(types, ","); got != "boolean,int,char 4,double,double *,bit 3,double" || tab.Name != "cat" {
		t.Errorf("table %q types %s", tab.Name, got)
	}
	want := [][]any{
		{true, int32(7), "ab", 12.0, []float64{}, []bool{true, false, true}, float64(1<<63 + 5)},
		{nil, nil, "abcd", 10.0, []float64{1.5, -2, 3.25}, []bool{false, true, false}, float64(1<<63 - 1)},
	}
	for r, row := range want {
		for j, w := range row {
			if got := tab.Columns[j].Value(r); fmt.Sprint(got) != fmt.Sprint(w) {
				t.Errorf("row %d %s: %v, want %v", r, tab.Fields[j].Name, got, w)
			}
		}
	}
	if v := tab.Fields[1].Values; v == nil || v.Null != "-1" {
		t.Errorf("n: VALUES %+v", v)
	}
}

// TestReadTableFileFITSBounds: a FITS file declaring more rows than it
// has is refused before anything is allocated for them, naming the cards.
func TestReadTableFileFITSBounds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.fits")
	if err := os.WriteFile(path, fitsBytes(8, 100_000_000, 0, []string{"TFORM1 = 'D'"}, 1.5), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadTableFile(context.Background(), path)
	if err == nil || !strings.Contains(err.Error(), "NAXIS2 = 100000000") || !strings.Contains(err.Error(), "the file has only 2880") {
		t.Fatalf("%v", err)
	}
}
