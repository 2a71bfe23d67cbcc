package fits

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"testing"
)

// header builds a header: cards as "KEY = value" or raw 80-column text,
// END appended, padded to a block.
func header(cards ...string) []byte {
	var b bytes.Buffer
	for _, c := range append(cards, "END") {
		if k, v, ok := strings.Cut(c, "="); ok && len(strings.TrimSpace(k)) <= 8 && !strings.HasPrefix(c, "        ") {
			c = fmt.Sprintf("%-8s= %s", strings.TrimSpace(k), strings.TrimSpace(v))
		}
		b.WriteString(fmt.Sprintf("%-80s", c))
	}
	for b.Len()%BlockSize != 0 {
		b.WriteByte(' ')
	}
	return b.Bytes()
}

func pad(data []byte) []byte {
	for len(data)%BlockSize != 0 {
		data = append(data, 0)
	}
	return data
}

// file is a primary HDU without data and a BINTABLE of the given column
// cards and data (rows then heap).
func file(naxis1, naxis2, pcount int, cols []string, data []byte) []byte {
	out := header("SIMPLE = T", "BITPIX = 8", "NAXIS = 0", "EXTEND = T")
	cards := []string{"XTENSION= 'BINTABLE'", "BITPIX = 8", "NAXIS = 2", fmt.Sprintf("NAXIS1 = %d", naxis1),
		fmt.Sprintf("NAXIS2 = %d", naxis2), fmt.Sprintf("PCOUNT = %d", pcount), "GCOUNT = 1",
		fmt.Sprintf("TFIELDS = %d", countTFORM(cols))}
	out = append(out, header(append(cards, cols...)...)...)
	return append(out, pad(append([]byte(nil), data...))...)
}

func countTFORM(cols []string) int {
	nf, nt := 0, 0
	for _, c := range cols {
		if strings.HasPrefix(c, "TFORM") {
			nf++
		}
		if strings.HasPrefix(c, "TTYPE") {
			nt++
		}
	}
	return max(nf, nt)
}

func be(vals ...any) []byte {
	var b bytes.Buffer
	for _, v := range vals {
		if s, ok := v.(string); ok {
			b.WriteString(s)
			continue
		}
		if err := binary.Write(&b, binary.BigEndian, v); err != nil {
			panic(err)
		}
	}
	return b.Bytes()
}

func read(t *testing.T, data []byte) (*Table, error) {
	t.Helper()
	return Read(context.Background(), bytes.NewReader(data), Options{Size: int64(len(data))})
}

func TestReadCells(t *testing.T) {
	cols := []string{"TTYPE1 = 'ok'", "TFORM1 = 'L'", "TTYPE2 = 'n'", "TFORM2 = 'J'", "TNULL2 = -1",
		"TTYPE3 = 'name'", "TFORM3 = '4A'", "TTYPE4 = 'flux'", "TFORM4 = 'I'", "TSCAL4 = 0.5", "TZERO4 = 10.0", "TNULL4 = 0",
		"TTYPE5 = 'v'", "TFORM5 = '1PD(3)'", "TTYPE6 = 'b'", "TFORM6 = '3X'", "TUNIT4 = 'Jy'",
		"TTYPE7 = 'u'", "TFORM7 = 'K'", "TZERO7 = 9223372036854775808"}
	rows := be("T", int32(7), "ab\x00x", int16(4), int32(0), int32(0), uint8(0xa0), int64(math.MinInt64)+5,
		"\x00", int32(-1), "abcd", int16(0), int32(3), int32(0), uint8(0x40), int64(math.MaxInt64))
	heap := be(1.5, -2.0, 3.25)
	tab, err := read(t, file(1+4+4+2+8+1+8, 2, len(heap), cols, append(rows, heap...)))
	if err != nil {
		t.Fatal(err)
	}
	want := [][]any{
		{true, int64(7), "ab", 12.0, []float64{}, []bool{true, false, true}, uint64(5)},
		{nil, nil, "abcd", nil, []float64{1.5, -2, 3.25}, []bool{false, true, false}, uint64(math.MaxUint64)},
	}
	for r, wrow := range want {
		for i, w := range wrow {
			got, err := tab.Value(r, tab.Columns[i])
			if err != nil {
				t.Fatalf("row %d col %d: %v", r, i, err)
			}
			if fmt.Sprint(got) != fmt.Sprint(w) {
				t.Errorf("row %d column %s: %v, want %v", r, tab.Columns[i].Name, got, w)
			}
		}
	}
	if c := tab.Columns[3]; c.Kind() != KindFloat || c.Unit != "Jy" || !c.Scaled {
		t.Errorf("flux: %+v", c)
	}
	if c := tab.Columns[6]; c.Kind() != KindUint || !c.Offset {
		t.Errorf("u: %+v", c)
	}
}

func TestHeaderCards(t *testing.T) {
	h, _, err := readHeader(bytes.NewReader(header(
		"SIMPLE = T / conforms",
		"LONG = 'abc&'",
		"CONTINUE  'def&'",
		"CONTINUE  'ghi' / the end",
		"QUOTE = 'it''s  ' / a quote",
		"BIG = 9223372036854775808",
		"DEXP = 1.5D3",
		"NOVAL =",
		"COMMENT just text = not a value",
	)))
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]any{"SIMPLE": true, "LONG": "abcdefghi", "QUOTE": "it's", "BIG": 9.223372036854775808e18, "DEXP": 1500.0, "NOVAL": nil} {
		c, ok := h.Get(key)
		if !ok || c.Value != want {
			t.Errorf("%s: %#v (found %v), want %#v", key, c.Value, ok, want)
		}
	}
	if c, _ := h.Get("COMMENT"); c.Value != nil || !strings.Contains(c.Comment, "just text") {
		t.Errorf("COMMENT: %+v", c)
	}
	if c, _ := h.Get("LONG"); c.Comment != "the end" {
		t.Errorf("LONG comment %q", c.Comment)
	}
}

func TestReadErrors(t *testing.T) {
	okCols := []string{"TTYPE1 = 'a'", "TFORM1 = 'J'"}
	valid := file(4, 2, 0, okCols, be(int32(1), int32(2)))
	vla := []string{"TTYPE1 = 'v'", "TFORM1 = 'PJ'"}
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "empty input"},
		{"not fits", []byte(strings.Repeat("x", BlockSize)), "not a FITS file"},
		{"not fits 2", header("HELLO = T"), "not SIMPLE"},
		{"simple F", header("SIMPLE = F"), "SIMPLE is not T"},
		{"no END", []byte(fmt.Sprintf("%-80s", "SIMPLE  =                    T")), "before its END"},
		{"no bintable", header("SIMPLE = T", "BITPIX = 8", "NAXIS = 0"), "no BINTABLE"},
		{"bad bitpix", header("SIMPLE = T", "BITPIX = 7", "NAXIS = 0"), "BITPIX = 7"},
		{"huge primary", header("SIMPLE = T", "BITPIX = 8", "NAXIS = 1", "NAXIS1 = 1000000000"), "1000000000 bytes declared"},
		{"huge rows", file(4, 1<<40, 0, okCols, nil), "NAXIS2 = 1099511627776"},
		{"overflow", file(1<<40, 1<<40, 0, okCols, nil), "overflows"},
		{"short", file(4, 100000, 0, okCols, be(int32(1))), "NAXIS2 = 100000"},
		{"naxis1", file(8, 2, 0, okCols, be(int32(1), int32(2), int32(3), int32(4))), "NAXIS1 = 8 but"},
		{"no tform", file(4, 1, 0, []string{"TTYPE1 = 'a'"}, be(int32(1))), "TFORM1 is missing"},
		{"bad tform", file(4, 1, 0, []string{"TFORM1 = '4Z'"}, be(int32(1))), "TFORM1"},
		{"tform text", file(4, 1, 0, []string{"TFORM1 = 'Jx'"}, be(int32(1))), "TFORM1"},
		{"tnull on E", file(4, 1, 0, []string{"TFORM1 = 'E'", "TNULL1 = 3"}, be(int32(1))), "TNULL1"},
		{"tscal on A", file(4, 1, 0, []string{"TFORM1 = '4A'", "TSCAL1 = 3"}, be("abcd")), "TSCAL1"},
		{"tdim", file(8, 1, 0, []string{"TFORM1 = '2J'", "TDIM1 = '(3,2)'"}, be(int32(1), int32(2))), "TDIM1"},
		{"theap", file(4, 1, 0, []string{"TFORM1 = 'J'", "THEAP = 2"}, be(int32(1))), "THEAP"},
		{"naxis", file(4, 1, 0, okCols, be(int32(1)))[:0], "empty"},
	} {
		_, err := read(t, c.data)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error with %q", c.name, err, c.want)
		}
	}
	if _, err := read(t, valid); err != nil {
		t.Errorf("valid: %v", err)
	}
	// Descriptors pointing outside the heap fail when the cell is read.
	for _, d := range [][]int32{{5, 0}, {1, 9}, {-1, 0}, {1 << 30, 0}} {
		tab, err := read(t, file(8, 1, 8, vla, be(d[0], d[1], int32(1), int32(2))))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tab.Ints(0, tab.Columns[0], nil); err == nil || !strings.Contains(err.Error(), "heap") {
			t.Errorf("descriptor %v: %v", d, err)
		}
	}
}

// TestReadUnknownSize reads from a stream of unknown size (as gzip gives)
// whose header declares more data than it has: the error comes after
// reading what is there, not after allocating what was declared.
func TestReadUnknownSize(t *testing.T) {
	data := file(4, 1<<28, 0, []string{"TFORM1 = 'J'"}, be(int32(1)))
	_, err := Read(context.Background(), bytes.NewReader(data), Options{})
	if err == nil || !strings.Contains(err.Error(), "ends after") {
		t.Fatalf("%v", err)
	}
	_, err = Read(context.Background(), bytes.NewReader(data), Options{MaxBytes: 1 << 20})
	if err == nil || !strings.Contains(err.Error(), "limit") {
		t.Fatalf("%v", err)
	}
}

// TestSkipsHDUs skips an image extension and an ASCII table before the
// BINTABLE, and keeps a fits-plus primary HDU's VOTable.
func TestSkipsHDUs(t *testing.T) {
	meta := "<VOTABLE><RESOURCE><TABLE><FIELD name='a' datatype='int' ucd='pos.eq.ra'/></TABLE></RESOURCE></VOTABLE>"
	var f []byte
	f = append(f, header("SIMPLE = T", "BITPIX = 8", "NAXIS = 1", fmt.Sprintf("NAXIS1 = %d", len(meta)), "VOTMETA = T")...)
	f = append(f, pad([]byte(meta))...)
	f = append(f, header("XTENSION= 'IMAGE'", "BITPIX = -32", "NAXIS = 2", "NAXIS1 = 3", "NAXIS2 = 2", "PCOUNT = 0", "GCOUNT = 1")...)
	f = append(f, pad(make([]byte, 24))...)
	f = append(f, header("XTENSION= 'TABLE'", "BITPIX = 8", "NAXIS = 2", "NAXIS1 = 5", "NAXIS2 = 1", "PCOUNT = 0", "GCOUNT = 1", "TFIELDS = 0")...)
	f = append(f, pad([]byte("hello"))...)
	bt := file(4, 1, 0, []string{"TTYPE1 = 'a'", "TFORM1 = 'J'"}, be(int32(42)))
	f = append(f, bt[BlockSize:]...)
	tab, err := read(t, f)
	if err != nil {
		t.Fatal(err)
	}
	if tab.HDU != 3 || string(tab.Meta) != meta {
		t.Errorf("HDU %d, meta %q", tab.HDU, tab.Meta)
	}
	if v, _ := tab.Value(0, tab.Columns[0]); v != int64(42) {
		t.Errorf("value %v", v)
	}
}

func TestStringCells(t *testing.T) {
	cols := []string{"TTYPE1 = 's'", "TFORM1 = '6A'", "TTYPE2 = 'g'", "TFORM2 = '4A'", "TDIM2 = '(2,2)'"}
	tab, err := read(t, file(10, 2, 0, cols, be("h\xe9\x01o ", "\x00", "a\x00bc", "ab  \x00x", "\x7fz\x00\x00")))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		row, col int
		want     string
	}{{0, 0, "hé o"}, {0, 1, "a bc"}, {1, 0, "ab"}, {1, 1, " z  "}} {
		got, err := tab.String(c.row, tab.Columns[c.col])
		if err != nil || got != c.want {
			t.Errorf("row %d column %d: %q %v, want %q", c.row, c.col, got, err, c.want)
		}
	}
}
