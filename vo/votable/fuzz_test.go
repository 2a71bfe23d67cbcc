package votable

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// Fuzz targets of the reader: the whole XML document (FuzzRead), the
// BINARY/BINARY2 decoders behind a fixed header (FuzzBinaryStream), and the
// TABLEDATA fast float parser against strconv (FuzzParseFloatFast). They
// must never panic or hang, whatever the input; scripts/fuzz.sh runs each
// for a few seconds in CI. Memory bounds on hostile size claims are pinned
// by the plain tests TestHugeArraysizeClaim and TestHugeVariableCount.

// hangLimit is how long one fuzz input may take (inputs are a few kB; the
// machine may be loaded) before the process is stopped with every
// goroutine's stack, which the fuzzer then records as a failing input.
const hangLimit = 20 * time.Second

// watchdog stops the process when the returned func is not called within
// hangLimit: the go fuzzer has no per-input timeout of its own.
func watchdog(what string) (stop func()) {
	t := time.AfterFunc(hangLimit, func() {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		panic(what + " hangs:\n" + string(buf))
	})
	return func() { t.Stop() }
}

// maxFuzzWriteElements bounds the fixed array sizes of a document that
// FuzzRead writes back (writing pads fixed arrays to their arraysize, so a
// tiny document may legitimately describe gigabytes of output).
const maxFuzzWriteElements = 256

// seedDocuments returns small documents to start fuzzing from: the oracle
// sources, voagent's writing of them in each serialization (gzip too), and
// the conformance documents of ../shared when present.
func seedDocuments(f *testing.F) [][]byte {
	f.Helper()
	var seeds [][]byte
	for _, p := range []string{oracleTypes, oracleText} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, b)
		doc, err := Read(bytes.NewReader(b))
		if err != nil {
			f.Fatalf("%s: %v", p, err)
		}
		for _, ser := range []Serialization{TableData, Binary, Binary2} {
			var buf bytes.Buffer
			if err := Write(&buf, doc, ser); err != nil {
				f.Fatal(err)
			}
			seeds = append(seeds, buf.Bytes())
		}
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		if _, err := zw.Write(b); err != nil {
			f.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, gz.Bytes())
	}
	root := filepath.Join("..", "..", "..", "shared", "conformance")
	_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".xml") {
			return nil
		}
		if b, err := os.ReadFile(p); err == nil && len(b) < 64<<10 {
			seeds = append(seeds, b)
		}
		return nil
	})
	return seeds
}

func FuzzRead(f *testing.F) {
	for _, s := range seedDocuments(f) {
		f.Add(s)
	}
	f.Add([]byte(`<VOTABLE><RESOURCE><TABLE><FIELD name="a" datatype="int" arraysize="2x*"/><DATA><TABLEDATA><TR><TD>1 2 3</TD></TR></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>`))
	// Deep nesting: at and past the XML guard's limit, in each place.
	for _, where := range []string{"top", "resource", "table", "field"} {
		f.Add([]byte(deepDoc(where, "GROUP", 300)))
		f.Add([]byte(deepDoc(where, "X", 255)))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		defer watchdog("FuzzRead")()
		doc, err := Read(bytes.NewReader(data))
		// Read one byte at a time, the scanners meet the end of their
		// buffer everywhere: the outcome must not change.
		slow, slowErr := Read(iotest.OneByteReader(bytes.NewReader(data)))
		if (err == nil) != (slowErr == nil) {
			t.Fatalf("read at once: %v; one byte at a time: %v", err, slowErr)
		}
		if err != nil {
			if doc != nil {
				t.Fatalf("Read returned a document with the error %v", err)
			}
			return
		}
		sameShape(t, "one byte at a time", doc, slow)
		// What was read writes back, and reads back with the same shape.
		for _, tb := range doc.Tables() {
			for _, fd := range tb.Fields {
				if sh := fd.Shape; sh != nil && (sh.Count() > maxFuzzWriteElements || sh.Variable && sh.Dims[len(sh.Dims)-1] > maxFuzzWriteElements) {
					return
				}
			}
		}
		for _, ser := range []Serialization{TableData, Binary, Binary2} {
			var buf bytes.Buffer
			if err := Write(&buf, doc, ser); err != nil {
				// Only what cannot be written (e.g. FITS data) may fail.
				continue
			}
			back, err := Read(&buf)
			if err != nil {
				t.Fatalf("reading back %v: %v\n%s", ser, err, buf.Bytes())
			}
			sameShape(t, "written in "+ser.String(), doc, back)
		}
	})
}

// sameShape fails unless b has a's tables with a's row counts.
func sameShape(t *testing.T, what string, a, b *Document) {
	t.Helper()
	ta, tb := a.Tables(), b.Tables()
	if len(ta) != len(tb) {
		t.Fatalf("%s: %d tables, then %d", what, len(ta), len(tb))
	}
	for k := range ta {
		if ta[k].Columns != nil && ta[k].Rows() != tb[k].Rows() {
			t.Fatalf("%s: %s has %d rows, then %d", what, ta[k].Label(), ta[k].Rows(), tb[k].Rows())
		}
	}
}

// TestReadOneByteAtATime reads documents handed over one byte at a time, so
// that every row and cell meets the end of the buffered input somewhere:
// the cells must be those of a read at once.
func TestReadOneByteAtATime(t *testing.T) {
	docs := map[string][]byte{
		"cdata, comments, entities": []byte(`<VOTABLE><RESOURCE><TABLE><FIELD name="a" datatype="char" arraysize="*"/><FIELD name="b" datatype="int"/><DATA><TABLEDATA>
<TR><TD><![CDATA[x<y]]>z</TD><!-- c --><TD>1</TD></TR><TR><TD>a&amp;b<!--q--></TD><TD/></TR>
<TR><TD>last</TD><TD>  3 </TD></TR></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>`),
	}
	for _, p := range []string{oracleTypes, oracleText} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		docs[p] = b
		doc, err := Read(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		for _, ser := range []Serialization{Binary, Binary2} {
			var buf bytes.Buffer
			if err := Write(&buf, doc, ser); err != nil {
				t.Fatal(err)
			}
			docs[p+" "+ser.String()] = buf.Bytes()
		}
	}
	for name, b := range docs {
		t.Run(name, func(t *testing.T) {
			whole, err := Read(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			slow, err := Read(iotest.OneByteReader(bytes.NewReader(b)))
			if err != nil {
				t.Fatal(err)
			}
			sameShape(t, name, whole, slow)
			for k, tb := range whole.Tables() {
				compareTables(t, name, tb, slow.Tables()[k])
			}
		})
	}
	doc, err := Read(bytes.NewReader(docs["cdata, comments, entities"]))
	if err != nil {
		t.Fatal(err)
	}
	if c := doc.Tables()[0].Columns[0]; c.Value(0) != "x<yz" || c.Value(1) != "a&b" {
		t.Errorf("cells %q and %q, want \"x<yz\" and \"a&b\"", c.Value(0), c.Value(1))
	}
}

// binaryFuzzHead declares the fields of the oracle types table (every
// datatype, fixed, variable and 2-D arrays) for FuzzBinaryStream.
func binaryFuzzHead(tb testing.TB) *Table {
	tb.Helper()
	doc, err := ReadFile(oracleTypes)
	if err != nil {
		tb.Fatal(err)
	}
	t := doc.Tables()[0]
	// More fields for what the types table leaves out.
	for _, f := range []*Field{
		{Name: "s2xv", Datatype: Short, Arraysize: "2x*"},
		{Name: "bv", Datatype: Bit, Arraysize: "*"},
		{Name: "c3x2", Datatype: Char, Arraysize: "3x2"},
		{Name: "uv4", Datatype: UnicodeChar, Arraysize: "4*"},
	} {
		f.Shape, err = ParseShape(f.Arraysize)
		if err != nil {
			tb.Fatal(err)
		}
		t.Fields = append(t.Fields, f)
	}
	return t
}

// binaryDoc wraps a decoded BINARY or BINARY2 stream in a document
// declaring head's fields.
func binaryDoc(tb testing.TB, head *Table, stream []byte, two, gz bool) []byte {
	tb.Helper()
	meta := &Table{Name: head.Name, Fields: head.Fields, NRows: -1}
	var buf bytes.Buffer
	if err := WriteTable(&buf, meta, SerUnknown); err != nil {
		tb.Fatal(err)
	}
	s := buf.String()
	cut := strings.LastIndex(s, "</TABLE>")
	elem, enc := "BINARY", "base64"
	if two {
		elem = "BINARY2"
	}
	if gz {
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		_, _ = zw.Write(stream)
		_ = zw.Close()
		stream, enc = z.Bytes(), "gzip"
	}
	var out bytes.Buffer
	out.WriteString(s[:cut])
	out.WriteString("<DATA><" + elem + "><STREAM encoding=\"" + enc + "\">\n")
	out.WriteString(base64.StdEncoding.EncodeToString(stream))
	out.WriteString("\n</STREAM></" + elem + "></DATA>\n")
	out.WriteString(s[cut:])
	return out.Bytes()
}

// rawStream returns the decoded STREAM content of a one-table document
// voagent writes in ser.
func rawStream(tb testing.TB, t *Table, ser Serialization) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := WriteTable(&buf, t, ser); err != nil {
		tb.Fatal(err)
	}
	s := buf.String()
	i := strings.Index(s, "<STREAM encoding=\"base64\">")
	j := strings.Index(s, "</STREAM>")
	if i < 0 || j < i {
		tb.Fatalf("no STREAM in\n%s", s)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s[i+len("<STREAM encoding=\"base64\">"):j]), ""))
	if err != nil {
		tb.Fatal(err)
	}
	return raw
}

func FuzzBinaryStream(f *testing.F) {
	head := binaryFuzzHead(f)
	// Seeds: the types table's rows (the extra fields empty) in both
	// serializations, plain and gzipped.
	doc, err := ReadFile(oracleTypes)
	if err != nil {
		f.Fatal(err)
	}
	full := doc.Tables()[0]
	cols := append([]Column(nil), full.Columns...)
	for _, fd := range head.Fields[len(full.Fields):] {
		c, err := NewColumn(fd)
		if err != nil {
			f.Fatal(err)
		}
		for i := 0; i < full.Rows(); i++ {
			switch c := c.(type) {
			case *Strings:
				_ = c.AppendString("ab", false)
			case *Array[int16]:
				_ = c.Append([]int16{1, 2, 3, 4}, false)
			case *Array[bool]:
				_ = c.Append([]bool{true, false, true}, false)
			}
		}
		cols = append(cols, c)
	}
	seedTable := &Table{Name: head.Name, Fields: head.Fields, Columns: cols}
	for _, two := range []bool{false, true} {
		ser := Binary
		if two {
			ser = Binary2
		}
		raw := rawStream(f, seedTable, ser)
		f.Add(raw, two, false)
		f.Add(raw, two, true)
		f.Add(raw[:len(raw)/2], two, false)
	}
	f.Add([]byte{}, true, false)
	f.Add(binary.BigEndian.AppendUint32([]byte{0, 0, 0, 0, 0}, 0x7fffffff), true, false)

	f.Fuzz(func(t *testing.T, stream []byte, two, gz bool) {
		defer watchdog("FuzzBinaryStream")()
		d := NewDecoder(bytes.NewReader(binaryDoc(t, head, stream, two, gz)))
		defer d.Close()
		if _, err := d.NextTable(); err != nil {
			t.Fatalf("the fixed header must read: %v", err)
		}
		for {
			cols, err := d.NextBatch()
			if err == io.EOF {
				return
			}
			if err != nil {
				if !strings.Contains(err.Error(), "votable:") {
					t.Fatalf("error without context: %v", err)
				}
				return
			}
			for _, c := range cols {
				for i := 0; i < c.Len(); i++ {
					_ = c.Value(i)
				}
			}
		}
	})
}

// allocatedBy returns the bytes allocated while fn ran.
func allocatedBy(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// boundedAlloc is the most a tiny hostile document may make the reader
// allocate (its fixed buffers are a few MB).
const boundedAlloc = 64 << 20

func TestHugeArraysizeClaim(t *testing.T) {
	cases := []struct {
		name, field, data string
		wantErr           string
	}{
		{
			// 10 GB of chars in one cell: rejected from the metadata.
			name:    "10GB char arraysize",
			field:   `<FIELD name="big" datatype="char" arraysize="10737418240"/>`,
			data:    `<TABLEDATA><TR><TD>x</TD></TR></TABLEDATA>`,
			wantErr: "arraysize",
		},
		{
			name:    "10GB of doubles in 2-D",
			field:   `<FIELD name="big" datatype="double" arraysize="40000x40000"/>`,
			data:    `<TABLEDATA><TR><TD>1</TD></TR></TABLEDATA>`,
			wantErr: "arraysize",
		},
		{
			// Within the arraysize limit, but 4 GB per cell: the stream
			// ends long before, and nothing of that size is allocated.
			name:    "4GB doubleComplex cell in BINARY2",
			field:   `<FIELD name="big" datatype="doubleComplex" arraysize="16384x16384"/>`,
			data:    `<BINARY2><STREAM encoding="base64">AAAAAAAAAAAAAAAAAAAAAAAAAAAA</STREAM></BINARY2>`,
			wantErr: "stream ends",
		},
		{
			name:    "4GB char cell in BINARY",
			field:   `<FIELD name="big" datatype="unicodeChar" arraysize="268435456"/>`,
			data:    `<BINARY><STREAM encoding="base64">AAAAAAAAAAAAAAAA</STREAM></BINARY>`,
			wantErr: "stream ends",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := `<?xml version="1.0"?><VOTABLE version="1.4"><RESOURCE><TABLE nrows="10000000000">` +
				c.field + `<DATA>` + c.data + `</DATA></TABLE></RESOURCE></VOTABLE>`
			if len(doc) > 1024 {
				t.Fatalf("the claim should sit in less than 1 kB, not %d bytes", len(doc))
			}
			var err error
			alloc := allocatedBy(func() { _, err = Read(strings.NewReader(doc)) })
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("got error %v, want one about %q", err, c.wantErr)
			}
			if !strings.Contains(err.Error(), "big") && !strings.Contains(err.Error(), "row 1") {
				t.Errorf("the error should name the field or the row: %v", err)
			}
			if alloc > boundedAlloc {
				t.Fatalf("reading %d bytes allocated %d MB", len(doc), alloc>>20)
			}
		})
	}
}

func TestHugeVariableCount(t *testing.T) {
	for _, c := range []struct {
		name, datatype string
		count          uint32
	}{
		{"double", "double", 0x7fffffff},
		{"doubleComplex", "doubleComplex", 0x7ffffff0},
		{"char", "char", 0x7fffffff},
		{"unicodeChar", "unicodeChar", 0x7fffffff},
		{"bit", "bit", 0x7fffffff},
		{"beyond int32", "double", 0xffffffff},
	} {
		t.Run(c.name, func(t *testing.T) {
			// One BINARY2 row: no null flag, then the count, then 8 bytes.
			raw := binary.BigEndian.AppendUint32([]byte{0}, c.count)
			raw = append(raw, 1, 2, 3, 4, 5, 6, 7, 8)
			doc := `<?xml version="1.0"?><VOTABLE version="1.4"><RESOURCE><TABLE>` +
				`<FIELD name="v" datatype="` + c.datatype + `" arraysize="*"/>` +
				`<DATA><BINARY2><STREAM encoding="base64">` + base64.StdEncoding.EncodeToString(raw) +
				`</STREAM></BINARY2></DATA></TABLE></RESOURCE></VOTABLE>`
			var err error
			alloc := allocatedBy(func() { _, err = Read(strings.NewReader(doc)) })
			if err == nil {
				t.Fatal("a count beyond the stream must be an error")
			}
			var de *DataError
			if !errors.As(err, &de) && !strings.Contains(err.Error(), "row 1") {
				t.Errorf("the error should name the row: %v", err)
			}
			if alloc > boundedAlloc {
				t.Fatalf("a %d-byte document allocated %d MB", len(doc), alloc>>20)
			}
		})
	}
}

// FuzzParseFloatFast checks the TABLEDATA fast float parser against
// strconv.ParseFloat: where it answers, the value is the same, bit for bit.
func FuzzParseFloatFast(f *testing.F) {
	for _, s := range []string{"0", "-0", "1.5", "-2.5e-3", "123.4567890123", "17.7158", "0.1", "1e22", "1e23",
		"9007199254740993", "9007199254740992", "16777217", "3.4028235e38", "1e-10", ".5", "5.", "+1", "1e", "e5",
		"1.17549435e-38", "4.9e-324", "00012.5000", "1_000", "0x10", "Inf", "NaN", "1e+05", "1E-05"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, bits := range []int{32, 64} {
			got, ok := parseFloatFast([]byte(s), bits)
			if !ok {
				continue
			}
			want, err := strconv.ParseFloat(s, bits)
			if err != nil {
				t.Fatalf("%q (%d bits): fast path gives %v, strconv fails: %v", s, bits, got, err)
			}
			if math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("%q (%d bits): fast path %v (%#x), strconv %v (%#x)", s, bits, got, math.Float64bits(got), want, math.Float64bits(want))
			}
		}
	})
}
