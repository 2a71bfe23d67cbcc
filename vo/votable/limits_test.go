package votable

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/voagent/voagent/internal/xmlguard"
)

// gzipped compresses head, n repeats of unit, then tail, without holding the
// uncompressed document.
func gzipped(t testing.TB, head, unit string, n int, tail string) []byte {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	io.WriteString(zw, head)
	chunk := strings.Repeat(unit, max(1, (1<<20)/len(unit)))
	per := (1 << 20) / len(unit)
	for ; n >= per; n -= per {
		io.WriteString(zw, chunk)
	}
	io.WriteString(zw, strings.Repeat(unit, n))
	io.WriteString(zw, tail)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const tdHead = `<VOTABLE version="1.4"><RESOURCE><TABLE><FIELD name="a" datatype="char" arraysize="*"/><DATA><TABLEDATA>`
const tdTail = `</TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>`

// TestDecompressedLimits: what bounds memory is the decompressed size, a
// single cell and a single text run, whatever the compressed size.
func TestDecompressedLimits(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		max  int64 // SetMaxBytes, 0: default
		want error
		says string
	}{
		{"one cell of 200 MB", gzipped(t, tdHead+"<TR><TD>", "0", 200<<20, "</TD></TR>"+tdTail), 0, ErrTooLarge, "a single row, cell or tag is larger than the limit of 64 MiB"},
		{"256 MB of zeros", gzipped(t, "<VOTABLE>", "\x00", 256<<20, ""), 0, nil, "U+0000"},
		{"256 MB of white space in a DESCRIPTION", gzipped(t, "<VOTABLE><DESCRIPTION>", " ", 256<<20, "</DESCRIPTION></VOTABLE>"), 0, xmlguard.ErrTooLong, "longer than"},
		{"rows past SetMaxBytes", gzipped(t, tdHead, "<TR><TD>abc</TD></TR>", 1<<20, tdTail), 4 << 20, ErrTooLarge, "the document (decompressed) is larger than the limit of 4 MiB"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Logf("%d bytes gzipped", len(c.data))
			d := NewDecoder(bytes.NewReader(c.data))
			if c.max > 0 {
				d.SetMaxBytes(c.max)
			}
			doc, err := readAllOf(d)
			if err == nil || (c.want != nil && !errors.Is(err, c.want)) || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("got %v (doc %v), want %v saying %q", err, doc != nil, c.want, c.says)
			}
		})
	}
	// Under the limits, the same documents read.
	d := NewDecoder(bytes.NewReader(gzipped(t, tdHead, "<TR><TD>abc</TD></TR>", 1000, tdTail)))
	d.SetMaxBytes(1 << 20)
	if _, err := readAllOf(d); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(bytes.NewReader(gzipped(t, tdHead+"<TR><TD>", "0", 8<<20, "</TD></TR>"+tdTail))); err != nil {
		t.Fatalf("a cell of 8 MB: %v", err)
	}
}

func readAllOf(d *Decoder) (*Document, error) {
	defer d.Close()
	for {
		_, err := d.NextTable()
		if err == io.EOF {
			return d.Document(), nil
		}
		if err != nil {
			return nil, err
		}
		for {
			if _, err := d.NextBatch(); err == io.EOF {
				break
			} else if err != nil {
				return nil, err
			}
		}
	}
}

// TestAbsurdArraysizeTableData: a fixed arraysize no TABLEDATA row can hold
// is refused before its storage is allocated (it was padded: 320 MB per
// row for 40M doubles, and `votable convert` wrote them out).
func TestAbsurdArraysizeTableData(t *testing.T) {
	for _, c := range []struct{ datatype, size string }{
		{"double", "40000000"},
		{"int", "10x4000000"},
		{"char", "100000000"},
		{"double", "40000000x*"},
	} {
		doc := `<VOTABLE><RESOURCE><TABLE><FIELD name="a" datatype="` + c.datatype + `" arraysize="` + c.size + `"/><DATA><TABLEDATA><TR><TD>1 2</TD></TR></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>`
		_, err := Read(strings.NewReader(doc))
		if err == nil || !strings.Contains(err.Error(), "more than a TABLEDATA row can hold") {
			t.Errorf("%s[%s]: got %v", c.datatype, c.size, err)
		}
	}
	// Large but possible sizes still read.
	doc := `<VOTABLE><RESOURCE><TABLE><FIELD name="a" datatype="double" arraysize="1000"/><DATA><TABLEDATA><TR><TD>1 2</TD></TR></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>`
	if _, err := Read(strings.NewReader(doc)); err != nil {
		t.Fatal(err)
	}
}

// endlessReader is an XML document that never ends: a root element and
// rows of it without end.
type endlessReader struct {
	head string
	unit string
	n    int64
}

func (e *endlessReader) Read(p []byte) (int, error) {
	i := 0
	for i < len(p) {
		if e.head == "" {
			e.head = e.unit
		}
		k := copy(p[i:], e.head)
		e.head = e.head[k:]
		i += k
	}
	e.n += int64(i)
	return i, nil
}

// TestNotAVOTableRefusedAtItsRoot: an XML answer that is not a VOTable is
// refused at its root element, not read to its end (`cone --format csv`
// read an endless one until killed).
func TestNotAVOTableRefusedAtItsRoot(t *testing.T) {
	r := &endlessReader{head: `<?xml version="1.0"?><data>`, unit: "<row>1</row>"}
	_, err := Read(r)
	if err == nil || !strings.Contains(err.Error(), "root element is <data>") {
		t.Fatalf("got %v", err)
	}
	if r.n > 4<<20 {
		t.Errorf("read %d bytes before refusing", r.n)
	}
}
